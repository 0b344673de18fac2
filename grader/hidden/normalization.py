"""Hidden-only checks for trainlab/normalization.py (instructor side)."""
