from django.apps import AppConfig


class MeasureConfig(AppConfig):
    name = "hubbub.measure"
    label = "measure"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Measure"

    def ready(self) -> None:
        from hubbub.measure import tasks  # noqa: F401  (registers the collection round)
