# Spend read from Meta's Ads Insights API: the link from a campaign to an ad account and its
# ad campaigns, and what makes a synced spend row unique (so a re-sync updates it).
# The models it points at (core.Workspace, networks.Channel, publishing.Campaign) exist by
# 0002's dependencies, which is why only 0002 is named here.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("measure", "0002_campaign_money")]

    operations = [
        migrations.AddField(
            model_name="spendentry",
            name="external_id",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AlterField(
            model_name="spendentry",
            name="source",
            field=models.CharField(
                choices=[
                    ("manual", "Entered by hand"),
                    ("csv", "Imported from CSV"),
                    ("meta_ads", "Facebook/Instagram Ads"),
                ],
                default="manual",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="spendentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=("campaign", "source", "external_id"),
                name="spend_once_per_source_row",
            ),
        ),
        migrations.CreateModel(
            name="AdSpendLink",
            fields=[
                (
                    "campaign",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="ads",
                        serialize=False,
                        to="publishing.campaign",
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
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="networks.channel",
                    ),
                ),
                ("ad_account_id", models.CharField(max_length=40)),
                ("ad_account_name", models.CharField(blank=True, max_length=200)),
                ("ad_campaigns", models.JSONField(default=list)),
                ("result_action", models.CharField(default="link_click", max_length=100)),
                ("last_synced_at", models.DateTimeField(blank=True, null=True)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
