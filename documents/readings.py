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
from django.db import connection, transaction

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
        from .models import ArchiveGeneration

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
    from .models import ArchiveGeneration, Notice

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


def connect() -> None:
    request_finished.connect(counter.flush_if_many, dispatch_uid="write-view-counts")
    atexit.register(counter.flush_at_exit)
