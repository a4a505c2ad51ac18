from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "hubbub.publishing"
    label = "publishing"

    def ready(self) -> None:
        from hubbub.publishing import tasks  # noqa: F401  (registers the sweep with Huey)
