"""Following podcast feeds: reading them with their chapter and transcript files, polling, announcing."""
