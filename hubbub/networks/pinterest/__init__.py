"""Pinterest boards through the Pinterest API v5: image Pins, deleting them, and their
analytics. One channel is one board of a Pinterest account."""
