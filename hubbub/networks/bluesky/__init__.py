"""Bluesky (the AT Protocol): a channel is one account on a PDS, reached with an app password.

Modules: `xrpc` (calls and error mapping), `session` (log in, refresh, read the profile),
`connector` (capabilities, limits, health check), `connect` (the connect action), and the
web page (`forms`, `views`, `urls`) and API (`api`) that call it.
"""
