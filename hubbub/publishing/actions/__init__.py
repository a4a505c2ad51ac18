"""Publishing actions: permission check, state change and audit entry, shared by the web
pages, the API and the CLI."""
