"""Experiment runners return complete tables (small synthetic data where possible)."""
