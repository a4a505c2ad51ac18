"""The French translation stays complete, correct and compiled.

The catalogue (hubbub/locale/fr/LC_MESSAGES/django.po) is refreshed and compiled by
scripts/translations; the compiled django.mo is committed, so a machine without gettext
still serves French. These tests fail when a string has no translation, is marked fuzzy,
loses or invents a placeholder, or when the .po was edited without compiling the .mo.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

import hubbub
from hubbub.accounts.models import User
from hubbub.core.access import Access
from hubbub.core.actions.members import invite_member
from hubbub.core.models import Workspace
from tests.conftest import signed_in

LC_MESSAGES = Path(hubbub.__file__).parent / "locale" / "fr" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
FIX = "run scripts/translations, translate the new entries in django.po, then run it again"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; 0 alone
    flags: set[str] = field(default_factory=set)
    line: int = 0

    def __str__(self) -> str:
        return f"django.po line {self.line}: {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def parse_po(text: str) -> list[Entry]:
    """A small .po reader: enough for what makemessages writes (no obsolete entries kept)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # the field that continuation lines extend

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue  # obsolete: not served, so not checked
        elif line.startswith("#,"):
            if target is not None:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if target is not None:
                finish()
        elif match := _KEYWORD.match(line):
            keyword, index, value = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            if not entry.line:
                entry.line = number
            value = _unescape(value)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(entry, keyword, value)
        elif (match := _CONTINUATION.match(line)) and target is not None:
            value = _unescape(match.group(1))
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], (getattr(entry, target[0]) or "") + value)
        else:
            raise ValueError(f"django.po line {number} is not understood: {raw!r}")
    finish()
    return entries


def messages() -> list[Entry]:
    return [e for e in parse_po(PO.read_text(encoding="utf-8")) if e.msgid]  # not the header


# %(name)s / %(n)d, bare %s / %d, and {{ name }} (a template variable outside blocktranslate)
_NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
_BARE = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]")
_TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.|:\"']+?)\s*\}\}")


def placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter(f"%({n})" for n in _NAMED.findall(text))
    found.update(f"%{m[-1]}" for m in _BARE.findall(_NAMED.sub("", text.replace("%%", ""))))
    found.update("{{ " + name + " }}" for name in _TEMPLATE_VAR.findall(text))
    return found


def test_the_parser_reads_plural_multiline_and_fuzzy_entries() -> None:
    text = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"one %(n)s "\n"line"\nmsgid_plural "%(n)s lines"\n'
        'msgstr[0] "une ligne \\"%(n)s\\""\nmsgstr[1] ""\n"%(n)s lignes"\n\n'
        'msgctxt "verb"\nmsgid "Post"\nmsgstr "Publier"\n'
    )
    header, plural, with_context = parse_po(text)
    assert header.msgid == "" and header.msgstr == {0: "Language: fr\n"}
    assert plural.msgid == "one %(n)s line" and plural.msgid_plural == "%(n)s lines"
    assert plural.msgstr == {0: 'une ligne "%(n)s"', 1: "%(n)s lignes"}
    assert plural.flags == {"fuzzy", "python-format"}
    assert (with_context.msgctxt, with_context.msgid, with_context.msgstr) == (
        "verb",
        "Post",
        {0: "Publier"},
    )


def test_placeholders_are_counted_by_name_and_kind() -> None:
    assert placeholders("%(n)s of %(total)d · %s%% and %d, {{ who }}") == Counter(
        {"%(n)": 1, "%(total)": 1, "%s": 1, "%d": 1, "{{ who }}": 1}
    )


def test_the_catalogue_is_french_with_french_plurals() -> None:
    header = parse_po(PO.read_text(encoding="utf-8"))[0].msgstr[0]
    assert "Language: fr\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n > 1);\n" in header
    assert "charset=UTF-8" in header


def test_every_entry_is_translated() -> None:
    untranslated = [
        str(e) for e in messages() if not e.msgstr or not all(s.strip() for s in e.msgstr.values())
    ]
    assert not untranslated, f"{len(untranslated)} entries have no translation ({FIX}):\n" + (
        "\n".join(untranslated)
    )


def test_no_entry_is_fuzzy() -> None:
    fuzzy = [str(e) for e in messages() if "fuzzy" in e.flags]
    assert not fuzzy, (
        "These translations are marked fuzzy (guessed by msgmerge): check each one and "
        "remove its '#, fuzzy' line:\n" + "\n".join(fuzzy)
    )


def test_plural_entries_have_both_french_forms() -> None:
    wrong = [str(e) for e in messages() if e.msgid_plural and sorted(e.msgstr) != [0, 1]]
    assert not wrong, "French needs msgstr[0] and msgstr[1]:\n" + "\n".join(wrong)


