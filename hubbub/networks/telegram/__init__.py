"""Telegram channels, through the Bot API: a channel is one Telegram channel in which a bot
the person created with @BotFather is an administrator allowed to post.

Modules: `client` (calls and error mapping), `connector` (capabilities, limits, health
check), `posting` (publish, delete, and why nothing can be looked up), `connect` (the connect
action), and the web page (`forms`, `views`, `urls`) and API (`api`) that call it.
"""
