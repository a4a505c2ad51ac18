"""A real WordPress site on loopback for tests: Debian's wordpress under Apache with MariaDB,
set up by scripts/peers-wordpress.sh, which writes the site's address and its users'
Application Passwords to $HUBBUB_PEERS_DIR/wordpress/site.json.

`wordpress_site` (session-scoped; a test module imports `wordpress_site_fixture` to use it)
uses the site when it answers; otherwise it runs the script (which starts Apache, and
installs what is missing) once. It never skips: a site that cannot
start fails the tests that asked for it, with the fix. Calls here use plain httpx: they are
the test's own hands on the site (another person commenting, an administrator looking), not
Hubbub's outbound calls.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PEERS = Path(os.environ.get("HUBBUB_PEERS_DIR") or Path.home() / ".cache" / "hubbub" / "peers")
SITE_JSON = PEERS / "wordpress" / "site.json"
SCRIPT = ROOT / "scripts" / "peers-wordpress.sh"


@dataclass(frozen=True)
class WpUser:
    id: int
    login: str
    password: str  # an Application Password


@dataclass(frozen=True)
class WordPressSite:
    url: str
    users: dict[str, WpUser]

    def api(self, route: str) -> str:
        return f"{self.url}/wp-json{route}"

    def as_user(self, who: str) -> httpx.Auth:
        user = self.users[who]
        return httpx.BasicAuth(user.login, user.password)

    def get(self, route: str, who: str = "admin", **params: Any) -> Any:
        answer = httpx.get(self.api(route), params=params, auth=self.as_user(who), timeout=30)
        assert answer.status_code == 200, f"GET {route}: {answer.status_code} {answer.text}"
        return answer.json()

    def post(self, route: str, body: dict[str, Any], who: str) -> Any:
        for _ in range(18):
            answer = httpx.post(self.api(route), json=body, auth=self.as_user(who), timeout=30)
            # WordPress refuses a second comment by the same person within 15 seconds (an
            # earlier test run's comment counts too): wait as a person would.
            if answer.status_code != 400 or answer.json().get("code") != "comment_flood":
                break
            time.sleep(1)
        assert answer.status_code in (200, 201), f"POST {route}: {answer.status_code} {answer.text}"
        return answer.json()


def _load() -> WordPressSite | None:
    try:
        data = json.loads(SITE_JSON.read_text())
    except (OSError, ValueError):
        return None
    site = WordPressSite(
        url=str(data["url"]).rstrip("/"),
        users={
            k: WpUser(int(v["id"]), v["login"], v["password"]) for k, v in data["users"].items()
        },
    )
    try:
        answer = httpx.get(site.api("/wp/v2/users/me"), auth=site.as_user("admin"), timeout=5)
    except httpx.HTTPError:
        return None
    return site if answer.status_code == 200 and "editor" in site.users else None


@pytest.fixture(scope="session", name="wordpress_site")
def wordpress_site_fixture() -> WordPressSite:
    site = _load()
    if site is not None:
        return site
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, check=False)
    site = _load()
    if site is None:
        where = "CI" if os.environ.get("CI") == "true" else "this machine"
        pytest.fail(
            f"The WordPress test site cannot start on {where}: {SCRIPT.name} exited with "
            f"{done.returncode}:\n{done.stdout[-1500:]}{done.stderr[-1500:]}\n"
            f"Run ./scripts/peers-wordpress.sh (as root, or with sudo) to see why.",
            pytrace=False,
        )
    return site
