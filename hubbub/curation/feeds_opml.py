"""Subscriptions in and out as OPML, the format every feed reader (Feedly, Inoreader…)
exports and imports: folders are topics. An import adds each feed it can (a private or
non-web address is said, with its number) and leaves reading them to the worker."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from django.utils import timezone
from django.utils.translation import gettext as _

from hubbub.core import http
from hubbub.core.access import Access, ActionError
from hubbub.core.audit import record
from hubbub.core.models import Workspace
from hubbub.curation.models import Feed

MAX_OPML_BYTES = 2 * 1024 * 1024
MAX_OPML_FEEDS = 1000


def export_opml(workspace: Workspace) -> bytes:
    """Subscriptions as OPML 2.0, one outline per topic holding its feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{workspace.name} — Hubbub"
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in Feed.objects.filter(workspace=workspace).order_by("topic", "title", "id"):
        parent = body
        if feed.topic:
            if feed.topic not in folders:
                folders[feed.topic] = ET.SubElement(
                    body, "outline", text=feed.topic, title=feed.topic
                )
            parent = folders[feed.topic]
        attributes = {"type": "rss", "text": str(feed), "title": str(feed), "xmlUrl": feed.url}
        if feed.site_url:
            attributes["htmlUrl"] = feed.site_url
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)


def _outlines(element: ET.Element, topic: str) -> Iterator[tuple[ET.Element, str]]:
    for child in element:
        if child.tag != "outline":
            continue
        if child.get("xmlUrl"):
            yield child, topic
        else:  # a folder: its feeds take its name as their topic
            yield from _outlines(child, child.get("text") or child.get("title") or topic)


def import_opml(access: Access, content: bytes, now: datetime | None = None) -> ImportResult:
    """Subscribe to every feed of an OPML file; each bad one is said, the rest are added.

    Feeds are not read here (a file may hold hundreds): the worker reads them in the next
    minutes. An uploaded file is read with defusedxml: no entity expansion, no external
    entity fetched, whatever the expat version underneath."""
    access.require("curation.edit")
    at = now or timezone.now()
    if len(content) > MAX_OPML_BYTES:
        raise ActionError(
            _("This OPML file is larger than %(mb)d MB.") % {"mb": MAX_OPML_BYTES // 1024 // 1024},
            field="file",
        )
    try:
        root = SafeET.fromstring(content)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise ActionError(
            _("This is not an OPML file (%(reason)s).") % {"reason": exc}, field="file"
        ) from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ActionError(_("This is not an OPML file: it has no <opml><body>."), field="file")
    result = ImportResult()
    existing = set(Feed.objects.filter(workspace=access.workspace).values_list("url", flat=True))
    for number, (outline, topic) in enumerate(_outlines(body, ""), start=1):
        if number > MAX_OPML_FEEDS:
            result.problems.append(
                _("Only the first %(n)d feeds were imported.") % {"n": MAX_OPML_FEEDS}
            )
            break
        url = (outline.get("xmlUrl") or "").strip()
        name = (outline.get("title") or outline.get("text") or "").strip()
        if url in existing:
            result.already += 1
            continue
        try:
            if len(url) > 2000:
                raise ActionError(_("the address is too long."))
            http.check_url(url)
        except (http.OutboundError, ActionError) as exc:
            result.problems.append(
                _("Feed %(n)d (%(name)s): %(reason)s")
                % {"n": number, "name": name or url[:100], "reason": exc.message}
            )
            continue
        Feed.objects.create(
            workspace=access.workspace,
            url=url,
            site_url=(outline.get("htmlUrl") or "")[:2000]
            if (outline.get("htmlUrl") or "").startswith(("http://", "https://"))
            else "",
            title=name[:300],
            topic=topic[:100],
            created_by=access.user,
            next_read_at=at,
        )
        existing.add(url)
        result.added += 1
    record(
        "feeds.import",
        workspace=access.workspace,
        actor=access.user,
        via=access.via,
        label="OPML",
        after={"added": result.added, "already": result.already, "problems": len(result.problems)},
    )
    return result
