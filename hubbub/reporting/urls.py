"""The report pages, named "reporting:<name>"; they live under the Results section."""

from __future__ import annotations

from django.urls import path

from hubbub.reporting import views

app_name = "reporting"

R = "w/<slug:slug>/measure/"

urlpatterns = [
    path(R + "report.pdf", views.report_pdf, name="pdf"),
    path(R + "schedules/", views.schedule_list, name="schedules"),
    path(R + "schedules/<int:schedule_id>/", views.schedule_edit, name="schedule_edit"),
    path(R + "schedules/<int:schedule_id>/delete/", views.schedule_delete, name="schedule_delete"),
    path(R + "schedules/<int:schedule_id>/pause/", views.schedule_pause, name="schedule_pause"),
    path(R + "schedules/<int:schedule_id>/test/", views.schedule_test, name="schedule_test"),
]
