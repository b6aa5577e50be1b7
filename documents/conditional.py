"""Conditional GET for the public pages: an ETag that changes whenever the page could.

A page's content depends on the archive (every write advances ArchiveGeneration), the reader's
language, who is logged in and the URL with its query string (public pages hold no CSRF token:
see policyhub/urls.py). A reader coming back to a page that none of these changed for gets a
304 and no body: no queries beyond the generation, no rendering, nothing sent.
"""

import hashlib
from functools import lru_cache, wraps

from django.core.cache import cache
from django.utils.translation import get_language
from django.views.decorators.http import condition

from .caching import generation, ordered_by_readings, page_key


def archive_etag(request, *args, **kwargs) -> str | None:
    if ordered_by_readings(request):
        return None
    user = request.user.pk if request.user.is_authenticated else ""
    parts = (
        generation(request),
        get_language(),
        user,
        request.get_full_path(),
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


archive_condition = condition(etag_func=archive_etag)

# A form's CSRF token in a page: such a page is never cached for every reader.
CSRF_INPUT = b'name="csrfmiddlewaretoken"'


def cached_by_generation(view, timeout=24 * 3600):
    """Cache a whole response per URL until the archive changes, for pages that depend on the
    archive alone (no reader, no language): the sitemaps, whose pages list 5,000
    notices each and whose index reads the whole archive for its dates."""
    return _cached(view, timeout, per_language=False)


def cached_for_anonymous_readers(parameters=frozenset, timeout=3600):
    """Cache a public page whole per URL and language until the archive changes, for readers
    who are not logged in (public pages hold nothing else of the reader: no CSRF token, see
    policyhub/urls.py), when its query string holds only the names ``parameters()`` gives (asked
    at the first request, when the app is ready): an address with any
    other (``?utm_source=…``) is rendered, not stored, so that made-up addresses cannot push
    the archive's pages out of the cache. Not a search (``q``: each search runs, and is
    measured as it runs) nor the list by view counts, which change without a new generation."""
    known = lru_cache(maxsize=1)(lambda: frozenset(parameters()))

    def decorator(view):
        cached = _cached(view, timeout, per_language=True)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            shared = (
                request.method in ("GET", "HEAD")
                and not request.user.is_authenticated
                and known().issuperset(request.GET)
                and not request.GET.get("q")
                and not ordered_by_readings(request)
            )
            return (cached if shared else view)(request, *args, **kwargs)

        return wrapper

    return decorator


def _cached(view, timeout, *, per_language):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request, per_language=per_language)
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # a TemplateResponse is cached rendered
            if (
                response.status_code == 200
                and not response.streaming
                and CSRF_INPUT not in response.content
            ):
                cache.set(key, response, timeout)  # (never one reader's CSRF token for all)
        return response

    return wrapper
