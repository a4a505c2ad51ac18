"""Instagram professional accounts through the Instagram API with Facebook Login: publishing
(containers, then media_publish) and reading, on Meta's Graph API (facebook/graph.py)."""
