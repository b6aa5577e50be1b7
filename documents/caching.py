"""What is cached, under which key, and when it expires.

Every key holds the archive generation (``ArchiveGeneration``: every write to the archive
advances it), so a change expires everything cached before it, in every server process, with
no list of keys to delete: the process that made the change sees the new number at once, the
others within ``ArchiveGeneration.TRUST_SECONDS``. The cache itself is shared by the server
processes (settings.CACHES: files on one machine, or Redis), so what one made the others serve.

What is cached, each until the archive changes:

- ``page``: whole public pages, per address and language, for readers not logged in
  (``documents.conditional``);
- ``related``: a category's newest notices as a notice page's related notices show them, per
  language (``notice_pages``);
- ``home``: home's figures; ``category-menu``: the menu with its counts; ``menu-html``: its
  markup, per language and current category (``templating/chrome.py``);
- ``notice-counts``: each category's and issuing body's published notices;
- ``filter-options``: the filter form's category and issuer options, per language;
- ``list-ids``: the ids of a whole list in its order, per query, or ``count``: the total of
  a longer list (``pagination``).

Two keys hold no generation: ``notice-page``, a notice page kept until something it shows
changes, under the notice's own page version (``notice_pages``); and ``list-longer``, a list
found too long to read whole, remembered for a day (``pagination``: a list remembered so
wrongly is paged the slower way, never wrongly).
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Q
from django.utils.translation import get_language

from .models import (
    ArchiveGeneration,
    Category,
    IssuingBody,
    Notice,
    NoticeViews,
    Reference,
    ValidityProposal,
)
from .models.views import new_page_version

TIMEOUT = 3600


def ordered_by_readings(request) -> bool:
    """Whether the page lists notices by view count (``?sort=views``): its order changes with
    every reading, which leaves the archive generation as it was, so no key may hold it."""
    return request.GET.get("sort") == "views"


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


def notice_page_key(notice_pk: int, page_version: int, language: str) -> str:
    """The key of a notice's kept page: its notice, its version, its language, and the release
    that rendered it."""
    return f"notice-page:{release()}:{notice_pk}:{page_version}:{language}"


@functools.cache
def release() -> str:
    """A digest of what renders the pages: the app's code, templates and translations, the
    settings, the pinned libraries, and the static files' names (which the pages link). A
    deployment that changes any of them makes the pages kept before it unused, with or without
    a migration (a few ms, once a process: the warm-up).
    """
    base = settings.BASE_DIR
    sources = [*(base / "documents").rglob("*"), *(base / "locale").rglob("*")]
    files = [path for path in sources if path.suffix in {".py", ".html", ".mo"}]
    files += [*(base / "policyhub").glob("*.py"), base / "requirements.txt"]  # settings, libraries
    files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    digest = hashlib.sha256()
    for path in sorted(files):
        if path.is_file():
            name = path.relative_to(base) if path.is_relative_to(base) else path.name
            digest.update(str(name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


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


EXPIRE = (
    "INSERT INTO documents_noticeviews (notice_id, count, page_version)"
    " SELECT id, 0, %s FROM documents_notice WHERE id IN ({})"
    " ON CONFLICT (notice_id) DO UPDATE SET page_version = EXCLUDED.page_version"
)


def expire_notice_pages(notices, *, neighbours: bool = True) -> None:
    """New page versions for these notices (a queryset) and, with ``neighbours``, for those
    whose pages show them: called in the transaction of the write, before and after it
    changes references (so the notices that showed them and those that will are both
    expired). The archive generation advances too: a write expires what it keys."""
    ids = notices.order_by().values_list("pk")
    if neighbours:  # (a union: an OR of these read the whole notice table, 69 ms at 100,000)
        references, proposals = Reference.objects.order_by(), ValidityProposal.objects.order_by()
        ids = ids.union(
            references.filter(cited__in=ids).values_list("citing"),
            references.filter(citing__in=ids, cited__isnull=False).values_list("cited"),
            proposals.filter(by__in=ids).values_list("notice"),
            proposals.filter(notice__in=ids).values_list("by"),
        )
    sql, params = ids.query.sql_with_params()
    # The generation first, as every write takes it: one order of locks, no deadlock.
    ArchiveGeneration.advance()
    connection = connections[router.db_for_write(NoticeViews)]
    with connection.cursor() as cursor:
        cursor.execute(EXPIRE.format(sql), [new_page_version(), *params])


def notice_deleting(sender, instance, **kwargs) -> None:
    """Signal receiver (pre_delete): the pages that show a notice about to go."""
    expire_notice_pages(Notice.objects.filter(pk=instance.pk))


def names_changed(sender, instance, **kwargs) -> None:
    """Signal receiver (post_save, pre_delete of a category or issuing body): the pages of its
    notices, which show its name and link."""
    if isinstance(instance, Category):
        members = Notice.objects.filter(categories=instance)
    elif isinstance(instance, IssuingBody):
        members = Notice.objects.filter(Q(lead_issuer=instance) | Q(co_issuer_links__body=instance))
    else:
        return
    expire_notice_pages(members, neighbours=False)
