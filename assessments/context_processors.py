"""What every template may ask: the signed-in user's permissions (assessments.permissions)."""

from .permissions import Permissions


def permissions(request):
    return {"permissions": Permissions(request.user)}
