"""The web console (issue 14): server-rendered pages on the bot's own HTTP server, under /web/,
reading through the same feature services and visibility rule as chat (docs/decisions/0022)."""
