"""`python -m secbot` is the same as the `secbot` command."""

from secbot.entrypoints.cli import main

main()
