"""Experiment runners return complete tables (tiny synthetic data where the real set is not the point)."""
