"""What tests share: a world to chat in, an indexed app, alert set-up, paths, planted secrets."""
