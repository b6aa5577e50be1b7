"""What is cached, under which key, and when it expires.

Every key holds the archive generation (``ArchiveGeneration``: every write to the archive
advances it), so a change expires everything cached before it, in every server process, with
no list of keys to delete. The cache itself is shared by the server processes (settings:
files on one machine, or Redis), so what one process made the others serve.
"""

from django.core.cache import cache


def clear_after_migrate(**kwargs) -> None:
    """Empty the cache when the database is migrated: a database made anew (a fresh SQLite
    file, a dropped and created PostgreSQL database) counts its generations from zero again,
    and a deployment's new code may render its pages otherwise."""
    cache.clear()
