"""Matrix rooms, through the Client-Server API (https://spec.matrix.org/v1.16/client-server-api/):
a channel is one room in which an account (a bot account, usually) posts announcements and
reads the replies to them.

Modules: `client` (calls, homeserver discovery and error mapping), `limits` (the event size
limit, counted in bytes), `connector` (capabilities, limits, health check), `posting`
(publish, find_published, redact), `reading` (thread replies, mentions, reactions),
`connect` (the connect action), and the web page (`forms`, `views`, `urls`) and API (`api`)
that call it.
"""
