"""The `hubbub` command, run as a person runs it: a separate process on a fresh data folder.

These use the embedded SQLite database and job queue in a temporary folder whatever the
suite's own DATABASE_URL, so each test starts from nothing and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "https://hubbub.test"
ADMIN_PASSWORD = "an owner's long passphrase 2026"


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUBBUB_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        HUBBUB_DATA_DIR=str(data_dir),
        HUBBUB_BASE_URL=BASE_URL,
        DJANGO_SETTINGS_MODULE="hubbub.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def hubbub(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubbub.cli", *args],
        env=cli_env(data_dir, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def query(data_dir: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "hubbub.sqlite3") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated")
    result = hubbub(path, "migrate")
    assert result.returncode == 0, result.stderr
    assert "Applying accounts.0001_initial... OK" in result.stdout
    return path


@pytest.fixture
def migrated(migrated_template: Path, data_dir: Path) -> Path:
    """A data folder where `hubbub migrate` has run (migrated once, copied for each test)."""
    for item in migrated_template.iterdir():
        if item.is_file():
            shutil.copy2(item, data_dir / item.name)
    return data_dir


def test_without_arguments_it_prints_its_commands(data_dir):
    result = hubbub(data_dir)
    assert result.returncode == 0
    for command in ("hubbub serve", "hubbub worker", "hubbub createadmin", "hubbub demo"):
        assert command in result.stdout


def test_createadmin_prints_a_one_time_link_once(migrated):
    first = hubbub(migrated, "createadmin", "--if-none")
    assert first.returncode == 0, first.stderr
    match = re.search(rf"{re.escape(BASE_URL)}/accounts/sign-in/([A-Za-z0-9_-]+)/", first.stdout)
    assert match, first.stdout
    assert "Owner account: admin@localhost" in first.stdout
    digest = hashlib.sha256(match.group(1).encode()).hexdigest()
    rows = query(
        migrated,
        "SELECT u.email, u.is_superuser, l.used_at FROM accounts_signinlink l "
        "JOIN accounts_user u ON u.id = l.user_id WHERE l.token_hash = ?",
        digest,
    )
    assert rows == [("admin@localhost", 1, None)]
    assert match.group(1) not in str(query(migrated, "SELECT * FROM accounts_signinlink"))

    second = hubbub(migrated, "createadmin", "--if-none")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == ""
    assert query(migrated, "SELECT count(*) FROM accounts_signinlink") == [(1,)]
    assert query(migrated, "SELECT count(*) FROM accounts_user") == [(1,)]


def test_createadmin_with_an_email_and_password_makes_a_usable_account(migrated):
    result = hubbub(
        migrated,
        "createadmin",
        "--if-none",
        HUBBUB_ADMIN_EMAIL="Owner@Example.com",
        HUBBUB_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert f"Owner account owner@example.com is ready: sign in at {BASE_URL}/." in result.stdout
    assert "sign-in/" not in result.stdout
    signed_in = hubbub(
        migrated,
        "shell",
        "-c",
        "from django.contrib.auth import authenticate; "
        f"u = authenticate(username='owner@example.com', password={ADMIN_PASSWORD!r}); "
        "print('AUTH', u.email, u.is_superuser, u.is_staff)",
    )
    assert signed_in.returncode == 0, signed_in.stderr
    assert "AUTH owner@example.com True True" in signed_in.stdout


def test_createadmin_refuses_a_weak_password(migrated):
    result = hubbub(
        migrated,
        "createadmin",
        HUBBUB_ADMIN_EMAIL="owner@example.com",
        HUBBUB_ADMIN_PASSWORD="password",
    )
    assert result.returncode == 1
    assert "HUBBUB_ADMIN_PASSWORD / --password is too weak: " in result.stderr
    assert "too common" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(migrated, "SELECT count(*) FROM accounts_user") == [(0,)]


def test_createadmin_refuses_an_address_that_is_not_one(migrated):
    result = hubbub(migrated, "createadmin", "--email", "not an address")
    assert result.returncode == 1
    assert "'not an address' is not an e-mail address" in result.stderr
    assert query(migrated, "SELECT count(*) FROM accounts_user") == [(0,)]


def test_check_before_migrate_says_to_migrate(data_dir):
    result = hubbub(data_dir, "check")
    assert result.returncode == 1
    assert re.search(
        r"\[FAIL\] Database: sqlite3: reachable, \d+ migration\(s\) not applied", result.stdout
    ), result.stdout
    assert "       fix: Run `hubbub migrate`." in result.stdout
    assert "Everything Hubbub needs is in place." not in result.stdout


def test_check_after_migrate_is_all_good(migrated):
    result = hubbub(migrated, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok  ] Database: sqlite3: reachable and up to date" in result.stdout
    assert "[ok  ] Job queue: embedded" in result.stdout
    assert "[FAIL]" not in result.stdout
    assert result.stdout.rstrip().endswith("Everything Hubbub needs is in place.")


def test_check_reports_an_unreachable_redis_with_a_fix(migrated):
    result = hubbub(migrated, "check", HUBBUB_REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    failed = [i for i, line in enumerate(lines) if line.startswith("[FAIL] Job queue: ")]
    assert len(failed) == 1, result.stdout
    assert "Redis at HUBBUB_REDIS_URL is not reachable" in lines[failed[0]]
    assert lines[failed[0] + 1] == (
        "       fix: Start Redis, or correct HUBBUB_REDIS_URL (redis://host:6379/0)."
    )
    assert "Everything Hubbub needs is in place." not in result.stdout


def counts(data_dir: Path) -> dict[str, object]:
    one = {
        table: query(data_dir, f"SELECT count(*) FROM {table}")[0][0]
        for table in (
            "core_workspace",
            "core_membership",
            "networks_channel",
            "accounts_user",
            "core_invitation",
            "core_apitoken",
            "publishing_post",
            "publishing_delivery",
        )
    }
    one["languages"] = sorted(
        str(row[0]) for row in query(data_dir, "SELECT language FROM core_workspace")
    )
    return one


def test_demo_is_idempotent_and_bilingual(migrated):
    assert hubbub(migrated, "createadmin", "--if-none").returncode == 0
    first = hubbub(migrated, "demo")
    assert first.returncode == 0, first.stderr
    assert "Demo ready, owned by admin@localhost" in first.stdout
    after_first = counts(migrated)
    assert after_first["core_workspace"] == 2
    assert after_first["languages"] == ["en", "fr"]
    assert after_first["networks_channel"] == 4
    assert int(str(after_first["publishing_post"])) > 20  # the calendar of both brands
    second = hubbub(migrated, "demo")
    assert second.returncode == 0, second.stderr
    assert counts(migrated) == after_first
    rows = query(migrated, "SELECT language, time_zone FROM core_workspace")
    time_zones = {str(language): str(zone) for language, zone in rows}
    assert time_zones == {"en": "America/New_York", "fr": "Europe/Paris"}


def test_demo_without_an_account_says_what_to_do(migrated):
    result = hubbub(migrated, "demo")
    assert result.returncode == 1
    assert "No account yet: run `hubbub createadmin` first." in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields follow it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_serve_runs_web_and_worker_and_stops_both_on_ctrl_c(migrated):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hubbub.cli", "serve", "--port", str(port)],
        env=cli_env(migrated, HUBBUB_BASE_URL=f"http://127.0.0.1:{port}"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, "the web server did not answer /healthz within 60 s"
        assert '"status": "ok"' in body
        status, page = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200
        assert 'name="username"' in page and 'name="password"' in page

        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline and not workers:
            workers = children_of(process.pid)
            time.sleep(0.2)
        assert len(workers) == 1, "serve starts exactly one worker process"
        cmdline = (Path("/proc") / str(workers[0]) / "cmdline").read_bytes().split(b"\0")
        assert b"worker" in cmdline

        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, stderr
    assert f"Hubbub is running on http://127.0.0.1:{port}/ (worker: started" in stdout
    assert stdout.rstrip().endswith("Stopped.")
    assert not is_running(workers[0]), "the worker outlived serve"


def test_serve_on_a_busy_port_says_so_and_leaves_no_worker_behind(migrated):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "hubbub.cli", "serve", "--port", str(port)],
            env=cli_env(migrated),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            # A worker left behind would hold the pipes open: communicate() would time out.
            stdout, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port} (Address already in use)" in stderr
    assert "choose another with --port" in stderr
    assert "Traceback" not in stderr
    assert "Hubbub is running" not in stdout


def test_the_console_script_is_installed(data_dir):
    script = Path(sys.executable).parent / "hubbub"
    result = subprocess.run(
        [str(script), "check"],
        env=cli_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "[ok  ] Data folder:" in result.stdout, result.stderr
