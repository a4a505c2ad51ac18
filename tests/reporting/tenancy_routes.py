"""Reports' pages and API operations for tests/test_tenancy.py: the permission each one
needs, one of each object they reach (in Acme), and what a refused request must leave as
it was."""

from __future__ import annotations

from typing import Any

from hubbub.accounts.models import User
from hubbub.core.models import Brand, Workspace
from hubbub.reporting.models import ReportSchedule

REPORT = {"GET": "measure.report", "POST": "measure.report"}

WEB: dict[str, dict[str, str]] = {
    "reporting:pdf": {"GET": "measure.view"},
    "reporting:schedules": REPORT,
    "reporting:schedule_edit": REPORT,
    "reporting:schedule_delete": {"POST": "measure.report"},
    "reporting:schedule_pause": {"POST": "measure.report"},
    "reporting:schedule_test": {"POST": "measure.report"},
    "web:brand": {"POST": "workspace.edit"},
    "web:brand_logo": {"GET": "workspace.view"},
}

W = "api/workspaces/{slug}"
API: dict[tuple[str, str], str] = {
    ("GET", f"{W}/measure/report.pdf"): "measure.view",
    ("GET", f"{W}/report-schedules"): "measure.report",
    ("POST", f"{W}/report-schedules"): "measure.report",
    ("PUT", f"{W}/report-schedules/{{schedule_id}}"): "measure.report",
    ("DELETE", f"{W}/report-schedules/{{schedule_id}}"): "measure.report",
    ("GET", f"{W}/brand"): "workspace.view",
    ("PUT", f"{W}/brand"): "workspace.edit",
    ("POST", f"{W}/brand/logo"): "workspace.edit",
}
BODY: dict[str, Any] = {
    "frequency": "weekly",
    "addresses": ["someone@example.com"],  # the API takes a list; a form, its one line
    "primary_colour": "#000000",
}


def objects(acme: Workspace, alice: User) -> dict[str, int]:
    schedule = ReportSchedule.objects.create(
        workspace=acme,
        name="Acme weekly",
        frequency="weekly",
        language="en",
        addresses="client@acme.example",
    )
    return {"schedule_id": schedule.pk}


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {
        "schedules": sorted(
            ReportSchedule.objects.values_list("pk", "name", "hour", "active", "addresses")
        ),
        "brands": sorted(Brand.objects.values_list("pk", "primary_colour", "logo")),
    }
