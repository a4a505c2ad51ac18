"""Slack channels, through an incoming webhook: a channel is the one Slack channel an
incoming webhook (of a Slack app the person created) posts to; the person pastes its URL.

Modules: `client` (the webhook URL, the call and Slack's error answers), `limits`,
`connector` (capabilities, limits, health check), `posting` (publish, escaping, and why
nothing can be looked up or deleted), `connect` (the connect action), and the web page
(`forms`, `views`, `urls`) and API (`api`) that call it.
"""
