"""`hubbub createadmin`: the first owner account.

With HUBBUB_ADMIN_EMAIL and HUBBUB_ADMIN_PASSWORD (or --email/--password) the account gets
that password; with only an e-mail it gets a one-time sign-in link instead, printed here.
`--if-none` does nothing when any account exists, so the start command can run it always.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.urls import reverse

from hubbub.accounts.models import SignInLink, User
from hubbub.core.audit import record


class Command(BaseCommand):
    help = "Create the first owner account (prints a one-time sign-in link without a password)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default=os.environ.get("HUBBUB_ADMIN_EMAIL", ""))
        parser.add_argument("--password", default=os.environ.get("HUBBUB_ADMIN_PASSWORD", ""))
        parser.add_argument(
            "--if-none", action="store_true", help="do nothing when an account already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_none"] and User.objects.exists():
            return
        email = (options["email"] or "admin@localhost").strip().lower()
        try:
            if email != "admin@localhost":
                validate_email(email)
        except ValidationError:
            raise CommandError(
                f"HUBBUB_ADMIN_EMAIL / --email {email!r} is not an e-mail address."
            ) from None
        password = options["password"]
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, is_staff=True, is_superuser=True)
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise CommandError(
                    "HUBBUB_ADMIN_PASSWORD / --password is too weak: " + " ".join(exc.messages)
                ) from None
            user.set_password(password)
            user.save()
            self.stdout.write(f"Owner account {email} is ready: sign in at {settings.BASE_URL}/.")
            return
        if not user.pk:
            user.set_unusable_password()
            user.save()
        raw = SignInLink.issue(user)
        record("account.sign_in_link", workspace=None, actor=None, via="cli", obj=user, label=email)
        link = settings.BASE_URL + reverse("accounts:sign_in_link", args=[raw])
        self.stdout.write(
            f"\nOwner account: {email}\nOne-time sign-in link (valid 24 hours):\n\n    {link}\n\n"
            "Open it, then choose a password on your profile page.\n"
        )
