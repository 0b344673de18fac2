"""Hidden-only checks for trainlab/schedules.py (instructor side)."""
