"""Public pages cached and revalidated: a published page costs about what a static file costs.

What the public reads changes only when something is published or corrected, or when an
administrator edits a name or a colour the pages show. Each of these bumps one counter,
the publication generation (PublicationGeneration): publication inside its transaction
(a derived.STEPS step), the edits by the signal receivers below. Every public request
reads the generation once (one query), and:

- a rendered page is kept in Django's cache under a key made of the generation, the
  address and the query string, so a page is never served from before a change, and a
  publication is seen at once by every app server (each reads the generation from the
  shared database);
- its ETag is a hash of the body, computed once when the page is stored, and its
  Last-Modified the generation's time: a conditional GET is answered 304 from the cache
  (or from the generation alone, for If-Modified-Since) without rendering;
- its gzip and brotli bodies are made once, when it is stored;
- it says how long browsers and shared caches may keep it (settings PUBLIC_PAGE_*),
  with `Vary: Accept-Encoding` and never `Vary: Cookie`.

Only anonymous readers get these pages: a request with a session or a pending message
(a cookie) is someone's own, and gets the page rendered for them, `private, no-cache`.
The views opt in with `public_page` (assessments.public_urls); PublicPageMiddleware, above
SessionMiddleware, does the rest, so that a hit touches neither session nor user.
"""

import gzip
import hashlib
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache, wraps
from typing import NamedTuple

import brotli
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from .models import (
    Addressee,
    Country,
    PublicationGeneration,
    Region,
    RiskLevel,
    RiskStatus,
    Source,
)

GENERATION_ID = 1
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

# A page's mode, set by public_page: kept whole in the cache, or (a stream, such as the
# CSV) only validated against the generation.
STORED, VALIDATED = "stored", "validated"

# What the stored page keeps of the view's headers: not what this module sets itself,
# nor anything about the reader (cookies, Vary: Cookie).
NOT_STORED_HEADERS = {
    "cache-control",
    "content-encoding",
    "content-length",
    "etag",
    "expires",
    "last-modified",
    "set-cookie",
    "vary",
}
# Bodies shorter than this are sent as they are: compressing them saves nothing.
MIN_COMPRESSED_LENGTH = 200


class Generation(NamedTuple):
    value: int
    changed_at: datetime

    @property
    def key(self):
        # With the time: a database restored to an earlier counter never meets pages
        # cached under the same number.
        return f"{self.value}.{self.changed_at.timestamp():.6f}"

    @property
    def last_modified(self):
        return int(self.changed_at.timestamp())


