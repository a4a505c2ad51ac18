"""E-mail without an SMTP server: each message is saved in the data folder and logged.

Used on the embedded default so that invitations and password resets still reach a person
who has not configured SMTP yet (the log line says where the file is).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage

log = logging.getLogger("hubbub.mail")


class LoggingFileBackend(EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        for message in email_messages:
            log.info(
                "No SMTP server configured (HUBBUB_EMAIL_HOST): e-mail to %s, %r, saved in %s",
                ", ".join(message.to),
                message.subject,
                self.file_path,
            )
        return sent
