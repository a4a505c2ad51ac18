"""Mastodon (and compatible servers): connect with OAuth or a pasted token, per-server limits.

Every call goes through hubbub.core.http rather than the Mastodon.py SDK: Mastodon.py sends
with `requests`, which would bypass our SSRF guard, time-outs and request logging.
"""
