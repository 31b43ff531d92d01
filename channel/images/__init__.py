"""Drawn: story images become 16:9 TV thumbnails (thumbnails, crop), or a title card is drawn."""
