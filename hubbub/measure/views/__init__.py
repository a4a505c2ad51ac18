"""Measure's pages."""
