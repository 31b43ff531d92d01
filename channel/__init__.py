"""Newsdesk: sources in, a TV channel feed out."""
