"""WordPress blogs, through the WordPress REST API (developer.wordpress.org/rest-api) with
an Application Password (HTTP Basic auth). A channel is one site, posted to as one user.

Modules: `client` (the site address, finding the REST API, calls and error mapping),
`content` (a Hubbub text as a post's title and HTML, a comment's HTML as text),
`connector` (capabilities, limits, health check), `posting` (publish, find, delete, reply to
comments), `reading` (comments, with a cursor), `connect` (the connect action) and the web
pages (`forms`, `views`, `urls`) and API (`api`) that call it.
"""
