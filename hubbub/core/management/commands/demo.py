from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from hubbub.accounts.models import User
from hubbub.core.demo import BRANDS, DEMO_PASSWORD, create_demo


class Command(BaseCommand):
    help = "Create demo workspaces for a fictional brand, in English and French (safe to rerun)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--owner",
            default="",
            help="e-mail of the account that owns the demo (default: the first owner account)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["owner"]:
            owner = User.objects.filter(email=options["owner"].strip().lower()).first()
            if owner is None:
                raise CommandError(
                    f"No account {options['owner']!r}: create it with `hubbub createadmin`."
                )
        else:
            owner = (
                User.objects.filter(is_superuser=True).order_by("pk").first()
                or User.objects.order_by("pk").first()
            )
            if owner is None:
                raise CommandError("No account yet: run `hubbub createadmin` first.")
        workspaces = create_demo(owner)
        self.stdout.write(self.style.SUCCESS(f"Demo ready, owned by {owner.email}:"))
        for workspace in workspaces:
            self.stdout.write(
                f"  {workspace.name}: "
                f"{settings.BASE_URL}{reverse('web:workspace', args=[workspace.slug])}"
            )
        people = sorted({email for brand in BRANDS for email, _n, _r in brand.team})
        self.stdout.write(
            f"Demo team members ({', '.join(people)}) sign in with the password {DEMO_PASSWORD!r}, "
            "to try each role."
        )
