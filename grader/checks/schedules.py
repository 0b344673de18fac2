"""Checks for trainlab/schedules.py."""
