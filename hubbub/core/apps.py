from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hubbub.core"
    label = "core"
