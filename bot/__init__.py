"""podbot: a Discord bot and command-line tool that knows every episode, chapter and word of a podcast."""

__version__ = "0.1.0"
