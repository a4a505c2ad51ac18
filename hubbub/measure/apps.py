from django.apps import AppConfig


class MeasureConfig(AppConfig):
    name = "hubbub.measure"
    label = "measure"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Measure"

    def ready(self) -> None:
        from hubbub.measure import latest, tasks  # noqa: F401  (connects the latest counts'
        # receiver, registers the collection round)
