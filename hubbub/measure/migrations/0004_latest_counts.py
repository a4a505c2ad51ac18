"""Each post's latest reading, copied (hubbub.measure.latest), filled from the readings."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    from hubbub.measure.latest import refresh_with

    refresh_with(
        None,
        apps.get_model("publishing", "Delivery"),
        apps.get_model("measure", "PostSnapshot"),
        apps.get_model("measure", "LatestCounts"),
    )


class Migration(migrations.Migration):
    dependencies = [("measure", "0003_ad_sources")]

    operations = [
        migrations.CreateModel(
            name="LatestCounts",
            fields=[
                (
                    "delivery",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="latest_counts",
                        serialize=False,
                        to="publishing.delivery",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.workspace",
                    ),
                ),
                (
                    "channel",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="networks.channel",
                    ),
                ),
                ("published_at", models.DateTimeField()),
                ("taken_at", models.DateTimeField()),
                ("snapshot_id", models.BigIntegerField()),
                ("likes", models.BigIntegerField(null=True)),
                ("shares", models.BigIntegerField(null=True)),
                ("comments", models.BigIntegerField(null=True)),
                ("impressions", models.BigIntegerField(null=True)),
                ("reach", models.BigIntegerField(null=True)),
                ("views", models.BigIntegerField(null=True)),
                ("clicks", models.BigIntegerField(null=True)),
                ("saves", models.BigIntegerField(null=True)),
                ("engagements", models.BigIntegerField(default=0)),
                ("week_taken_at", models.DateTimeField(null=True)),
                ("week_engagements", models.BigIntegerField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["taken_at"], name="latest_by_time"),
                    models.Index(fields=["workspace", "engagements"], name="latest_by_engagements"),
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
