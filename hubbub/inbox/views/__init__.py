"""The inbox's pages (hubbub/inbox/urls.py names them "inbox:<name>")."""
