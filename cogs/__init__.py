"""Discord features, one per module; each is a thin layer over the core in `bot`."""
