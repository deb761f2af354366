"""The domain app: regions, countries, the risk framework, outlooks and their entries."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AssessmentsConfig(AppConfig):
    # The app's own configuration; the admin's below is named in INSTALLED_APPS.
    default = True
    name = "assessments"
    verbose_name = "Outlooks and assessments"

    def ready(self):
        # The receivers that bump the publication generation when a shown name changes,
        # and the checks of the site's own settings (manage.py check).
        from . import caching, system_checks  # noqa: F401


class OutlookAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that asks superusers for their second factor."""

    default = False
    default_site = "assessments.admin_site.OutlookAdminSite"
