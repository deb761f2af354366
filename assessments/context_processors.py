"""What every template may ask: the signed-in user's permissions (assessments.permissions)."""

from django.contrib.auth.models import AnonymousUser

from .permissions import Permissions


def permissions(request):
    # A request refused before the authentication middleware ran (a 400 for a host not
    # in ALLOWED_HOSTS) has no user, and its error page must still render.
    return {"permissions": Permissions(getattr(request, "user", None) or AnonymousUser())}
