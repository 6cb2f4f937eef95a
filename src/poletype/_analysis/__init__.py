"""Analyses over many verdicts: research fit, plots, frames, sweeps."""
