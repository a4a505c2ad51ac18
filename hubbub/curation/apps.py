from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "hubbub.curation"
    label = "curation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hubbub.curation import tasks  # noqa: F401  (registers feed polling)
