"""Use cases. Each takes a session and a principal; none commits, none knows a chat platform."""
