"""People who sign in. E-mail is the identity; there is no separate user name."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager["User"]):
    def _create_user(  # type: ignore[override]
        self, email: str, password: str | None, **extra: Any
    ) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("Empty: the workspace's language.")
    )
    last_workspace = models.ForeignKey(
        "core.Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[EmailUserManager] = EmailUserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class SignInLink(models.Model):
    """A one-time sign-in link (first owner, forgotten set-up). Only the hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link for {self.user_id}"

    @classmethod
    def issue(cls, user: User, valid_for: timedelta = timedelta(hours=24)) -> str:
        raw = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user, token_hash=_digest(raw), expires_at=timezone.now() + valid_for
        )
        return raw

    @classmethod
    def redeem(cls, raw: str) -> User | None:
        """Mark the link used and return its user; None when unknown, used or expired."""
        now = timezone.now()
        updated = cls.objects.filter(
            token_hash=_digest(raw), used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if updated != 1:  # a second click, or another tab, got there first
            return None
        return cls.objects.select_related("user").get(token_hash=_digest(raw)).user
