"""Django system checks of the site's own settings (`manage.py check`, and `--deploy`)."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

# RFC 4151's authorityName: a DNS name, or an email address.
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
DNS_NAME = rf"{LABEL}(?:\.{LABEL})*"
TAG_AUTHORITY_RE = re.compile(rf"(?:[A-Za-z0-9._-]+@)?{DNS_NAME}")


@register()
def tag_authority_is_a_name(app_configs, **kwargs):
    authority = settings.OUTLOOK_TAG_AUTHORITY
    if authority and not TAG_AUTHORITY_RE.fullmatch(authority):
        return [
            Error(
                f"TAG_AUTHORITY {authority!r} is neither a domain name nor an email address.",
                hint="The publisher's domain name, such as example.org, without a scheme.",
                id="outlook.E001",
            )
        ]
    return []


@register(deploy=True)
def tag_authority_is_set(app_configs, **kwargs):
    if settings.OUTLOOK_TAG_AUTHORITY:
        return []
    return [
        Warning(
            "TAG_AUTHORITY is not set: the feeds' entry ids are made from SITE_URL's host, "
            "and would all change if the site moved.",
            hint="Set TAG_AUTHORITY to a domain name the publisher holds, once and for good.",
            id="outlook.W001",
        )
    ]


# Hosts that only ever mean the machine itself: never the address readers are given.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@register(deploy=True)
def site_url_is_public(app_configs, **kwargs):
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return [
            Error(
                f"SITE_URL is {settings.SITE_URL!r}, the development address: the PDFs' "
                "covers, the citations, the feeds and the emails would give it to readers.",
                hint="Set SITE_URL to the site's public address, such as https://example.org.",
                id="outlook.E002",
            )
        ]
    return []


@register(deploy=True)
def two_factor_is_required(app_configs, **kwargs):
    if settings.OUTLOOK_REQUIRE_TWO_FACTOR:
        return []
    return [
        Warning(
            "REQUIRE_TWO_FACTOR is off: editors and superusers may sign in with a password alone.",
            hint="Leave REQUIRE_TWO_FACTOR unset (or 1) in production.",
            id="outlook.W002",
        )
    ]


@register(deploy=True)
def site_url_is_https(app_configs, **kwargs):
    if urlsplit(settings.SITE_URL).scheme == "https":
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}, not HTTPS: mail providers ignore a one-click "
            "unsubscribe address (List-Unsubscribe, RFC 8058) that is not HTTPS, and the "
            "subscribers' links would travel in clear.",
            hint="Serve the site over HTTPS and set SITE_URL to its https:// address.",
            id="outlook.W003",
        )
    ]
