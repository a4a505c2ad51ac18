"""Hubbub: a self-hosted command center for the people who run a brand's social media."""

__version__ = "0.1.0"
