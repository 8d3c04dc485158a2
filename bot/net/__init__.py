"""HTTP for podbot: fetching URLs from feeds and server managers, with an SSRF guard on every hop."""
