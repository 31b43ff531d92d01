"""Published: the documents TVs read, built from ready stories and published as one version.

build (the channel feed, its cards, low-end variants and category feeds), roku_export (the Roku
Direct Publisher export), publish (versioned, atomic) and editorial (pin, hide, pull).
"""
