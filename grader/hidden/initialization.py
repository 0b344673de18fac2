"""Hidden-only checks for trainlab/initialization.py (instructor side)."""
