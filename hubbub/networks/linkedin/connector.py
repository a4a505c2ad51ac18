"""The LinkedIn connector: one channel is one LinkedIn organization (company page), posted
to with the token of a person who administers it (Community Management API)."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
import pydantic
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.crypto import DecryptionError
from hubbub.networks import oauth2
from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connection,
    Connector,
    Limits,
    PermanentError,
)
from hubbub.networks.incoming import AccountMetrics, Page, PostMetrics
from hubbub.networks.linkedin import client, engage, limits, posting, reading
from hubbub.networks.linkedin.oauth import PROVIDER
from hubbub.networks.outgoing import OutgoingPart, PublishedRef

# organizationAcls roles that may post as the page ("Organization Access Control by Role"):
# ADMINISTRATOR is the Super admin, CONTENT_ADMINISTRATOR the Content admin. Analysts,
# curators and sponsors cannot post.
POSTING_ROLES = ("ADMINISTRATOR", "CONTENT_ADMINISTRATOR")


class LinkedInConfig(pydantic.BaseModel):
    organization_id: str = ""  # the numeric id of urn:li:organization:<id>


class LinkedInConnector(Connector):
    name = "linkedin"
    label = "LinkedIn"
    oauth = PROVIDER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # POST /rest/posts
            Capability.PUBLISH_IMAGE,  # Images API upload, then content.media / multiImage
            Capability.DELETE,  # DELETE /rest/posts/{urn}
            Capability.READ_COMMENTS,  # GET /rest/socialActions/{urn}/comments
            Capability.METRICS,  # GET /rest/organizationalEntityShareStatistics
            Capability.REPLY,  # POST /rest/socialActions/{comment}/comments, parentComment
            Capability.LIKE,  # POST /rest/reactions, reactionType LIKE, as the page
            Capability.DELETE_COMMENTS,  # DELETE /rest/socialActions/{post}/comments/{id}
        }
    )
    # Not declared: threads (LinkedIn has none), first comments (the Comments API write
    # path exists for answers; a first comment is not wired yet), hiding comments (LinkedIn
    # has no such call), video and documents (Videos API, not built yet),
    # mentions (organization notifications need another review of the app by LinkedIn;
    # see docs/networks/linkedin.md), direct messages (no API for pages), search.
    config_model: ClassVar[type[LinkedInConfig]] = LinkedInConfig
    config: LinkedInConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return limits.default_limits()

    # --- connecting -----------------------------------------------------------------------

    @classmethod
    def accounts_from_token(cls, token: oauth2.Token) -> list[Connection]:
        """Every organization the person may post as, each a Connection with the person's
        token (LinkedIn tokens belong to the person, not to a page)."""
        acls = client.call(
            "GET",
            "/organizationAcls?"
            + client.query([("q", "roleAssignee"), ("state", "APPROVED"), ("count", "100")]),
            token.access_token,
        )
        ids: list[str] = []
        for element in http.json_object(acls).get("elements") or ():
            if not isinstance(element, dict) or element.get("role") not in POSTING_ROLES:
                continue
            if element.get("state", "APPROVED") != "APPROVED":
                continue  # a role requested but not granted yet
            organization = str(element.get("organization") or "")
            org_id = organization.rsplit(":", 1)[-1]
            if organization.startswith("urn:li:organization:") and org_id not in ids:
                ids.append(org_id)
        found = []
        for org_id in ids:
            account = account_of(client.call("GET", f"/organizations/{org_id}", token.access_token))
            found.append(
                Connection(
                    account=account,
                    credentials=token.credentials(),
                    config=LinkedInConfig(organization_id=org_id).model_dump(),
                    token_expires_at=token.expires_at,
                )
            )
        return found

    def check(self) -> Account:
        return account_of(self.api("GET", f"/organizations/{self.organization_id()}"))

    # --- credentials ----------------------------------------------------------------------

    def token(self) -> str:
        return self.stored_secret("access_token")

    def refreshable(self) -> bool:
        """Only apps LinkedIn approved for programmatic refresh receive refresh tokens."""
        try:
            return bool(self.channel.credentials.get("refresh_token"))
        except DecryptionError:
            return False

    def refresh_if_due(self) -> bool:
        # Without a refresh token the 60-day token simply ends: the Channels page has warned
        # a week before (token_expires_at), and the call's 401 asks for a reconnect.
        if not self.refreshable():
            return False
        return oauth2.refresh_channel(self, PROVIDER)

    def organization_id(self) -> str:
        if not self.config.organization_id:
            raise AuthError(_("The channel does not record its LinkedIn page: reconnect it."))
        return self.config.organization_id

    def author(self) -> str:
        return f"urn:li:organization:{self.organization_id()}"

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call with the channel's token, refreshed first when due; a 401 with a refresh
        token available refreshes once and tries again."""
        self.refresh_if_due()
        try:
            return client.call(method, path, self.token(), **kwargs)
        except AuthError as exc:
            if exc.status != 401 or not self.refreshable():
                raise
        oauth2.refresh_channel(self, PROVIDER, force=True)
        return client.call(method, path, self.token(), **kwargs)

    # --- publishing and reading: posting.py and reading.py ---------------------------------

    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)

    def fetch_metrics(self, refs: list[PublishedRef]) -> dict[str, PostMetrics]:
        return reading.fetch_metrics(self, refs)

    def fetch_account_metrics(self) -> AccountMetrics:
        return reading.fetch_account_metrics(self)

    # --- engaging from the inbox (answers go through publish): engage.py --------------------

    def like(self, ref: PublishedRef) -> None:
        engage.like(self, ref)

    def delete_comment(self, ref: PublishedRef) -> None:
        engage.delete_comment(self, ref)


def account_of(response: httpx.Response) -> Account:
    """An Account from GET /rest/organizations/{id} (Organization Lookup API)."""
    body = http.json_object(response)
    org_id = body.get("id")
    if not isinstance(org_id, int | str) or isinstance(org_id, bool) or not str(org_id):
        raise PermanentError(_("LinkedIn answered without the organization."))
    vanity = str(body.get("vanityName") or "")
    name = str(body.get("localizedName") or vanity or org_id)
    return Account(
        external_id=str(org_id),
        handle=vanity or name,
        name=name,
        # No avatar: the logo is a digital media URN that needs one more call to resolve.
        profile_url=f"https://www.linkedin.com/company/{vanity}/" if vanity else "",
    )
