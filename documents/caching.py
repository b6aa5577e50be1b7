"""What is cached, under which key, and when it expires.

Every key holds the archive generation (``ArchiveGeneration``: every write to the archive
advances it), so a change expires everything cached before it, in every server process, with
no list of keys to delete: the process that made the change sees the new number at once, the
others within ``ArchiveGeneration.TRUST_SECONDS``. The cache itself is shared by the server
processes (settings.CACHES: files on one machine, or Redis), so what one made the others serve.

What is cached, each until the archive changes:

- ``page``: whole public pages, per address and language, for readers not logged in
  (``documents.conditional``); ``notice-page``: a notice page's bytes (``views``);
- ``home``: home's figures; ``category-menu``: the menu with its counts; ``menu-html``: its
  markup, per language and current category (``templating/chrome.py``);
- ``notice-counts``: each category's and issuing body's published notices;
- ``filter-options``: the filter form's category and issuer options, per language;
- ``count``: the total of a list, per query.
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import get_language

from .models import ArchiveGeneration

TIMEOUT = 3600


def generation(request) -> int:
    """The archive generation, read once per request however many cached parts ask for it."""
    return ArchiveGeneration.of_request(request)


def key(request, kind: str, *parts) -> str:
    """The key of ``kind`` (and ``parts``) in the current archive generation."""
    return ":".join(map(str, (kind, generation(request), *parts)))


def until_changed(request, kind: str, compute, *parts, timeout=TIMEOUT):
    """``compute()``, computed once per archive generation (for ``kind`` and ``parts``)."""
    return cache.get_or_set(key(request, kind, *parts), compute, timeout)


def page_key(request, kind="page", *, per_language=True) -> str:
    """The key of a whole page: its address (pages hold absolute URLs, so one copy per site
    address as well as per path) and, unless ``per_language`` is false, the language."""
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return key(request, kind, get_language() if per_language else "", url)


def notice_counts(request, model) -> dict[int, int]:
    """``model.notice_counts()`` (Category or IssuingBody) for every page and API list that
    shows them (the menu, home's busiest bodies, /api/categories/, /api/issuers/): grouped
    counts over every published notice, about 50 ms at 100,000 notices."""
    return until_changed(request, "notice-counts", model.objects.notice_counts, model.__name__)


def clear_after_migrate(**kwargs) -> None:
    """Empty the cache when the database is migrated: a database made anew (a fresh SQLite
    file, a dropped and created PostgreSQL database) counts its generations from zero again,
    and a deployment's new code may render its pages otherwise."""
    cache.clear()
