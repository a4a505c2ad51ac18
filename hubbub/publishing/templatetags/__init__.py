"""Template tags of the publishing pages."""
