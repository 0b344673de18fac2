"""Hidden-only checks for trainlab/augmentation.py (instructor side)."""
