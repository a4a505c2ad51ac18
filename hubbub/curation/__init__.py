"""Curate and create: feeds, the content library, brand personas and their suggestions,
graphics templates, guardrails before posting, and links (UTM and shortening)."""
