"""What the benchmark scripts share: percentiles, a free loopback port, the search tables."""

import socket
import time


def percentile(values, share: float) -> float:
    """The value below which ``share`` of the values lie (nearest rank); NaN for none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def p95(values) -> float:
    return percentile(values, 0.95)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def print_class_table(header: str, rows: list, cells) -> None:
    """The search benchmarks' table: ``header`` after the class and word-count columns, a rule,
    then a line per (class, words, result) row with ``cells(result)`` after the same columns."""
    header = f"{'class':7} {'words':>5} {header}"
    print(header)
    print("─" * len(header))
    for name, size, result in rows:
        if result is None:
            print(f"{name:7} {size:>5}  (no queries found)")
        else:
            print(f"{name:7} {size:>5} {cells(result)}")


def prewarm_os_cache() -> float:
    """Read the database's tables, indexes and TOAST into the operating system's file cache
    (PostgreSQL's pg_prewarm in its synchronous 'read' mode; shared_buffers left as they are),
    as a server whose memory holds the database has them: a generated corpus is otherwise read
    from the disk on first use (here about 60 µs a page), which is the disk's figure, not the
    app's. Returns the seconds it took. PostgreSQL only; needs the pg_prewarm extension
    (PostgreSQL's contrib, installed with the server)."""

    from django.db import connection  # (the scripts set Django up after importing this module)

    start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't', 'm')"
            " AND c.relpersistence = 'p'"
        )
    return time.monotonic() - start
