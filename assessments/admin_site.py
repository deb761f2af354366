"""The admin's site: Django's, which asks superusers for their second factor as the
editor does (assessments.two_factor) before any of its pages opens."""

from functools import wraps

from django.contrib import admin

from . import two_factor


class OutlookAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # Unverified, a superuser may not use the admin (admin_view sends them on first).
        return super().has_permission(request) and two_factor.detour(request) is None

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return two_factor.detour(request) or inner(request, *args, **kwargs)

        return wrapper

    def login(self, request, extra_context=None):
        # Signed in with the password alone: on to the code step, not the admin's form again.
        if request.method == "GET" and (detour := two_factor.detour(request)):
            return detour
        return super().login(request, extra_context)
