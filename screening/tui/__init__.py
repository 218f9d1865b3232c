"""Textual screens over the screening core. Only this package imports Textual."""
