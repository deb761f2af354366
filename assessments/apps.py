"""The domain app: regions, countries, the risk framework, outlooks and their entries."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Outlooks and assessments"
