"""SQL is the source of truth: models, sessions and migrations."""
