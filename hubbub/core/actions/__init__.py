"""State changes. Each action checks permission, changes state and writes the audit entry,
so the web views, the API and the CLI behave the same (zulip's do_*/check_* split)."""