def test_placeholders_match_between_english_and_french() -> None:
    wrong = []
    for e in messages():
        for index, text in e.msgstr.items():
            english = e.msgid_plural if e.msgid_plural and index > 0 else e.msgid
            expected, got = placeholders(english), placeholders(text)
            # A French singular (n = 0 or 1) may write "un" instead of the number: at most one
            # named placeholder may be missing there, and none may be invented.
            missing = set(expected) - set(got)
            if e.msgid_plural and index == 0 and set(got) <= set(expected) and len(missing) <= 1:
                continue
            if expected != got:
                wrong.append(f"{e} msgstr[{index}]: expected {dict(expected)}, found {dict(got)}")
    assert not wrong, "Placeholders differ (keep them exactly as in msgid):\n" + "\n".join(wrong)


def test_french_typography_is_consistent() -> None:
    # One rule everywhere: a no-break space before : ; ! ? » and after «, never a plain one.
    plain = re.compile(r" [:;!?»]|« ")
    wrong = [f"{e}: {s!r}" for e in messages() for s in e.msgstr.values() if plain.search(s)]
    assert not wrong, "Use a no-break space (U+00A0) here:\n" + "\n".join(wrong)


def test_the_compiled_catalogue_matches_the_po() -> None:
    assert MO.exists(), f"{MO} is missing: {FIX}"
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in messages():
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural:
            got = [compiled.ngettext(key, e.msgid_plural, n) for n in (1, 2)]
            if got != [e.msgstr.get(0), e.msgstr.get(1)]:
                stale.append(str(e))
        elif compiled.gettext(key) != e.msgstr.get(0):
            stale.append(str(e))
    assert not stale, (
        f"django.mo is older than django.po for {len(stale)} entries: run scripts/translations "
        "(it compiles the .mo) and commit both files:\n" + "\n".join(stale[:20])
    )


@pytest.fixture
def french_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "fr"
    return client


@pytest.mark.django_db
def test_the_sign_in_page_is_in_french(french_client: Client) -> None:
    response = french_client.get("/accounts/login/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "Se connecter à Hubbub" in page
    assert ">Se connecter</button>" in page
    assert "Mot de passe oublié\u00a0?" in page
    assert "Sign in" not in page


def test_a_member_who_chose_french_sees_the_members_page_in_french(
    alice: User, acme: Workspace
) -> None:
    User.objects.filter(pk=alice.pk).update(language="fr")
    response = signed_in(alice).get(f"/w/{acme.slug}/members/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "<h1>Membres</h1>" in page
    assert "Inviter quelqu\u2019un" in page
    assert "Propriétaire" in page and "Rédacteur" in page
    assert "Se déconnecter" in page
    assert "Invite someone" not in page


def test_a_french_workspace_shows_its_pages_in_french(alice: User, acme: Workspace) -> None:
    # alice chose no language herself: her workspace's language applies
    Workspace.objects.filter(pk=acme.pk).update(language="fr")
    User.objects.filter(pk=alice.pk).update(last_workspace=acme)
    page = signed_in(alice).get(f"/w/{acme.slug}/").content.decode()
    assert '<html lang="fr">' in page
    assert "Premiers pas" in page
    assert "votre rôle\u00a0: Propriétaire" in page


def test_the_invitation_e_mail_is_in_the_workspace_language(
    alice: User, acme: Workspace, django_capture_on_commit_callbacks: object
) -> None:
    Workspace.objects.filter(pk=acme.pk).update(language="fr")
    acme.refresh_from_db()
    access = Access(user=alice, workspace=acme, role="owner")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        invite_member(access, "dana@example.com", "editor")
    (message,) = mail.outbox
    assert message.subject == "Invitation à rejoindre Acme sur Hubbub"
    assert (
        "Alice Martin vous invite à rejoindre Acme sur Hubbub en tant que Rédacteur."
        in message.body
    )
    assert "Acceptez l\u2019invitation\u00a0:" in message.body
    assert "(Europe/Paris)" in message.body


def test_the_password_reset_e_mail_is_in_the_language_of_the_workspace(
    alice: User, acme: Workspace
) -> None:
    # asked from an English browser: the e-mail still follows the person's workspace
    Workspace.objects.filter(pk=acme.pk).update(language="fr")
    User.objects.filter(pk=alice.pk).update(last_workspace=acme)
    response = Client().post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Réinitialisez votre mot de passe Hubbub"
    assert "Quelqu\u2019un a demandé à réinitialiser le mot de passe" in message.body
    assert "/accounts/password/reset/" in message.body


def test_the_password_reset_e_mail_follows_the_person_s_own_choice(
    alice: User, acme: Workspace, french_client: Client
) -> None:
    User.objects.filter(pk=alice.pk).update(language="en", last_workspace=acme)
    Workspace.objects.filter(pk=acme.pk).update(language="fr")
    french_client.post("/accounts/password/reset/", {"email": alice.email})
    (message,) = mail.outbox
    assert message.subject == "Reset your Hubbub password"
