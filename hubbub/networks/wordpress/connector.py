"""The WordPress connector: one channel is one WordPress site, posted to as one user with an
Application Password."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import httpx
import pydantic
from django.utils.translation import gettext as _

from hubbub.networks.base import (
    Account,
    AuthError,
    Capability,
    Connector,
    Counting,
    Limits,
    MediaLimits,
    PermanentError,
    TextLimits,
)
from hubbub.networks.incoming import Page
from hubbub.networks.outgoing import OutgoingPart, PublishedRef
from hubbub.networks.wordpress import client, posting, reading

# WordPress stores a post's content in a LONGTEXT column (4 GB) and documents no length
# limit ("Posts" reference: content is "object", no maxLength). Hubbub declares a generous
# limit of its own so the composer's counter means something and one post stays one request
# far below PHP's default post_max_size (8 MB), counted in code points as PHP stores them.
MAX_TEXT = 100_000
# The featured image goes up as the raw request body (REST "Media": POST /wp/v2/media with
# Content-Disposition), so PHP's post_max_size is the ceiling: 8 MB by PHP's default
# (php.ini-production). Hosts often allow more; a larger image is refused by WordPress with
# rest_upload_no_data, which says so. The REST API does not publish the server's limit.
MAX_IMAGE_BYTES = 8 * 1024 * 1024
# get_allowed_mime_types(): jpeg, png and gif always; webp since WordPress 5.8.
IMAGE_FORMATS = ("image/jpeg", "image/png", "image/gif", "image/webp")

PostStatus = Literal["publish", "draft"]
CommentStatus = Literal["", "open", "closed"]


class WordPressConfig(pydantic.BaseModel):
    site_url: str = ""  # normalised: https://blog.example.com
    api_root: str = ""  # https://blog.example.com/wp-json/ or .../?rest_route=/
    user_id: int = 0
    # publish: published when Hubbub sends it, at the due time. draft: saved as a draft for
    # an editor to publish in WordPress (see posting.py, also for WordPress's "future").
    post_status: PostStatus = "publish"
    categories: list[int] = pydantic.Field(default_factory=list)  # empty: the site's default
    comment_status: CommentStatus = ""  # empty: the site's default (Settings → Discussion)
    can_upload: bool = True  # upload_files, for the featured image


class WordPressConnector(Connector):
    name = "wordpress"
    label = "WordPress"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH_TEXT,  # POST /wp/v2/posts
            Capability.PUBLISH_IMAGE,  # the featured image: POST /wp/v2/media, featured_media
            Capability.DELETE,  # DELETE /wp/v2/posts/{id}: to the trash
            Capability.READ_COMMENTS,  # GET /wp/v2/comments?post=...
            Capability.REPLY,  # POST /wp/v2/comments with parent
        }
    )
    # Not declared: threads (a blog post has no next part), first comment, mentions (WordPress
    # has no mentions), metrics (core WordPress counts no views or likes: those are plugins'
    # own APIs), video (not yet), direct messages, search.
    config_model: ClassVar[type[WordPressConfig]] = WordPressConfig
    config: WordPressConfig

    @classmethod
    def default_limits(cls) -> Limits:
        return Limits(
            text=TextLimits(max_length=MAX_TEXT, counting=Counting.CODE_POINTS),
            media=MediaLimits(
                max_images=1,  # one featured image a post
                max_image_bytes=MAX_IMAGE_BYTES,
                image_formats=IMAGE_FORMATS,
                max_alt_text=None,  # alt_text has no documented limit
            ),
            max_thread_parts=1,
        )

    def limits(self) -> Limits:
        limits = self.default_limits()
        if self.config.can_upload:
            return limits
        # A role without upload_files: no image can be sent, so none is accepted.
        return Limits(text=limits.text, media=MediaLimits(), max_thread_parts=1)

    def auth(self) -> str:
        return client.basic_auth(
            self.stored_secret("username"), self.stored_secret("application_password")
        )

    def call(self, method: str, route: str, **kwargs: Any) -> httpx.Response:
        if not self.config.api_root:
            raise AuthError(_("The channel does not record its WordPress site: reconnect it."))
        return client.call(method, self.config.api_root, route, auth=self.auth(), **kwargs)

    def check(self) -> Account:
        me = client.body_of(self.call("GET", "/wp/v2/users/me", params={"context": "edit"}))
        problem = publishing_problem(me)
        if problem:
            # The credentials work; the role does not: an administrator fixes that on the site.
            raise PermanentError(problem)
        index = client.body_of(self.call("GET", "/"))
        return account_from_index(index, self.config.site_url)

    # Publishing: see posting.py; reading: see reading.py.
    def publish(self, part: OutgoingPart) -> PublishedRef:
        return posting.publish(self, part)

    def find_published(self, part: OutgoingPart) -> PublishedRef | None:
        return posting.find_published(self, part)

    def delete(self, ref: PublishedRef) -> None:
        posting.delete(self, ref)

    def fetch_comments(self, ref: PublishedRef, cursor: str | None) -> Page:
        return reading.fetch_comments(self, ref, cursor)


def publishing_problem(me: Any) -> str:
    """Why this user cannot publish, in words; empty when it can (users/me?context=edit
    lists the user's capabilities)."""
    if not isinstance(me, dict) or not isinstance(me.get("id"), int):
        return _("WordPress did not say who this user is.")
    found = me.get("capabilities")
    capabilities: dict[str, Any] = found if isinstance(found, dict) else {}
    if not capabilities.get("publish_posts"):
        roles = ", ".join(str(r) for r in me.get("roles") or []) or "?"
        return _(
            "The WordPress user %(user)s (role: %(roles)s) cannot publish posts. Ask an "
            "administrator to give it the Author, Editor or Administrator role (Users → All "
            "Users), or connect with another user."
        ) % {"user": me.get("username") or me.get("name") or me["id"], "roles": roles}
    return ""


def account_from_index(index: Any, site_url: str) -> Account:
    """The site as an account, from the REST index (GET /: name, description, url, home)."""
    if not isinstance(index, dict) or "namespaces" not in index:
        raise PermanentError(client.not_found_message())
    name = str(index.get("name") or "").strip() or site_url
    home = str(index.get("home") or index.get("url") or site_url)
    icon = index.get("site_icon_url")  # WordPress 5.9+ lists it when a site icon is set
    return Account(
        external_id=site_url,
        handle=name,
        name=name,
        avatar_url=str(icon) if isinstance(icon, str) and icon.startswith("https://") else "",
        profile_url=home if home.startswith(("https://", "http://")) else site_url,
    )
