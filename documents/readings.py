"""View counts, counted in the server process and written to the database in batches.

A reading of a notice this process already knows to be published in the current archive
generation is counted in memory: no round trip to the database, which was the largest cost of
serving a cached notice page. The counts waiting in a process are written in one statement

- by a thread of the process, about ``FLUSH_SECONDS`` after they were counted (started with
  the first reading counted in memory, so in each server process after gunicorn forks);
- at the end of a request, when ``FLUSH_READINGS`` readings wait;
- when the process exits (a gunicorn worker's restart or shutdown, its timeout's SIGABRT if
  handled before the SIGKILL that follows, ``runserver``'s reload).

A reading is never lost by a failed write: its count stays waiting, and the next write (a
second later) retries it. Only a process killed outright (SIGKILL, the kernel's out-of-memory
killer) loses the readings of its last second, as a crash of the database server does with
``synchronous_commit`` off.

What a reader sees: the count the database gave this process at its last write, plus this
process's readings since. Other processes' readings of the last second show after their write.

The write also reads publication and the archive generation. A notice unpublished or deleted
by the archive's write paths has advanced the generation itself. One changed by a path that
skips them (an UPDATE in psql), with the generation as it was, advances it: every process
stops serving its cached page.
"""

import atexit
import logging
import os
import threading
import time
from collections import Counter

from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connection, transaction

from .models import MAX_BIGINT, ArchiveGeneration, Notice

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
FLUSH_READINGS = 1000


class ReadingCounter:
    def __init__(self):
        self._lock = threading.Lock()  # guards the counts below
        self._writing = threading.Lock()  # one write at a time
        self._writer_pid = None  # the process whose thread writes (none yet, or forked since)
        self._failed_at = float("-inf")
        self.background = True  # the writing thread (the test suite writes by hand)
        self.discard()

    def discard(self) -> None:
        """Forget every count (the test suite, between tests whose database is rolled back)."""
        with self._lock:
            self._pending = Counter()  # notice id → readings not yet written
            self._known = {}  # notice id → its count as the database last gave it
            self._generation = None  # the generation the known notices were published in

    def knows(self, pk: int) -> bool:
        return pk in self._known

    def count(self, pk: int, generation: int, *, reading: bool = True) -> int | None:
        """Count a reading in memory (none for ``reading=False``: a HEAD) if this notice is
        known to be published in ``generation``; its view count as this process knows it, or
        None (ask the database)."""
        with self._lock:
            if generation != self._generation or pk not in self._known:
                return None
            if reading:
                self._pending[pk] += 1
            shown = self._known[pk] + self._pending[pk]
        if reading:
            self._start_writer()
        return shown

    def remember(self, pk: int, count: int, generation: int) -> int:
        """The database counted a reading itself: ``pk`` is published in ``generation``, with
        ``count`` readings there. Returns the count to show (with readings still waiting)."""
        with self._lock:
            if generation != self._generation:
                self._generation = generation
                self._known = {}  # published in an older generation: perhaps not any more
            # (a write by another thread may have given a newer count meanwhile)
            self._known[pk] = max(count, self._known.get(pk, 0))
            return self._known[pk] + self._pending[pk]

    def pending(self) -> int:
        return sum(self._pending.values())

    def _start_writer(self) -> None:
        if not self.background or self._writer_pid == os.getpid():
            return
        with self._lock:
            if self._writer_pid == os.getpid():
                return
            self._writer_pid = os.getpid()
        threading.Thread(target=self._write_every_second, name="view-counts", daemon=True).start()

    def _write_every_second(self) -> None:
        try:
            while self.background and self._writer_pid == os.getpid():
                time.sleep(FLUSH_SECONDS)
                if self._pending:
                    self.flush()
                    connection.close_if_unusable_or_obsolete()  # (DJANGO_CONN_MAX_AGE)
        finally:
            self._writer_pid = None
            connection.close()

    def flush_if_many(self, **kwargs) -> None:
        """At the end of a request: write now if many readings wait (and the last write did
        not fail within the second: an unreachable database is not asked at every request)."""
        if self.pending() >= FLUSH_READINGS and time.monotonic() - self._failed_at >= FLUSH_SECONDS:
            self.flush()
            connection.close_if_unusable_or_obsolete()

    def flush(self, *, wait: bool = False) -> None:
        """Write the waiting counts: one statement on PostgreSQL (one per notice on SQLite, in
        one transaction). With another write under way, leave them to it, or ``wait``."""
        if not self._writing.acquire(blocking=wait):
            return
        try:
            with self._lock:
                batch = Counter(self._pending)  # a copy: shown counts stay whole meanwhile
                known_in = self._generation
            if not batch:
                return
            try:
                counts, published, generation = write_counts(batch)
            except Exception:
                self._failed_at = time.monotonic()
                logger.exception("could not write %d view counts; will retry", sum(batch.values()))
                return
            gone = {pk for pk in batch if pk not in published}
            with self._lock:
                self._pending.subtract(batch)
                self._pending = +self._pending  # (drops the notices left at zero)
                for pk, count in counts.items():
                    if pk in self._known:
                        self._known[pk] = max(count, self._known[pk])
                for pk in gone:
                    self._known.pop(pk, None)  # their next reading asks the database
        finally:
            self._writing.release()
        if gone and generation == known_in:
            # Unpublished or deleted with no new generation: by a path that skips the
            # archive's own (which advance it). Expire every process's cached pages.
            logger.warning("notices %s left the archive unannounced; pages expire", sorted(gone))
            try:
                ArchiveGeneration.advance()
            except Exception:
                logger.exception("could not advance the archive generation")

    def flush_at_exit(self) -> None:
        if self._pending:
            self.flush(wait=True)  # (logs, and does not raise, if the database is unreachable)
            connection.close()


