"""Alert exports for systems outside secbot."""
