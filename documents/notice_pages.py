"""Notice pages kept whole until something they show changes, for readers not logged in.

Most readings are of a notice page nobody asked for recently. Kept per archive generation, as
the other pages are, every write to the archive made every notice page a first one again. So
a notice page is kept under a version of its own (``NoticeViews.page_version``, which a reading
gets with its count, in its one statement), and a write draws new versions for the notices it
changes and for those whose pages show them (``caching.expire_notice_pages``): the notices
that cite them and that they cite (a title, a link, 被引用), the notices whose validity they
changed, the notices of a renamed category or issuing body.

What a notice page shows of the rest of the archive is kept apart, per archive generation, and
put in at each reading with the view count: the category menu with its counts, and the
related notices (``related_section``: the newest that share a category, kept per category). So is
the site's address (``KEPT.site``): one kept page serves every address the site answers to.
"""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import router
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import caching
from .conditional import CSRF_INPUT
from .context_processors import category_menu
from .models import Notice, NoticeViews
from .templating import chrome

RELATED_COUNT = 6
TIMEOUT = 30 * 24 * 3600  # a page stays until its notice changes; a month bounds the leftovers


@dataclass(frozen=True)
class StandIns:
    """What a kept page holds in place of what differs per reading: private-use characters,
    which no notice text contains (public pages hold nothing of the reader, not even a CSRF
    token: see policyhub/urls.py)."""

    views: str = "\ue000views\ue000"
    site: str = "\ue000site\ue000"
    menu: str = "\ue000menu\ue000"
    related: str = "\ue000related\ue000"


KEPT = StandIns()  # in a page's context as ``kept_page`` while the page is rendered to be kept


def page(request, notice_pk: int, reading, render) -> bytes | None:
    """The notice's page for this reading (``readings.Reading``): kept, or made by
    ``render()`` (its bytes with the stand-ins, and the notice's category ids) and kept. None
    for a page that may not be kept (it holds a CSRF token), or not yet (a replica that has
    not seen the notice's version): the caller renders it."""
    version = reading.page_version
    content_db = router.db_for_read(Notice)
    if content_db != router.db_for_write(NoticeViews):
        # With a replica, the version as the replica has it, where the page's content is
        # read: a lagging replica's old text is never kept under a newer version.
        versions = NoticeViews.objects.using(content_db).filter(notice_id=notice_pk)
        version = versions.values_list("page_version", flat=True).first()
        if version is None:
            return None
    kept = cache.get(caching.notice_page_key(notice_pk, version, get_language()))
    if kept is None:
        kept = keep(notice_pk, version, render)
        if kept is None:
            return None
    content, category_ids = kept
    site = request.build_absolute_uri("/").removesuffix("/")
    return (
        content.replace(KEPT.views.encode(), str(reading.count).encode(), 1)
        .replace(KEPT.site.encode(), site.encode())
        .replace(KEPT.menu.encode(), menu(request).encode(), 1)
        .replace(KEPT.related.encode(), related_section(request, notice_pk, category_ids).encode())
    )


def keep(notice_pk: int, page_version: int, render):
    """Render the notice's page in the current language and keep it (None: it holds a form's
    CSRF token, which must never be one reader's for all, and is not kept)."""
    kept = render()
    if CSRF_INPUT in kept[0]:
        return None
    cache.set(caching.notice_page_key(notice_pk, page_version, get_language()), kept, TIMEOUT)
    return kept


def menu(request) -> str:
    """The category menu as a notice page shows it (no current category)."""
    return chrome.category_menu({"request": request, **category_menu(request)})


def related_section(request, notice_pk: int, category_ids) -> str:
    """The 相关文件 of a notice in these categories: the newest published notices that share
    one, itself left out. Made from each category's newest, rendered once per archive
    generation, language and category (the newest of a union are among its parts' newest),
    so that a first reading of a notice seldom reads them."""
    rows = {}
    for category_pk in category_ids:
        rows.update(category_rows(request, category_pk))
    rows.pop(notice_pk, None)
    newest = sorted(rows.values(), reverse=True)[:RELATED_COUNT]
    # (Marked safe: rendered by the template engine, which escaped them.)
    shown = [mark_safe(html) for _, html in newest]  # noqa: S308
    if not shown:
        return ""
    section = render_to_string("documents/includes/related.html", {"rows": shown}, request)
    return mark_safe(section)  # noqa: S308


def category_rows(request, category_pk: int) -> dict[int, tuple[tuple, str]]:
    """{id: (age, list row)} of a category's newest published notices, as many as a notice's
    related notices could need (itself left out); the greatest ``age`` is the newest, as
    ``newest_first`` orders them (a notice without a date last)."""

    def rows():
        in_category = Notice.objects.published().in_category(category_pk)
        newest = in_category.with_list_data().newest_first()[: RELATED_COUNT + 1]
        return {
            notice.pk: (
                (notice.issued_date or date.min, notice.pk),
                render_to_string("includes/notice_row.html", {"notice": notice}),
            )
            for notice in newest
        }

    return caching.until_changed(request, "related", rows, get_language(), category_pk)
