"""Hidden-only checks for trainlab/activations.py (instructor side)."""
