"""The one error parsers raise: a source that cannot be read, with a sentence a user can act on."""


class ParseError(ValueError):
    """The source is not in a format podbot reads, or holds nothing to ingest."""
