"""Real Mastodon answers, from a Mastodon 4 server recorded in Mastodon.py's test cassettes
(tests/cassettes/test_instance.yaml, test_instance_v1.yaml, test_verify_credentials.yaml,
test_app_account_create.yaml, test_unauthed_home_tl_throws.yaml), with the host renamed to
our test server. Pleroma's v1 answer follows its documented fields."""

from __future__ import annotations

import copy
from typing import Any

SERVER = "https://social.example"
HOST = "social.example"

INSTANCE_V2: dict[str, Any] = {
    "domain": HOST,
    "title": "Mastodon",
    "version": "4.3.2",
    "source_url": "https://github.com/mastodon/mastodon",
    "description": "",
    "usage": {"users": {"active_month": 4}},
    "languages": ["en"],
    "configuration": {
        "urls": {"streaming": "wss://social.example", "status": None},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": 500,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "description_limit": 1500,
            "image_matrix_limit": 33177600,
            "image_size_limit": 16777216,
            "supported_mime_types": [
                "image/jpeg",
                "image/png",
                "image/gif",
                "image/heic",
                "image/heif",
                "image/webp",
                "image/avif",
                "video/webm",
                "video/mp4",
                "video/quicktime",
                "video/ogg",
                "audio/wave",
                "audio/wav",
                "audio/x-wav",
                "audio/ogg",
                "audio/mpeg",
                "audio/mp3",
                "audio/webm",
                "audio/flac",
                "audio/aac",
                "audio/m4a",
                "audio/mp4",
                "audio/3gpp",
                "video/x-ms-asf",
            ],
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8294400,
            "video_size_limit": 103809024,
        },
        "polls": {"max_options": 4, "max_characters_per_option": 50},
        "translation": {"enabled": False},
    },
    "registrations": {"enabled": True, "approval_required": False, "message": None},
    "api_versions": {"mastodon": 2},
    "contact": {"email": "", "account": None},
    "rules": [],
}


def instance_v2(**statuses: int) -> dict[str, Any]:
    """The recorded answer, with a server admin's own status limits."""
    body = copy.deepcopy(INSTANCE_V2)
    body["configuration"]["statuses"].update(statuses)
    return body


# Mastodon 3.x: no /api/v2/instance yet, limits under configuration in v1.
INSTANCE_V1: dict[str, Any] = {
    "uri": HOST,
    "title": "Mastodon",
    "short_description": "",
    "description": "",
    "email": "",
    "version": "3.5.3",
    "urls": {"streaming_api": "wss://social.example"},
    "stats": {"user_count": 4, "status_count": 7, "domain_count": 1},
    "languages": ["en"],
    "registrations": True,
    "configuration": {
        "statuses": {
            "max_characters": 1000,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "video/mp4"],
            "image_size_limit": 10485760,
            "image_matrix_limit": 16777216,
            "video_size_limit": 41943040,
            "video_frame_rate_limit": 60,
            "video_matrix_limit": 2304000,
        },
    },
    "contact_account": None,
    "rules": [],
}

# Pleroma / Akkoma: limits at the top level of v1.
PLEROMA_V1: dict[str, Any] = {
    "uri": "https://pleroma.example",
    "title": "Pleroma",
    "version": "2.7.2 (compatible; Pleroma 2.5.0)",
    "max_toot_chars": 5000,
    "upload_limit": 16000000,
    "max_media_attachments": 10,
    "registrations": False,
}

ACCOUNT: dict[str, Any] = {
    "id": "117440810532227399",
    "username": "brand",
    "acct": "brand",
    "display_name": "Brand Official",
    "locked": False,
    "bot": False,
    "group": False,
    "created_at": "2024-10-14T00:00:00.000Z",
    "note": "",
    "url": "https://social.example/@brand",
    "uri": "https://social.example/users/brand",
    "avatar": "https://social.example/system/accounts/avatars/original/brand.png",
    "avatar_static": "https://social.example/system/accounts/avatars/original/brand.png",
    "header": "https://social.example/headers/original/missing.png",
    "followers_count": 0,
    "following_count": 0,
    "statuses_count": 0,
    "last_status_at": None,
    "source": {
        "privacy": "public",
        "sensitive": False,
        "language": None,
        "note": "",
        "fields": [],
        "follow_requests_count": 0,
    },
    "emojis": [],
    "fields": [],
    "role": {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False},
}

CLIENT_ID = "fDxNVpAKndzIaejMXx_4VtT9id0zUSK6Q8MTP1gEw8A"
CLIENT_SECRET = "uXrY0Cwg-KRRWz8L9-76lA9DyStb48o0s1VhsLEhmrY"

APP: dict[str, Any] = {
    "id": "2",
    "name": "Hubbub",
    "website": "https://github.com/hubbub-social/hubbub",
    "scopes": [
        "read:accounts",
        "read:statuses",
        "read:notifications",
        "read:search",
        "write:statuses",
        "write:media",
    ],
    "redirect_uris": ["http://127.0.0.1:8000/channels/mastodon/callback/"],
    "vapid_key": (
        "BJGht7R8h9FMwI4oZFyjwGx9_RmR0ylu5_XEVifgiVXM7h8XNEf8zbi4kc_52DVHv_TBinj7TY_Ahl_A6NmkEuI="
    ),
    "redirect_uri": "http://127.0.0.1:8000/channels/mastodon/callback/",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "client_secret_expires_at": 0,
}

ACCESS_TOKEN = "G6pQOqoumRnRqY02PEer353DVp6bsdSiXGJBQNIUgVk"

TOKEN: dict[str, Any] = {
    "access_token": ACCESS_TOKEN,
    "token_type": "Bearer",
    "scope": "read:accounts read:statuses read:notifications read:search write:statuses "
    "write:media",
    "created_at": 1792004634,
}

INVALID_TOKEN = {"error": "The access token is invalid"}
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The provided authorization grant is invalid, expired, revoked, does "
    "not match the redirection URI used in the authorization request, or was issued to another "
    "client.",
}
INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed due to unknown client, no client "
    "authentication included, or unsupported authentication method.",
}

HTML_PAGE = "<!doctype html><html><head><title>My blog</title></head><body>Hi</body></html>"
