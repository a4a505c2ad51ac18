"""X (formerly Twitter), through the X API v2: one channel is one X account, connected with
OAuth 2.0 (PKCE) on the operator's developer app. See docs/networks/x.md."""
