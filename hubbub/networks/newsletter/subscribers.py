"""A newsletter's list: add, remove, import and export subscribers; unsubscribe by link.

Consent: Hubbub mails only the addresses a workspace puts on the list, and never puts back
someone who left: an address that unsubscribed or bounced stays so, whether it comes again
in a CSV file, the API or the page (only a person can subscribe again, which Hubbub does
not offer yet). docs/networks/newsletter.md says what the laws ask of the sender.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.networks.models import Channel
from hubbub.networks.newsletter import tokens
from hubbub.networks.newsletter.models import Source, Subscriber, SubscriberStatus

NETWORK = "newsletter"
MAX_FILE_BYTES = 20 * 1024 * 1024
BATCH = 1000  # rows an INSERT: 10,000 rows in ten statements
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail", "courriel"}
NAME_HEADERS = {"name", "full name", "nom", "first name"}
EXPORT_COLUMNS = ("email", "name", "status", "source", "created_at", "unsubscribed_at", "bounce")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def newsletter_channel(access: Access, channel_id: int) -> Channel:
    """The workspace's newsletter channel with that id, else 404 (another workspace's
    channels and other networks' channels alike)."""
    channel = Channel.objects.filter(
        pk=channel_id, workspace=access.workspace, network=NETWORK
    ).first()
    if channel is None:
        raise Http404("No such newsletter.")
    return channel


def normalise_email(raw: str) -> str:
    """The address as stored (lowercased); ActionError saying what is wrong with it."""
    email = raw.strip().lower()
    if not email:
        raise ActionError(_("The e-mail address is empty."), field="email")
    if len(email) > 254:  # RFC 5321's limit on a path, and the column's
        raise ActionError(
            _("%(email)s… is longer than an e-mail address can be.") % {"email": email[:40]},
            field="email",
        )
    try:
        local, domain = email.rsplit("@", 1)
        # An internationalised domain is stored as the DNS has it (punycode): SMTP commands
        # are ASCII unless the server offers SMTPUTF8, which not every provider does.
        email = f"{local}@{domain.encode('idna').decode('ascii')}"
        validate_email(email)
    except (ValidationError, ValueError):
        raise ActionError(
            _("%(email)s is not an e-mail address.") % {"email": email[:100]}, field="email"
        ) from None
    return email


def clean_name(raw: str) -> str:
    """One line (it goes into the To header, where a line break would start another), at
    most 200 characters."""
    return " ".join(raw.split())[:200]


def add_subscriber(
    access: Access, channel: Channel, email: str, name: str = "", source: str = Source.WEB
) -> Subscriber:
    access.require("channels.connect")
    address = normalise_email(email)
    existing = Subscriber.objects.filter(channel=channel, email=address).first()
    if existing is not None:
        raise ActionError(_duplicate(existing), field="email")
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(
                channel=channel, email=address, name=clean_name(name), source=source
            )
            record(
                "subscriber.add",
                workspace=access.workspace,
                actor=access.user,
                via=access.via,
                obj=channel,
                after={"email": address, "source": str(source)},
            )
            return subscriber
    except IntegrityError:  # added at the same moment by someone else
        raise ActionError(_("%(email)s is already on the list.") % {"email": address}) from None


def _duplicate(existing: Subscriber) -> str:
    if existing.status == SubscriberStatus.ACTIVE:
        return _("%(email)s is already on the list.") % {"email": existing.email}
    return _(
        "%(email)s is on the list as %(status)s: Hubbub does not subscribe again someone who "
        "left or whose address bounced."
    ) % {"email": existing.email, "status": existing.get_status_display()}


def remove_subscriber(access: Access, channel: Channel, subscriber_id: int) -> Subscriber:
    """Delete the subscriber and what was sent to them (the person's data, gone)."""
    access.require("channels.connect")
    subscriber = Subscriber.objects.filter(channel=channel, pk=subscriber_id).first()
    if subscriber is None:
        raise Http404("No such subscriber.")
    with transaction.atomic():
        subscriber.delete()
        # The person's data is gone: the log keeps that someone was removed, not who.
        record(
            "subscriber.remove",
            workspace=access.workspace,
            actor=access.user,
            via=access.via,
            obj=channel,
            after={"subscriber_id": subscriber_id},
        )
    return subscriber