def write_counts(batch: Counter) -> tuple[dict[int, int], set[int], int]:
    """Add each notice's readings to its view count: the readings were of a published page,
    whatever the notice is now. Returns the new counts, the notices still published and the
    archive generation, read in the same statement on PostgreSQL. Rows are updated in id
    order, so that two processes writing the same notices never deadlock."""
    ids = sorted(batch)
    readings = [batch[pk] for pk in ids]
    published = Notice.Status.PUBLISHED
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_notice AS n SET view_count = n.view_count + batch.readings"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS batch(id, readings)"
                " WHERE n.id = batch.id"
                f" RETURNING n.id, n.view_count, n.status = %s, ({ArchiveGeneration.SQL})",
                [ids, readings, published],
            )
            rows = cursor.fetchall()
        generation = rows[0][3] if rows else ArchiveGeneration.current(fresh=True)
        return (
            {pk: count for pk, count, _, _ in rows},
            {pk for pk, _, is_published, _ in rows if is_published},
            generation or 0,
        )
    counts, still_published = {}, set()
    with transaction.atomic(), connection.cursor() as cursor:  # all of them, or none
        for pk, n in zip(ids, readings, strict=True):
            cursor.execute(
                "UPDATE documents_notice SET view_count = view_count + %s WHERE id = %s"
                " RETURNING view_count, status = %s",
                [n, pk, published],
            )
            row = cursor.fetchone()
            if row:
                counts[pk] = row[0]
                if row[1]:
                    still_published.add(pk)
        generation = ArchiveGeneration.current(fresh=True)
    return counts, still_published, generation


counter = ReadingCounter()


def record_reading(pk) -> tuple[int | None, int]:
    """Count one reading of a published notice: (its view count to show, or None if no
    published notice has this id; the archive generation).

    A notice this process has counted before in the current generation is counted in
    memory (the counts are written in batches, about once a second under load), with the
    generation as this process last read it (see ArchiveGeneration): no
    round trip to the database.

    Otherwise the database counts it, atomically, and gives the generation in the same
    statement on PostgreSQL: one round trip. That count is committed without waiting for
    the write-ahead log to reach the disk (synchronous_commit off, until the statement's
    transaction ends): a crash of the database server could lose the last fraction of a
    second of view counts, never anything else. The statement is prepared once per
    database connection (planning it was over 40 % of the server's time for a reading).

    With a read replica the generation is read from the replica, where the page's content
    is read: a generation from the primary, ahead of a lagging replica, would file the
    replica's old content under the new generation, cached until the next change."""
    if not 0 < pk <= MAX_BIGINT:  # /notices/99999999999999999999/: no such id, anywhere
        return None, ArchiveGeneration.current()
    generation = None
    if counter.knows(pk):
        generation = ArchiveGeneration.current()
        count = counter.count(pk, generation)
        if count is not None:
            return count, generation
    count, generation = _count_in_database(pk, generation)
    if count is not None:
        count = counter.remember(pk, count, generation)
    return count, generation


def _count_in_database(pk, generation=None) -> tuple[int | None, int]:
    """The reading counted by the database, and the generation (read with it on PostgreSQL,
    else ``generation`` if just read)."""
    update = (
        "UPDATE documents_notice SET view_count = view_count + 1"
        " WHERE id = %s AND status = %s RETURNING view_count"
    )
    params = [pk, Notice.Status.PUBLISHED]
    one_database = Notice.objects.db == DEFAULT_DB_ALIAS  # no replica, or pinned to primary
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and one_database:
            read_at = time.monotonic()
            connection.execute_prepared(
                cursor,
                "policyhub_reading",
                f"WITH counted AS ({update}) SELECT (SELECT view_count FROM counted),"
                f" ({ArchiveGeneration.SQL})",
                params,
                prefix="SET LOCAL synchronous_commit = off; ",
            )
            count, generation = cursor.fetchone()
            ArchiveGeneration.note(generation or 0, read_at)
            return count, generation or 0
        cursor.execute(update, params)
        row = cursor.fetchone()
    if generation is None:
        generation = ArchiveGeneration.current(fresh=True)
    return (row[0] if row else None), generation


def connect() -> None:
    request_finished.connect(counter.flush_if_many, dispatch_uid="write-view-counts")
    atexit.register(counter.flush_at_exit)
