"""Adapters between chat platforms and the engine. They translate; they never decide."""
