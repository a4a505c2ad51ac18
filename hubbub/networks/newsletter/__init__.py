"""E-mail newsletters: a channel is a list of subscribers, mailed through the SMTP server the
workspace names (its own, or a provider's: Amazon SES, Mailgun, Postmark, Brevo...).

Unlike the other networks this one keeps people's data in Hubbub, so the package is a
Django app (label "newsletter") with its own models: `Subscriber` (the list) and `Sending`
(one row per post part and subscriber: what makes a retry never mail anyone twice).

Modules: `models`, `smtp` (connections to the user-supplied server, with the SSRF guard
and the meaning of SMTP reply codes), `message` (the e-mail built from a post part),
`posting` (publish and find_published), `subscribers` (CSV import and export, add,
remove, unsubscribe), `tokens` (signed unsubscribe links), `connect` (the connect action),
and the pages (`forms`, `views`, `urls`), the API (`api`) and `import-subscribers`.
"""
