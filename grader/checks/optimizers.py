"""Checks for trainlab/optimizers.py."""
