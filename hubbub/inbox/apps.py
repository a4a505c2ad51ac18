from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "hubbub.inbox"
    label = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hubbub.inbox import (
            receivers,  # noqa: F401  (replies learn their network id when published)
            tasks,  # noqa: F401  (registers polling, targets and digests)
        )