def current_generation():
    """The publication generation and its time, in one query.

    In SQL: on a cache hit this query is most of the work, and the ORM's compiling of it
    cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL, [GENERATION_ID])
        row = cursor.fetchone()
    if row is None:
        return Generation(0, NEVER)
    value, changed_at = row
    if isinstance(changed_at, str):  # SQLite
        changed_at = parse_datetime(changed_at)
    if timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, UTC)
    return Generation(value, changed_at)


GENERATION_TABLE = connection.ops.quote_name(PublicationGeneration._meta.db_table)
GENERATION_SQL = f"SELECT value, changed_at FROM {GENERATION_TABLE} WHERE id = %s"


def kept_until_published(name, compute):
    """`compute()`, kept in the default cache under `name` until the next change of the
    publication generation: for what public pages read of the record that costs more to
    compute than to fetch (the tracker's choice lists). One query: the generation's."""
    key = f"{name}:{current_generation().key}"
    cache = caches["default"]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return value


def bump_generation():
    """Mark every public page as changed, in the caller's transaction."""
    with transaction.atomic():
        row = PublicationGeneration.objects.select_for_update().filter(pk=GENERATION_ID).first()
        now = timezone.now()
        if row is None:
            PublicationGeneration.objects.get_or_create(
                pk=GENERATION_ID, defaults={"value": 1, "changed_at": now}
            )
            return
        row.value += 1
        # At least a second later than the last change: Last-Modified counts whole
        # seconds, and a reader who saw the page of the same second must not be told
        # that it is unchanged.
        row.changed_at = max(now, row.changed_at + timedelta(seconds=1))
        row.save(update_fields=["value", "changed_at"])


def record_published(outlook, revisions):
    """The derived.STEPS step: a publication or correction changes public pages."""
    bump_generation()


# What public pages show outside the published revisions themselves: a risk level's
# colour and name, a status, a region's or a country's names, an addressee's, a source's.
SHOWN_MODELS = (RiskLevel, RiskStatus, Region, Country, Addressee, Source)
# New rows of these show before any publication (the levels' legend and colours).
SHOWN_WHEN_NEW = (RiskLevel, RiskStatus)


@receiver(post_save)
def shown_row_saved(sender, instance, created, raw=False, **kwargs):
    # A new addressee, source, country or region shows only once published (which bumps);
    # not bumping for them keeps the importer's drafts off the generation's row lock.
    if raw or sender not in SHOWN_MODELS or (created and sender not in SHOWN_WHEN_NEW):
        return
    bump_generation()


@receiver(post_delete)
def shown_row_deleted(sender, instance, **kwargs):
    if sender in SHOWN_MODELS:
        bump_generation()


# --- Views' opt-in and the middleware -------------------------------------------------


def public_page(view=None, *, mode=STORED):
    """Mark a public view's responses as cacheable for anonymous readers (PublicPageMiddleware).

    `mode=VALIDATED` for a streamed response: not stored, only given an ETag and
    Last-Modified from the generation and answered 304 when they match."""
    if view is None:
        return lambda view: public_page(view, mode=mode)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.public_page = mode
    return wrapped


def public_cache_control(response):
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_PAGE_MAX_AGE,
        s_maxage=settings.PUBLIC_PAGE_S_MAXAGE,
        stale_while_revalidate=settings.PUBLIC_PAGE_STALE_WHILE_REVALIDATE,
    )


