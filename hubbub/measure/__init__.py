"""Measure: what each published post and each channel counts over time, and every figure
derived from those counts (hubbub.measure.formulas)."""
