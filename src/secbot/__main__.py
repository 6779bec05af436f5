"""`python -m secbot` is the same as the `secbot` command."""

from secbot.cli import main

main()
