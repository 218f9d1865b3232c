"""Everything up to the list of included studies: import, harvest, dedup, screening."""