def is_anonymous(request):
    """A reader with no session and no pending message: nothing on the page is theirs."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def page_address(request):
    """What a page's key holds besides the generation: the full address (the feed's
    links are absolute). A host that ALLOWED_HOSTS refuses is a 400 here, before any query."""
    where = "|".join(
        [request.scheme, request.get_host(), request.path, request.META.get("QUERY_STRING", "")]
    )
    return hashlib.sha256(where.encode()).hexdigest()


def page_key(generation, address):
    return f"outlook:page:{generation.key}:{address}"


ACCEPT_ENCODING_RE = re.compile(r"\s*([a-z*]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*", re.IGNORECASE)


def accepted_encodings(request):
    """The content codings the client accepts (q > 0), lower case."""
    accepted = set()
    for part in request.headers.get("Accept-Encoding", "").split(","):
        match = ACCEPT_ENCODING_RE.fullmatch(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if quality > 0:
            accepted.add(match.group(1).lower())
    return accepted


class StoredPage:
    """A public page as kept in the cache: its body in each coding, its ETag, its headers."""

    def __init__(self, response):
        body = response.content
        self.status = response.status_code
        self.headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in NOT_STORED_HEADERS
        ]
        # Weak: the same page in several codings (RFC 9110, 8.8.1).
        self.etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
        self.bodies = {"identity": body}
        if len(body) >= MIN_COMPRESSED_LENGTH:
            for coding, compressed in (
                ("br", brotli.compress(body, quality=settings.PUBLIC_PAGE_BROTLI_QUALITY)),
                ("gzip", gzip.compress(body, compresslevel=6, mtime=0)),
            ):
                if len(compressed) < len(body):
                    self.bodies[coding] = compressed

    def response(self, request, generation):
        accepted = accepted_encodings(request)
        coding = next((c for c in ("br", "gzip") if c in self.bodies and c in accepted), None)
        response = HttpResponse(self.bodies[coding or "identity"], status=self.status)
        for name, value in self.headers:
            response[name] = value
        if coding:
            response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(response.content))
        validated(response, self.etag, generation)
        response["Vary"] = "Accept-Encoding"
        return response


def validated(response, etag, generation):
    response["ETag"] = etag
    validated_headers(response, generation)


def validated_headers(response, generation):
    response["Last-Modified"] = http_date(generation.last_modified)
    public_cache_control(response)


class PublicPageMiddleware:
    """Serve the pages of `public_page` views to anonymous readers from the cache,
    answering conditional GETs with 304; place it above SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache = caches[settings.PUBLIC_PAGE_CACHE]

    def __call__(self, request):
        mode = self.mode(request)
        if mode is None:
            return self.get_response(request)
        if not is_anonymous(request):
            response = self.get_response(request)
            # Someone's own page (an editor's name in the menu): never kept by others.
            patch_cache_control(response, private=True, no_cache=True)
            return response
        address = page_address(request)
        generation = current_generation()
        key = page_key(generation, address)
        if unmodified_since(request, generation):
            # Only for a page known to exist under this generation (its ETag is kept):
            # an address that answers 404 has no copy for the reader to keep using.
            etag = self.cache.get(f"{key}:etag")
            if etag:
                return self.not_modified(generation, etag)
        if mode == VALIDATED:
            return self.validated(request, generation, key)
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            # The ETag alone is kept apart from the page: a revalidation reads a few bytes.
            etag = self.cache.get(f"{key}:etag")
            if etag and etag_matches(if_none_match, etag):
                return self.not_modified(generation, etag)
        page = self.cache.get(key)
        if page is None:
            response = self.get_response(request)
            if not self.storable(request, response):
                return self.not_stored(response)
            page = StoredPage(response)
            timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
            self.cache.set_many({key: page, f"{key}:etag": page.etag}, timeout)
        if (if_none_match and etag_matches(if_none_match, page.etag)) or unmodified_since(
            request, generation
        ):
            return self.not_modified(generation, page.etag)
        return page.response(request, generation)

    def mode(self, request):
        if request.method not in ("GET", "HEAD"):
            return None
        return page_mode(get_urlconf() or settings.ROOT_URLCONF, request.path_info)

    def storable(self, request, response):
        session = getattr(request, "session", None)
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not (session is not None and session.modified)
        )

    def not_stored(self, response):
        if response.status_code == 404:
            # Not kept here; elsewhere briefly: it may be published soon.
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_NOT_FOUND_MAX_AGE)
        elif response.status_code == 200:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    def validated(self, request, generation, key):
        etag = f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match and etag_matches(if_none_match, etag):
            return self.not_modified(generation, etag)
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies:
            if unmodified_since(request, generation):
                return self.not_modified(generation, etag)
            validated(response, etag, generation)
            return response
        return self.not_stored(response)

    def not_modified(self, generation, etag):
        response = HttpResponseNotModified()
        if etag:
            response["ETag"] = etag
        validated_headers(response, generation)
        response["Vary"] = "Accept-Encoding"
        return response


@lru_cache(maxsize=4096)
def page_mode(urlconf, path):
    """The `public_page` mode of the view at `path`, or None. Kept per address: matching
    it against every pattern cost a 304 a sixth of its time."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return getattr(match.func, "public_page", None)


def unmodified_since(request, generation):
    """If-Modified-Since, without If-None-Match (which takes precedence), not before the
    generation's time: nothing public has changed since the reader's copy."""
    if "HTTP_IF_NONE_MATCH" in request.META:
        return False
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and generation.last_modified <= since


def etag_matches(if_none_match, etag):
    """If-None-Match's weak comparison (RFC 9110, 13.1.2) with our ETag."""
    if if_none_match.strip() == "*":
        return True
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}


def behind_a_secret_link(response):
    """A response to an address that is itself a secret (an embargoed preview, a
    subscriber's link): never kept by a cache, never indexed, and the address never sent
    on as a referrer by a link on the page."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    return response
