"""Publishing's web pages, one module per area; hubbub.publishing.urls joins their routes."""
