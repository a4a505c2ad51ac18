"""The demo's brand and scheduled report: a drawn logo, coffee colours, and a Monday report
to the manager and the client, so the PDF and the schedules page look real."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from hubbub.core.access import Access
from hubbub.core.actions.brand import update_brand
from hubbub.core.models import Brand, Membership
from hubbub.core.roles import Role
from hubbub.reporting import schedules
from hubbub.reporting.models import ReportSchedule

PRIMARY = "#7c2d12"  # roasted coffee
ACCENT = "#d97706"


def logo(name: str) -> io.BytesIO:
    """A round mark and the brand's first word, drawn here (no file shipped for a demo)."""
    image = Image.new("RGBA", (480, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 150, 150), fill=PRIMARY)
    draw.ellipse((50, 50, 110, 110), fill=ACCENT)
    font = ImageFont.load_default(size=72)
    draw.text((170, 40), name.split()[0], fill=PRIMARY, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


def fill_reports(access: Access) -> None:
    """Idempotent: a brand already set or a schedule already there is left as it is."""
    workspace = access.workspace
    if not Brand.objects.filter(workspace=workspace).exists():
        update_brand(
            access, primary_colour=PRIMARY, accent_colour=ACCENT, logo=logo(workspace.name)
        )
    if ReportSchedule.objects.filter(workspace=workspace).exists():
        return
    readers = Membership.objects.filter(
        workspace=workspace, role__in=(Role.MANAGER, Role.CLIENT_VIEWER)
    ).values_list("user_id", flat=True)
    schedules.save_schedule(
        access,
        schedules.ScheduleInput(
            name="Résultats du lundi" if workspace.language == "fr" else "Monday results",
            frequency="weekly",
            weekday=0,
            hour=8,
            member_ids=tuple(readers),
        ),
    )
