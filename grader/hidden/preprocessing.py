"""Hidden-only checks for trainlab/preprocessing.py (instructor side)."""
