"""View counts (点击): one statement per reading, in the narrow NoticeViews table.

A reading of a published notice adds one to its count and returns the new count with the
version of the notice's page (``documents.notice_pages``), atomically
(an upsert: concurrent readings of one notice each add one, and a notice's first reading
makes its row); a draft or an unknown id is not counted and gets None. On PostgreSQL the
statement's transaction commits without waiting for the write-ahead log to reach the disk
(``synchronous_commit`` off for it alone, in the same round trip): a crash of the database
server could lose the last fraction of a second of view counts, never anything else.

The count goes to the primary database; with a replica, the page's content and its archive
generation are read from the replica (``documents.caching``).
"""

from typing import NamedTuple

from django.db import connections, router

from .models import MAX_BIGINT, Notice, NoticeViews
from .models.views import new_page_version

READING = (
    "INSERT INTO documents_noticeviews (notice_id, count, page_version)"
    " SELECT id, 1, %s FROM documents_notice WHERE id = %s AND status = %s"
    " ON CONFLICT (notice_id) DO UPDATE SET count = documents_noticeviews.count + 1"
    " RETURNING count, page_version"
)


class Reading(NamedTuple):
    count: int  # the view count, this reading included
    page_version: int | None  # the version of the notice's page; None: none was ever kept


def record_reading(pk: int) -> Reading | None:
    """Count one reading of a published notice: its view count now and its page's version, or
    None if no published notice has this id."""
    if not 0 < pk <= MAX_BIGINT:  # /notices/99999999999999999999/: no such id, anywhere
        return None
    connection = connections[router.db_for_write(NoticeViews)]
    prefix = "SET LOCAL synchronous_commit = off; " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(prefix + READING, [new_page_version(), pk, Notice.Status.PUBLISHED])
        row = cursor.fetchone()
    return Reading(*row) if row else None


def view_count(pk: int) -> Reading | None:
    """A published notice's view count and page version, uncounted (a HEAD); None if no
    published notice has this id."""
    if not 0 < pk <= MAX_BIGINT:
        return None
    published = Notice.objects.published().filter(pk=pk).with_view_counts()
    row = published.values_list("view_count", "views__page_version").first()
    return Reading(*row) if row else None
