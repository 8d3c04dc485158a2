"""Source parsers: one module per format, each a pure function from text or bytes to models.

`parse_source` picks the parser by looking at the content, never at a file name.
"""
