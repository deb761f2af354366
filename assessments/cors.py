"""Any web page may read the open data (CORS): the JSON of each edition, the CSV, the
index and the rest of /data/.

Every response at those addresses says `Access-Control-Allow-Origin: *`, whether the
request came with an Origin or not: the data is the same for every reader, so a shared
cache (a CDN) may give any copy to anyone, and needs no `Vary: Origin` that would keep
one copy per site asking. Without credentials: a cross-origin request reads what an
anonymous reader reads, and a browser sends it no cookie. A preflight (a script that
sends If-None-Match, say) is answered here, before anything else runs.
"""

import re

from django.http import HttpResponse

OPEN_DATA_PATHS = re.compile(r"^/(?:data/|outlooks/[^/]+\.json$)")
# Read by scripts that revalidate or save the file (the others are safelisted).
EXPOSED_HEADERS = "ETag, Content-Disposition"
PREFLIGHT_SECONDS = 24 * 3600


class OpenDataCorsMiddleware:
    """Allow cross-origin reading of the open data's addresses (OPEN_DATA_PATHS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not OPEN_DATA_PATHS.match(request.path_info):
            return self.get_response(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
        else:
            response = self.get_response(request)
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response["Access-Control-Allow-Origin"] = "*"
        return response
