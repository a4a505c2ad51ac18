"""Connect a Bluesky account to a workspace: the one action the page and the API call."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.networks.actions import save_connection
from hubbub.networks.base import AuthError, Connection, ConnectorError
from hubbub.networks.bluesky import session as bsky
from hubbub.networks.bluesky.connector import BlueskyConfig, BlueskyConnector, session_credentials
from hubbub.networks.bluesky.xrpc import BadLogin, NotAPds, Unreachable
from hubbub.networks.models import Channel


class ConnectFailed(ActionError):
    """The network refused or could not be reached; `error` keeps its details (retry_at...)."""

    def __init__(self, error: ConnectorError, field: str | None) -> None:
        super().__init__(str(error), field)
        self.error = error


def connect_bluesky(access: Access, handle: str, app_password: str, pds_url: str = "") -> Channel:
    """Log in to the PDS, read the profile, then save the channel; nothing is saved on failure.

    Raises ActionError (with the form field at fault) for bad input and for every refusal
    of the network, and PermissionDenied when the role cannot connect channels.
    """
    access.require("channels.connect")
    try:
        identifier = bsky.normalise_identifier(handle)
    except bsky.InvalidInput as exc:
        raise ActionError(str(exc), field="handle") from None
    try:
        pds = bsky.normalise_pds_url(pds_url)
    except bsky.InvalidInput as exc:
        raise ActionError(str(exc), field="pds_url") from None
    # App passwords look like abcd-efgh-ijkl-mnop; a pasted one often carries spaces.
    password = app_password.strip()
    if not password:
        raise ActionError(
            _("Enter an app password (Settings → Privacy and security → App passwords)."),
            field="app_password",
        )
    try:
        session = bsky.create_session(pds, identifier, password)
        profile = bsky.get_profile(pds, session.access_jwt, session.did)
    except ConnectorError as exc:
        raise ConnectFailed(_with_hint(exc, pds), _field_for(exc)) from exc
    connection = Connection(
        account=bsky.account_from_profile(profile, session.did, session.handle),
        credentials=session_credentials(session, pds, password),
        config=BlueskyConfig(
            pds_url=pds, app_password_login=session.uses_app_password
        ).model_dump(),
        token_expires_at=None,  # app passwords do not expire
    )
    return save_connection(access, BlueskyConnector.name, connection)


def _field_for(error: ConnectorError) -> str | None:
    if isinstance(error, AuthError):
        return "app_password"
    if isinstance(error, NotAPds | Unreachable):
        return "pds_url"
    return None


def _with_hint(error: ConnectorError, pds: str) -> ConnectorError:
    # The commonest cause of a refused login on bsky.social: the account lives elsewhere.
    if isinstance(error, BadLogin) and pds == bsky.DEFAULT_PDS:
        error.message += " " + _(
            "If the account is hosted on another server than bsky.social, enter that "
            "server's address as the PDS URL."
        )
    return error
