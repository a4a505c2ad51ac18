"""Discord channels, through an incoming webhook: a channel is one Discord text or
announcement channel in which a person created a webhook (Server Settings → Integrations →
Webhooks) and pasted its URL into Hubbub.

Modules: `client` (the webhook URL, calls and error mapping), `limits`, `connector`
(capabilities, limits, health check), `posting` (publish, delete, and why nothing can be
looked up), `connect` (the connect action), and the web page (`forms`, `views`, `urls`) and
API (`api`) that call it.
"""
