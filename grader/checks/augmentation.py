"""Checks for trainlab/augmentation.py."""