def unsubscribe(token: str) -> Subscriber | None:
    """The public link's action: the subscriber leaves the list (again: nothing changes)."""
    subscriber_id = tokens.read(token)
    if subscriber_id is None:
        return None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).select_related("channel").first()
    if subscriber is None:
        return None
    if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def subscriber_for_token(token: str) -> Subscriber | None:
    subscriber_id = tokens.read(token)
    if subscriber_id is None:
        return None
    return Subscriber.objects.filter(pk=subscriber_id).select_related("channel").first()


# --- CSV ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    imported: int = 0
    duplicates: int = 0  # already on the list, or twice in the file: skipped
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > MAX_FILE_BYTES:
        raise ActionError(
            _("The file is larger than %(max)s MB: split it.")
            % {"max": MAX_FILE_BYTES // (1024 * 1024)},
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(
            _('The file is not UTF-8 text: save it again as "CSV UTF-8".'), field="file"
        ) from None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    for row in reader:
        yield reader.line_num, row


def _columns(header: list[str]) -> tuple[int, int | None] | None:
    """(email column, name column) when the row is a header, else None."""
    names = [cell.strip().lower() for cell in header]
    email = next((i for i, n in enumerate(names) if n in EMAIL_HEADERS), None)
    if email is None:
        return None
    name = next((i for i, n in enumerate(names) if n in NAME_HEADERS), None)
    return email, name


def import_csv(
    access: Access,
    channel: Channel,
    data: bytes | str,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Columns email and name, with or without a header row (a first row without an @ in
    it is taken for one, and its names say which column is which). Good rows are imported,
    bad ones listed by line with the reason; addresses already there are skipped."""
    access.require("channels.connect")
    result = load_csv(channel, data, progress)
    record(
        "subscribers.import",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        obj=channel,
        after={
            "imported": result.imported,
            "duplicates": result.duplicates,
            "refused": len(result.errors),
        },
    )
    return result


def load_csv(
    channel: Channel, data: bytes | str, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """import_csv without the permission check: for the operator's command line."""
    text = _decode(data)
    result = ImportResult()
    known = set(Subscriber.objects.filter(channel=channel).values_list("email", flat=True))
    pending: list[Subscriber] = []
    email_at, name_at = 0, 1
    first = True
    for line, row in _rows(text):
        if not any(cell.strip() for cell in row):
            continue
        if first:
            first = False
            columns = _columns(row)
            if columns is not None:
                email_at, name_at = columns[0], -1 if columns[1] is None else columns[1]
                continue
            if not any("@" in cell for cell in row):
                raise ActionError(
                    _(
                        "The first line has no e-mail address and no column named email: "
                        "name the columns email and name, or put the address first."
                    ),
                    field="file",
                )
        raw = row[email_at] if email_at < len(row) else ""
        try:
            email = normalise_email(raw)
        except ActionError as exc:
            result.errors.append(RowError(line, exc.message))
            continue
        if email in known:
            result.duplicates += 1
            continue
        known.add(email)
        name = clean_name(row[name_at]) if 0 <= name_at < len(row) else ""
        pending.append(Subscriber(channel=channel, email=email, name=name, source=Source.CSV))
        if len(pending) >= BATCH:
            result.imported += _insert(pending)
            pending = []
            if progress is not None:
                progress(line)
    result.imported += _insert(pending)
    return result


def _insert(subscribers: list[Subscriber]) -> int:
    if not subscribers:
        return 0
    # ignore_conflicts: an address added by someone else during the import is skipped.
    Subscriber.objects.bulk_create(subscribers, ignore_conflicts=True)
    return len(subscribers)


def _guard(value: str) -> str:
    """A cell a spreadsheet would run as a formula is prefixed with ' (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_rows(channel: Channel) -> Iterable[list[str]]:
    yield list(EXPORT_COLUMNS)
    for s in Subscriber.objects.filter(channel=channel).order_by("email").iterator():
        yield [
            _guard(s.email),
            _guard(s.name),
            s.status,
            s.source,
            s.created_at.isoformat(),
            s.unsubscribed_at.isoformat() if s.unsubscribed_at else "",
            _guard(s.bounce_message),
        ]


def export_csv(access: Access, channel: Channel) -> str:
    access.require("channels.connect")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(export_rows(channel))
    return out.getvalue()
