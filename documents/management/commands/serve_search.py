"""Serve search to every app server (``SEARCH_URL``): index the published notices in Tantivy
(``documents.search_index``), keep the index in step with the database, answer ``/search``.

    DATABASE_URL=postgres://… python manage.py serve_search --port 8765
    SEARCH_URL=http://127.0.0.1:8765  (for the app servers)

At start it indexes every published notice (about 30 s at 100,000 notices), answering 503
meanwhile (the app servers rank in the database until then). Then it reads the archive
generation every ``--poll`` seconds and, when a write has advanced it, indexes what changed.
"""

import json
import signal
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from documents.models import ArchiveGeneration
from documents.search import MAX_QUERY_WORDS
from documents.search_index import READ_CHUNK, SearchIndex

MAX_ROWS = 1_000_000  # offset + limit (Tantivy holds that many hits to skip to the offset)
MAX_ID = 2**63 - 1


class Command(BaseCommand):
    help = "Index the published notices and answer the app servers' searches (SEARCH_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--index", type=Path, help="an empty folder for the index (a new temporary one)"
        )
        parser.add_argument("--poll", type=float, default=0.5, help="seconds between checks")

    def handle(self, *args, host, port, index, poll, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The search service indexes a PostgreSQL archive; on SQLite the app ranks "
                "every search itself (FTS5), with no service."
            )
        if index is None:
            with tempfile.TemporaryDirectory(prefix="policyhub-search-") as folder:
                self.serve(Path(folder), host, port, poll)  # (the folder goes at the end)
            return
        if index.exists() and any(index.iterdir()):
            raise CommandError(f"{index} is not empty: give an empty folder for the index.")
        self.serve(index, host, port, poll)

    def serve(self, folder: Path, host: str, port: int, poll: float) -> None:
        search_index = SearchIndex(folder)
        try:
            server = make_server(search_index, host, port)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from error
        host, port = server.server_address[:2]  # (--port 0: a free port)
        self.report(f"Search service on http://{host}:{port}/, index in {folder}")
        # Stopped by a process manager (SIGTERM) as by Ctrl-C: the index folder is removed.
        signal.signal(signal.SIGTERM, _exit)
        stop = threading.Event()
        keeper = threading.Thread(
            target=keep_in_step, args=(search_index, poll, self.report, stop), daemon=True
        )
        keeper.start()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
            keeper.join()

    def report(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # (a log file sees each line as it comes)


def _exit(signum, frame):
    raise SystemExit(0)


def keep_in_step(index: SearchIndex, poll: float, report, stop: threading.Event) -> None:
    """Sync the index whenever the archive generation has moved (the first time at once), until
    ``stop``. Whatever goes wrong (the database gone, a disk full) is reported, kept for
    ``/healthz`` and tried again at the next poll: the keeper does not stop."""
    while not stop.is_set():
        try:
            if ArchiveGeneration.current(fresh=True) != index.generation:
                timed_sync(index, report)
            index.error = None
        except Exception as error:  # noqa: BLE001 — reported, and tried again
            index.error = f"{type(error).__name__}: {error}"
            report(f"  sync failed, trying again: {index.error}")
            connections.close_all()
        stop.wait(poll)
    connections.close_all()  # (this thread's)


def make_server(index: SearchIndex, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server answering searches from ``index`` once it has synced."""
    server = ThreadingHTTPServer((host, port), SearchHandler)
    server.daemon_threads = True
    server.index = index
    return server


class SearchHandler(BaseHTTPRequestHandler):
    """``GET /search?word=…&not=…&typed=…&category=…&issuer=…&issued=first:last&validity=…&offset=…
    &limit=…`` → ``{"ids": [...], "count": n, "generation": the archive generation the index is
    in step with}``; ``GET /healthz``."""

    protocol_version = "HTTP/1.1"  # connections kept open between an app server's searches
    # The headers and the body go out as two writes: with Nagle's algorithm the second waited
    # for the app server's delayed ACK, 40 ms on every search.
    disable_nagle_algorithm = True

    def do_GET(self):
        url = urlsplit(self.path)
        index = self.server.index
        if url.path == "/healthz":
            health = {
                "ready": index.generation is not None,
                "generation": index.generation,
                "notices": len(index.stamps),
                "error": index.error,  # the last sync's, if it failed
            }
            return self.answer(HTTPStatus.OK, health)
        if url.path != "/search":
            return self.answer(HTTPStatus.NOT_FOUND, {"error": "no such path"})
        generation = index.generation  # (before the search: a sync may end meanwhile)
        if generation is None:
            return self.answer(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "indexing"})
        try:
            ids, count = index.search(**search_arguments(parse_qs(url.query)))
        except ValueError as error:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        return self.answer(HTTPStatus.OK, {"ids": ids, "count": count, "generation": generation})

    def answer(self, status: HTTPStatus, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        """Quiet: one line per search would be most of the service's work."""


def search_arguments(parameters: dict[str, list[str]]) -> dict:
    """``SearchIndex.search()``'s arguments from a query string; ValueError says what is wrong."""
    words, excluded = parameters.get("word", []), parameters.get("not", [])
    typed = parameters.get("typed", [])
    if not words or len(words) > MAX_QUERY_WORDS or len(excluded) > MAX_QUERY_WORDS:
        raise ValueError(f"give 1 to {MAX_QUERY_WORDS} words, at most as many to exclude")
    if len(typed) > 2 * MAX_QUERY_WORDS:
        raise ValueError(f"at most {2 * MAX_QUERY_WORDS} typed words")

    def one(name, convert=str):
        values = parameters.get(name, [])
        if len(values) > 1:
            raise ValueError(f"{name} given twice")
        value = convert(values[0]) if values else None
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise ValueError(f"{name}: not a number from 0 to {MAX_ID}")
        return value

    offset, limit = one("offset", int), one("limit", int)
    offset, limit = offset or 0, 20 if limit is None else limit
    if offset < 0 or limit < 1 or offset + limit > MAX_ROWS:
        raise ValueError(f"offset and limit: 0 ≤ offset, 1 ≤ limit, offset + limit ≤ {MAX_ROWS}")
    issued = [
        tuple(int(day) if day else None for day in value.split(":", 1))
        for value in parameters.get("issued", [])
    ]
    if any(
        len(days) != 2 or any(d is not None and not 1 <= d <= MAX_ID for d in days)
        for days in issued
    ):
        raise ValueError("issued: first:last, as day numbers")
    return {
        "words": words,
        "excluded": excluded,
        "typed": typed,
        "offset": offset,
        "limit": limit,
        "category": one("category", int),
        "issuer": one("issuer", int),
        "validity": one("validity"),
        "issued": issued,
    }


def timed_sync(index: SearchIndex, report) -> None:
    """``index.sync()``, reporting its progress and duration through ``report``."""
    started = time.monotonic()

    def progress(done, total):
        if done % 10_000 < READ_CHUNK or done == total:  # a line per 10,000 notices
            report(f"  indexed {done}/{total} ({done / (time.monotonic() - started):.0f}/s)")

    changed = index.sync(progress)
    if changed:
        report(f"  {changed} notices indexed or removed in {time.monotonic() - started:.1f} s")
