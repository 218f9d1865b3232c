"""Widgets the screening screens share."""
