from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "hubbub.networks.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"
