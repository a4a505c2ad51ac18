"""Listening: what is said about the brand, its products and its competitors (issue 6)."""
