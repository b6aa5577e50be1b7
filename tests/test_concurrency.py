"""Concurrent readers and writers: no lost view counts, no duplicate notices, no half-writes.

These run against the configured database (CI: PostgreSQL and SQLite) with real transactions.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from documents import services
from documents.models import Notice, NoticeViews, Section
from documents.parsing import parse_notice
from tests import factories

SEED = Path("documents/sample_data/regional-economy/notice-fagai-diqu-2016-1771.txt")
VIEWS = 40


def in_thread(function):
    """Run in a worker thread with its own database connection, closed afterwards."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_lose_no_count():
    notice = factories.notice(sections=2)
    url = notice.get_absolute_url()

    @in_thread
    def read(_):
        return Client().get(url).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(read, range(VIEWS)))
    assert statuses == [200] * VIEWS
    assert factories.view_count(notice) == VIEWS


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_views_from_several_server_processes_lose_no_count():
    """Three gunicorn workers, each with its own connection, count every view of one notice."""
    notice = factories.notice(sections=3)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": factories.database_url(),
        "DJANGO_DEBUG": "1",
        "DJANGO_CONN_MAX_AGE": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "policyhub.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        address = f"http://127.0.0.1:{port}{notice.get_absolute_url()}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        NoticeViews.objects.filter(notice=notice).delete()  # the probe's reading

        def read(_):
            with urllib.request.urlopen(address, timeout=30) as response:
                return response.status

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(read, range(60)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses == [200] * 60
    assert factories.view_count(notice) == 60


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_doc_number_at_once_leave_one_notice_and_one_clear_error():
    parsed = parse_notice(SEED.read_text(encoding="utf-8"))
    start = threading.Barrier(2)

    @in_thread
    def import_once(_):
        start.wait()
        try:
            services.import_notice(parsed=parsed)
            return "imported"
        except services.DuplicateNotice as duplicate:
            return str(duplicate)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(import_once, range(2)))
    assert Notice.objects.count() == 1
    assert outcomes[0] == "imported"
    assert outcomes[1].startswith("重复：国家发展改革委已有发文字号發改地區[2016]1771號的文件")
    assert Section.objects.count() == 31


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_in_a_batch_leaves_nothing_half_written(tmp_path, monkeypatch, capsys):
    for name in ["a.txt", "b.txt", "c.txt"]:
        (tmp_path / name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    # Three different notices: a different doc number each.
    for i, name in enumerate(["a.txt", "b.txt", "c.txt"], start=1):
        path = tmp_path / name
        path.write_text(path.read_text().replace("1771號(hao)", f"177{i}號"), encoding="utf-8")
    real_index = services.index_notices

    def failing_index(ids):
        if Notice.objects.filter(pk__in=ids, doc_number__contains="1772").exists():
            from django.db import DatabaseError

            raise DatabaseError("磁盘已满（测试注入的故障）")
        return real_index(ids)

    monkeypatch.setattr(services, "index_notices", failing_index)
    with pytest.raises(CommandError):
        call_command("import_notices", str(tmp_path))
    out = capsys.readouterr().out
    assert "失败：磁盘已满" in out
    assert sorted(Notice.objects.values_list("doc_number", flat=True)) == [
        "發改地區[2016]1771號",
        "發改地區[2016]1773號",
    ]
    assert Section.objects.count() == 2 * 31  # none left over from the failed one
