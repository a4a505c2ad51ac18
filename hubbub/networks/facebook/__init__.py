"""Facebook Pages: publishing to and reading from the Pages a person manages, through Meta's
Graph API (graph.py is shared with hubbub.networks.instagram)."""
