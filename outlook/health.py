"""The health check a load balancer polls: the app server answers, nothing more."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def health(request):
    """ "ok" as plain text: no database, no session, no template.

    A load balancer in front of several app servers asks it to know which answer; the
    benchmark (benchmarks/serve.py) compares every page with it, as the cheapest thing a
    Django view served by the same gunicorn can do.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
