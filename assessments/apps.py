"""The domain app: regions, countries, the risk framework, outlooks and their entries."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Outlooks and assessments"

    def ready(self):
        # The receivers that bump the publication generation when a shown name changes,
        # and the checks of the site's own settings (manage.py check).
        from . import caching, system_checks  # noqa: F401
