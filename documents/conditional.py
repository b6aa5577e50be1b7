"""Conditional GET for the public pages: an ETag that changes whenever the page could.

A page's content depends on the archive (every write advances ArchiveGeneration), the reader's
language, who is logged in, the URL with its query string, and the CSRF cookie whose token the
language switch carries. A reader coming back to a page that none of these changed for gets a
304 and no body: no queries beyond the generation, no rendering, nothing sent.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.utils.translation import get_language
from django.views.decorators.http import condition

from .models import ArchiveGeneration


def archive_etag(request, *args, **kwargs) -> str | None:
    if request.GET.get("sort") == "views":
        return None  # ordered by view counts, which change without a new generation
    user = request.user.pk if request.user.is_authenticated else ""
    parts = (
        ArchiveGeneration.of_request(request),
        get_language(),
        user,
        # The CSRF secret of the reader's cookie (CsrfViewMiddleware put it in META), or "" for
        # a reader without one. A browser's first visit gets a page whose token belongs to the
        # new cookie, so its second visit has another ETag and its third is a 304; a crawler,
        # which keeps no cookies, gets a 304 from its second visit on.
        request.META.get("CSRF_COOKIE", ""),
        request.get_full_path(),
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


archive_condition = condition(etag_func=archive_etag)


def cached_by_generation(view, timeout=24 * 3600):
    """Cache a whole response per URL until the archive changes, for pages that depend on the
    archive alone (no reader, no language, no CSRF token): the sitemaps, whose pages list 5,000
    notices each and whose index reads the whole archive for its dates."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # Sitemaps hold absolute URLs: one copy per site address as well as per path.
        url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"page:{ArchiveGeneration.of_request(request)}:{url}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse is cached rendered
            if response.status_code == 200:
                cache.set(key, response, timeout)
        return response

    return wrapper
