"""Delivering alerts from the outbox to Telegram and Slack under their limits."""
