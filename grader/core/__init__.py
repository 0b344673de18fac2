"""The check framework: checks and cases (registry, cases), how a run decides verdicts (engine,
inner), comparisons and numeric gradients (compare, numgrad), stored fixtures and derived values
(fixture_store, derived), the in-process seam for calling student code (runner), reports, errors."""
