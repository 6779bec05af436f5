"""The platform-neutral conversation engine: an Inbound message in, a list of Replies out."""
