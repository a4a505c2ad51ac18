from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hubbub.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from hubbub.webhooks import receivers, tasks  # noqa: F401  (connects signals, registers jobs)

        receivers.connect()
