"""View counts (点击): one statement per reading, in the narrow NoticeViews table.

A reading of a published notice adds one to its count and returns the new count, atomically
(an upsert: concurrent readings of one notice each add one, and a notice's first reading
makes its row); a draft or an unknown id is not counted and gets None. On PostgreSQL the
statement's transaction commits without waiting for the write-ahead log to reach the disk
(``synchronous_commit`` off for it alone, in the same round trip): a crash of the database
server could lose the last fraction of a second of view counts, never anything else.

The count goes to the primary database; with a replica, the page's content and its archive
generation are read from the replica (``documents.caching``).
"""

from django.db import connections, router

from .models import MAX_BIGINT, Notice, NoticeViews

READING = (
    "INSERT INTO documents_noticeviews (notice_id, count)"
    " SELECT id, 1 FROM documents_notice WHERE id = %s AND status = %s"
    " ON CONFLICT (notice_id) DO UPDATE SET count = documents_noticeviews.count + 1"
    " RETURNING count"
)


def record_reading(pk: int) -> int | None:
    """Count one reading of a published notice: its view count now, or None if no published
    notice has this id."""
    if not 0 < pk <= MAX_BIGINT:  # /notices/99999999999999999999/: no such id, anywhere
        return None
    connection = connections[router.db_for_write(NoticeViews)]
    prefix = "SET LOCAL synchronous_commit = off; " if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(prefix + READING, [pk, Notice.Status.PUBLISHED])
        row = cursor.fetchone()
    return row[0] if row else None


def view_count(pk: int) -> int | None:
    """A published notice's view count, uncounted (a HEAD); None if no published notice has
    this id."""
    if not 0 < pk <= MAX_BIGINT:
        return None
    published = Notice.objects.published().filter(pk=pk).with_view_counts()
    return published.values_list("view_count", flat=True).first()
