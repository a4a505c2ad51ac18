"""Signed outgoing webhooks: Hubbub tells other systems when a post goes out or fails."""
