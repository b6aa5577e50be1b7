"""Conditional GET for the public pages: an ETag that changes whenever the page could.

A page's content depends on the archive (every write advances ArchiveGeneration), the reader's
language, who is logged in and the URL with its query string (public pages hold no CSRF token:
see policyhub/urls.py). A reader coming back to a page that none of these changed for gets a
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
        request.get_full_path(),
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


archive_condition = condition(etag_func=archive_etag)


def cached_by_generation(view, timeout=24 * 3600):
    """Cache a whole response per URL until the archive changes, for pages that depend on the
    archive alone (no reader, no language): the sitemaps, whose pages list 5,000
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
