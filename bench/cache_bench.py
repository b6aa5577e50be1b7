"""Django's file-based and database caches, filled as the archive's page cache would be.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/policyhub_cachebench \\
        .venv/bin/python bench/cache_bench.py [--entries 200000] [--ops 300]

For each backend (``django-file``: Django's ``FileBasedCache``; ``file``: ours,
``policyhub.cache.FileCache``; ``database``: Django's ``DatabaseCache``): fill it to
``--entries`` entries (pages of the size of a notice page, real
policy text), then time ``--ops`` gets of entries that exist and sets of new ones (a first
request stores its page), at a few fill levels. Django's backends count their entries at every
set (the file cache lists its folder, the database cache counts its table) to decide whether to
cull: what that costs at the archive's size is what this measures. Also prints the space used.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policyhub.settings")

import django  # noqa: E402

django.setup()

from common import p95  # noqa: E402
from django.core.cache.backends.db import DatabaseCache  # noqa: E402
from django.core.cache.backends.filebased import FileBasedCache  # noqa: E402
from django.db import connection  # noqa: E402

from policyhub.cache import FileCache  # noqa: E402

TABLE = "bench_cache"


def page_bytes(size: int) -> bytes:
    """Real policy text, wrapped as a page: it compresses as a notice page does."""
    lines = (ROOT / "documents/corpus_source/policy_texts.jsonl").read_text().splitlines()
    text = "".join(json.dumps(json.loads(line), ensure_ascii=False) for line in lines[:20])
    body = ("<p>" + text[: size // 3] + "</p>").encode()
    return body[:size]


def timed(fn, keys) -> list[float]:
    times = []
    for key in keys:
        start = time.perf_counter()
        fn(key)
        times.append((time.perf_counter() - start) * 1000)
    return times


def fill(cache, kind: str, page: bytes, upto: int, have: int, cache_dir: Path | None) -> None:
    """Top the cache up to ``upto`` entries fast (not through ``set``: that is what is timed)."""
    if kind == "file":
        sample = cache._key_to_file("sample")
        cache.set("sample", page, None)
        data = Path(sample).read_bytes()
        for n in range(have, upto):
            (cache_dir / f"{n:032x}.djcache").write_bytes(data)
    else:
        cache.set("sample", page, None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} SELECT 'fill:' || n, s.value, s.expires"
                f" FROM generate_series(%s, %s) AS n, {TABLE} s WHERE s.cache_key = %s",
                [have, upto - 1, ":1:sample"],
            )


def space(kind: str, cache_dir: Path | None) -> int:
    if kind == "file":
        return sum(f.stat().st_size for f in cache_dir.iterdir())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
        return cursor.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--page", type=int, default=30_000, help="bytes of a cached page")
    parser.add_argument(
        "--backends", default="django-file,file,database", help="of django-file, file, database"
    )
    args = parser.parse_args()
    page = page_bytes(args.page)
    levels = sorted({1_000, args.entries // 4, args.entries})
    params = {"OPTIONS": {"MAX_ENTRIES": args.entries * 2}, "TIMEOUT": None}
    print(f"page of {len(page):,} bytes; gets and sets of {args.ops} keys at each level")
    print(
        f"{'backend':11} {'entries':>8} │ {'get p50':>7} {'p95':>6} │ {'set p50':>7} {'p95':>7}"
        " │ MB"
    )
    for name in args.backends.split(","):
        kind = "database" if name == "database" else "file"
        cache_dir = None
        if kind == "file":
            cache_dir = Path(tempfile.mkdtemp(prefix="policyhub-cache-bench-"))
            backend = FileCache if name == "file" else FileBasedCache
            cache = backend(str(cache_dir), params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
                cursor.execute(
                    f"CREATE TABLE {TABLE} (cache_key varchar(255) PRIMARY KEY,"
                    " value text NOT NULL, expires timestamptz NOT NULL)"
                )
                cursor.execute(f"CREATE INDEX ON {TABLE} (expires)")
            cache = DatabaseCache(TABLE, params)
        have = 0
        try:
            for level in levels:
                fill(cache, kind, page, level, have, cache_dir)
                have = max(have, level)
                if kind == "database":
                    with connection.cursor() as cursor:
                        cursor.execute(f"VACUUM ANALYZE {TABLE}")
                new = [f"new:{level}:{n}" for n in range(args.ops)]
                sets = timed(lambda key, cache=cache: cache.set(key, page), new)
                gets = timed(cache.get, new)
                print(
                    f"{name:11} {level:>8,} │ {sorted(gets)[len(gets) // 2]:7.2f} {p95(gets):6.2f}"
                    f" │ {sorted(sets)[len(sets) // 2]:7.2f} {p95(sets):7.2f}"
                    f" │ {space(kind, cache_dir) / 1e6:,.0f}"
                )
        finally:
            if cache_dir:
                shutil.rmtree(cache_dir)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE {TABLE}")


if __name__ == "__main__":
    main()
