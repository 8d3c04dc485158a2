"""Pictures podbot makes to share: quote cards (PNG, rendered with Pillow)."""
