from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0004_inbox_replies"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                fields=["workspace", "status", "published_at", "channel"],
                name="delivery_published",
            ),
        ),
    ]
