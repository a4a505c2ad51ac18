from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "hubbub.networks"
    label = "networks"

    def ready(self) -> None:
        from hubbub.networks import tasks  # noqa: F401  (registers periodic jobs with Huey)
