"""secbot: the chat assistant for the security management model of small island states."""
