import time

from django.db import connections, models, transaction
from django.db.models import F


class ArchiveGeneration(models.Model):
    """A counter that every write to the archive increments (one row).

    Cached summaries (the category menu with its counts, the home page's figures) are keyed
    by it, so a publish, an import or a deletion in any server process makes every process
    compute them afresh: correct invalidation with no shared cache required.
    """

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "缓存代数"
        verbose_name_plural = "缓存代数"

    def __str__(self):
        return f"第 {self.number} 代"

    # Read for every page: plain SQL, as compiling the queryset cost five times the query.
    SQL = "SELECT number FROM documents_archivegeneration WHERE id = 1"

    # How long a process uses the number it read before reading it again. A change made in
    # this process is seen at once (advance() forgets the number); one made in another process
    # within this time: the cached pages of the moment before it are served that long.
    TRUST_SECONDS = 1.0
    _read: dict[str, tuple[int, float]] = {}  # database alias → (number, when read)
    _forgotten_at = float("-inf")

    @classmethod
    def current(cls, *, fresh=False) -> int:
        """The current number: read from the database at most once in TRUST_SECONDS, and on
        every call inside a transaction (which may be about to change it) or when ``fresh``."""
        alias = cls.objects.db
        now = time.monotonic()
        known = cls._read.get(alias)
        trusted = known and now - known[1] < cls.TRUST_SECONDS and not fresh
        if trusted and not connections[alias].in_atomic_block:
            return known[0]
        with connections[alias].cursor() as cursor:
            cursor.execute(cls.SQL)
            row = cursor.fetchone()
        number = row[0] if row else 0
        cls.note(number, now)
        return number

    @classmethod
    def note(cls, number: int, read_at: float) -> None:
        """The number as read by a statement that started at ``read_at`` (time.monotonic()):
        kept, unless read in a transaction or before this process last advanced it."""
        alias = cls.objects.db
        if read_at > cls._forgotten_at and not connections[alias].in_atomic_block:
            cls._read[alias] = (number, read_at)

    @classmethod
    def forget(cls) -> None:
        """Read the number again at its next use (a read already under way is not kept)."""
        cls._forgotten_at = time.monotonic()
        cls._read.clear()

    @classmethod
    def of_request(cls, request) -> int:
        """The current number, read once per request however many cached parts ask for it."""
        if not hasattr(request, "_archive_generation"):
            request._archive_generation = cls.current()
        return request._archive_generation

    @classmethod
    def advance(cls) -> None:
        """Mark every cached summary out of date (for this process at once, and again when the
        change is committed; for the others, within TRUST_SECONDS)."""
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})
        cls.forget()
        transaction.on_commit(cls.forget)
