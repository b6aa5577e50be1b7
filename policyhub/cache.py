"""The default cache: Django's file cache, shared by every server process of a machine, made to
hold the whole archive.

Django's ``FileBasedCache`` lists its folder at every ``set`` to decide whether to cull. With a
page per notice that is the whole archive: at 200,000 entries a set took 680 ms (p50), against
0.06 ms for a get (``bench/cache_bench.py``; Django's database cache counts its table at every
set likewise, 20 ms at 200,000 entries). Here the folder is counted at one set in
``CULL_EVERY`` on average, so the cache may run over ``MAX_ENTRIES`` by about that many entries
before the cull, which is Django's own: a random ``1 / CULL_FREQUENCY`` of the entries.

``get_or_set`` on a miss writes the value and returns it, where Django's opens the missing file
a second time (``add`` asks ``has_key``), writes it, and opens it again to read it back: one
open, not three, besides the write. Two processes that miss the same key at once each return
the value they computed and the last write stays, where Django's would have both return the
one stored; the keys here hold the archive generation, so such values differ at most by what
the generation already lets a process serve for a second (``ArchiveGeneration.TRUST_SECONDS``).
"""

import os
import random

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self.cull_every = int(params.get("OPTIONS", {}).get("CULL_EVERY", 1000))

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, self._missing_key, version=version)
        if value is self._missing_key:
            value = default() if callable(default) else default
            self.set(key, value, timeout, version)
        return value

    def _cull(self):
        if random.randrange(self.cull_every) == 0:
            super()._cull()

    def _list_cache_files(self):
        # (Django's glob and path joins took four times as long as the listing itself.)
        try:
            with os.scandir(self._dir) as entries:
                return [entry.path for entry in entries if entry.name.endswith(self.cache_suffix)]
        except FileNotFoundError:  # the folder removed meanwhile: nothing cached (as Django's)
            return []
