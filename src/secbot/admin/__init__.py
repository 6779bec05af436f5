"""Admin operations run from the CLI: identities and channels, never a state's private data."""
