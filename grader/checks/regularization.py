"""Checks for trainlab/regularization.py."""
