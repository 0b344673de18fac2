"""Checks for trainlab/normalization.py."""
