"""Errors the store raises with a message fit to show a user as is."""


class StoreError(Exception):
    """The store cannot be opened or used; the message says why in one sentence."""
