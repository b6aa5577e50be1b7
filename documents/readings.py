"""View counts, counted in the server process and written to the database in batches.

A reading of a notice this process already knows to be published in the current archive
generation is counted in memory: no round trip to the database, which was the largest cost of
serving a cached notice page. The counts pending in a process are written in one statement

- when a request ends and the last write is ``FLUSH_SECONDS`` old (or ``FLUSH_READINGS``
  readings wait): with little traffic, that is at the end of every reading, as before; under
  load, once a second per process;
- when the process exits (a gunicorn worker's restart or shutdown, ``runserver``'s reload).

A reading is never lost by a failed write: its count goes back into the pending counts and the
next write retries it. Only a process killed outright (SIGKILL, a worker timeout) loses the
readings of its last second, as a crash of the database server does with
``synchronous_commit`` off.

What a reader sees: the count the database gave this process at its last write, plus this
process's readings since. Other processes' readings of the last second show after their write.

The write also checks publication: a notice no longer published (a change that bypassed the
archive's write paths, which advance the generation themselves) has its readings dropped, and
the archive generation is advanced, so every process stops serving its cached page.
"""

import atexit
import logging
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
        self._lock = threading.Lock()
        self._pending = Counter()  # notice id → readings not yet written
        self._known = {}  # notice id → (generation it was published in, its count then)
        self._generation = None  # the generation the known notices were published in
        self._last_flush = float("-inf")

    def knows(self, pk: int) -> bool:
        return pk in self._known

    def count(self, pk: int, generation: int) -> int | None:
        """Count a reading in memory if this notice is known to be published in ``generation``;
        its view count as this process knows it, or None (ask the database)."""
        with self._lock:
            if generation != self._generation or pk not in self._known:
                return None
            self._pending[pk] += 1
            return self._known[pk] + self._pending[pk]

    def remember(self, pk: int, count: int, generation: int) -> int:
        """The database counted a reading itself: ``pk`` is published in ``generation``, with
        ``count`` readings there. Returns the count to show (with readings still pending)."""
        with self._lock:
            if generation != self._generation:
                self._generation = generation
                self._known = {}  # published in an older generation: perhaps not any more
            # (a write by another thread may have given a newer count meanwhile)
            self._known[pk] = max(count, self._known.get(pk, 0))
            return self._known[pk] + self._pending[pk]

    def pending(self) -> int:
        return sum(self._pending.values())

    def flush_if_due(self, **kwargs) -> None:
        due = time.monotonic() - self._last_flush >= FLUSH_SECONDS
        if self._pending and (due or self.pending() >= FLUSH_READINGS):
            self.flush()

    def flush(self) -> None:
        """Write the pending counts in one statement (one per notice on SQLite)."""
        from .models import ArchiveGeneration

        with self._lock:
            batch, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not batch:
            return
        try:
            counts = write_counts(batch)
        except Exception:
            with self._lock:
                self._pending.update(batch)  # kept, and tried again at the next write
            logger.exception("could not write %d view counts; will retry", sum(batch.values()))
            return
        with self._lock:
            for pk, count in counts.items():
                if pk in self._known:
                    self._known[pk] = count
        gone = batch.keys() - counts.keys()
        if gone:
            logger.warning("notices %s are no longer published: their pages expire", sorted(gone))
            with self._lock:
                self._known = {}
            try:
                ArchiveGeneration.advance()
            except Exception:
                logger.exception("could not advance the archive generation")

    def flush_at_exit(self) -> None:
        if self._pending:
            self.flush()  # (logs, and does not raise, if the database cannot be reached)
            connection.close()

    def discard(self) -> None:
        """Forget everything (the test suite, between tests whose database is rolled back)."""
        with self._lock:
            self.__init__()


def write_counts(batch: Counter) -> dict[int, int]:
    """Add each notice's readings to its view count if it is still published; the new counts
    of those notices."""
    from .models import Notice

    published = Notice.Status.PUBLISHED
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_notice AS n SET view_count = n.view_count + batch.readings"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS batch(id, readings)"
                " WHERE n.id = batch.id AND n.status = %s RETURNING n.id, n.view_count",
                [list(batch.keys()), list(batch.values()), published],
            )
            return dict(cursor.fetchall())
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:  # all of them, or none
        for pk, readings in batch.items():
            cursor.execute(
                "UPDATE documents_notice SET view_count = view_count + %s"
                " WHERE id = %s AND status = %s RETURNING view_count",
                [readings, pk, published],
            )
            row = cursor.fetchone()
            if row:
                counts[pk] = row[0]
    return counts


counter = ReadingCounter()


def connect() -> None:
    request_finished.connect(counter.flush_if_due, dispatch_uid="flush-readings")
    atexit.register(counter.flush_at_exit)
