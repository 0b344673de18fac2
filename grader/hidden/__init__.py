"""Hidden checks: instructor side only, never part of the student release.

grader/catalogue.py gives every reference-output case and gradient case a hidden twin that draws
random shapes and values from the per-student seed; the modules here declare hidden-only property
checks on the public modules' Topics, and the formulas of derived values (derived.py).
"""
