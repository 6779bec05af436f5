"""The durable inbox: what a platform was told we received is stored first, then handled once
(docs/decisions/0012)."""
