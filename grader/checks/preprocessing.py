"""Checks for trainlab/preprocessing.py."""
