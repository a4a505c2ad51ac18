from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "hubbub.publishing"
    label = "publishing"

    def ready(self) -> None:
        from hubbub.publishing import (
            recurrence,  # noqa: F401  (the daily series extension)
            tasks,  # noqa: F401  (registers the sweep with Huey)
        )
