"""Hidden-only checks for trainlab/regularization.py (instructor side)."""
