from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "hubbub.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hubbub.notify import tasks  # noqa: F401  (registers sending with Huey)
