"""Cleaned, summarized, tagged: an article page (HTML or plain text) becomes a clean story.

extract (the body, via trafilatura) and metadata (the page's own tags and JSON-LD), cleanup with
its data file rules/boilerplate.yaml, sentences, summarize (the TV summary and ticker), keywords
(tags and language).
"""
