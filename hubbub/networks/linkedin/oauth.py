"""LinkedIn's OAuth 2 (3-legged, authorization code): Hubbub's one developer app with the
Community Management API product, which posts as the organizations (company pages) a person
administers.

https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow
- No PKCE for web apps with a client secret (PKCE is offered to native apps only).
- Access tokens last 60 days (expires_in 5184000). Refresh tokens (365 days) are given only
  to apps LinkedIn approved for programmatic refresh; otherwise the person signs in again
  before the 60 days end, and the Channels page warns a week before (token_expires_at).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from hubbub.networks import oauth2

# Community Management API permissions (learn.microsoft.com, "Community Management API"
# and "Organization Access Control by Role"):
#   w_organization_social  create and delete posts as the organization (Posts, Images API);
#                          answer, like and delete comments as it (Comments, Reactions API)
#   r_organization_social  read the organization's posts and their comments (lookup after a
#                          time-out, READ_COMMENTS) and share statistics (METRICS)
#   rw_organization_admin  list the organizations the person administers (organizationAcls)
#                          and read their names and vanity names (organizations)
SCOPES = ("w_organization_social", "r_organization_social", "rw_organization_admin")

PROVIDER = oauth2.Provider(
    network="linkedin",
    label="LinkedIn",
    app="LINKEDIN",
    authorize_url="https://www.linkedin.com/oauth/v2/authorization",
    token_url="https://www.linkedin.com/oauth/v2/accessToken",
    scopes=SCOPES,
    pkce=False,
    docs="docs/networks/linkedin.md",
    help=gettext_lazy(
        "Hubbub posts as a LinkedIn page (an organization), not as you. Sign in with a "
        "LinkedIn account that is a Super admin or Content admin of the page; you then "
        "choose which of your pages to connect."
    ),
)
