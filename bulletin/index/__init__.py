"""The index stage: the archive's order and dates, the search index."""
