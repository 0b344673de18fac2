"""Checks for trainlab/initialization.py."""
