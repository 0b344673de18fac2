"""Hidden-only checks for trainlab/optimizers.py (instructor side)."""
