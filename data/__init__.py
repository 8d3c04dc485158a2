"""Bundled sources (the directory page) and the store's SQL migrations, shipped as package data."""
