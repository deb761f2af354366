"""What every template may ask: the signed-in user's permissions (assessments.permissions),
whether the site holds demo data (assessments.demo), and who publishes under which
licences (settings)."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from .models import Region
from .permissions import Permissions


def permissions(request):
    # A request refused before the authentication middleware ran (a 400 for a host not
    # in ALLOWED_HOSTS) has no user, and its error page must still render.
    return {"permissions": Permissions(getattr(request, "user", None) or AnonymousUser())}


def demo(request):
    # Asked when a page is rendered (a cached page keeps its banner: the generation
    # changes when a demo edition is published or removed). A request refused before the
    # middleware ran (a host not in ALLOWED_HOSTS) gets its 400 page without a query.
    if getattr(request, "user", None) is None:
        return {"has_demo_data": False}
    return {"has_demo_data": SimpleLazyObject(lambda: Region.objects.filter(is_demo=True).exists())}


def publisher(request):
    # Settings only: no query, so an error page (a 400 before the middleware ran) has it too.
    return {
        "publisher": settings.OUTLOOK_PUBLISHER,
        "text_licence": settings.OUTLOOK_TEXT_LICENCE,
        "data_licence": settings.OUTLOOK_DATA_LICENCE,
    }
