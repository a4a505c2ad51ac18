"""One router per area of the API; hubbub.api.routes mounts them."""
