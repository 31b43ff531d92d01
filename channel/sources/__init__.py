"""Fetched: every kind of source (rss, page, folder, push) becomes entries under stable ids.

refresh reads a source and upserts its entries; fetch is the one outbound door; feedparse reads
incoming RSS/Atom; ids says what a story is keyed by; categories maps sections onto categories.
"""
