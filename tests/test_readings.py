"""View counts counted in the process and written in batches (documents/readings.py), and the
archive generation each process reads at most once in ArchiveGeneration.TRUST_SECONDS.

Most tests here run outside a test transaction (transactional_db), as a server does: inside one,
the generation is read on every use. The suite turns the writing thread off (conftest.py); the
tests of the thread turn it on.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents import readings, services
from documents.models import ArchiveGeneration, Notice
from documents.readings import counter
from tests import factories
from tests.test_routers import manage_shell


def view_count(notice) -> int:
    return Notice.objects.values_list("view_count", flat=True).get(pk=notice.pk)


def read(client, notice, times=1):
    for _ in range(times):
        assert client.get(notice.get_absolute_url()).status_code == 200


@pytest.fixture
def writing_thread(monkeypatch):
    """The thread that writes the counts, every 0.2 s here; stopped after the test."""
    monkeypatch.setattr(readings, "FLUSH_SECONDS", 0.2)
    counter.background = True
    yield
    counter.background = False
    time.sleep(0.3)  # it sees the flag and ends, closing its connection


def wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_reading_of_a_known_notice_costs_no_round_trip():
    notice = factories.notice()
    url = notice.get_absolute_url()
    client = Client()
    assert "1 次" in client.get(url).content.decode()  # counted by the database
    with CaptureQueriesContext(connection) as queries:
        for expected in (2, 3, 4):
            assert f"{expected} 次" in client.get(url).content.decode()
    assert queries.captured_queries == []
    assert view_count(notice) == 1
    counter.flush()
    assert view_count(notice) == 4


@pytest.mark.django_db(transaction=True)
def test_the_thread_writes_readings_within_a_second_with_no_request_after_them(writing_thread):
    """The last readings of a burst do not wait for the process's next request."""
    notice = factories.notice()
    read(Client(), notice, times=3)
    assert view_count(notice) == 1  # the first, by the database; two wait in memory
    wait_until(lambda: view_count(notice) == 3)
    assert counter.pending() == 0


def test_a_process_killed_a_while_after_its_readings_lost_none(transactional_db):
    """Only the last second can be lost: a server process killed outright (no exit handlers)
    1.5 s after its readings, with no request since, had written them all."""
    notice = factories.notice()
    script = (
        "import os, signal, time; from django.test import Client; "
        f"[Client().get('{notice.get_absolute_url()}') for _ in range(3)]; "
        "time.sleep(1.5); os.kill(os.getpid(), signal.SIGKILL)"
    )
    killed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env={**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": factories.database_url()},
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert view_count(notice) == 3


def test_a_reading_in_memory_is_written_when_the_process_exits(transactional_db):
    """A server process that ends (a gunicorn worker's restart, runserver's reload) writes the
    readings it holds: here a process that reads a notice three times and exits at once."""
    notice = factories.notice()
    script = (
        "from django.test import Client; from documents.readings import counter; "
        f"[Client().get('{notice.get_absolute_url()}') for _ in range(3)]; "
        "print(counter.pending())"
    )
    still_in_memory = int(manage_shell(script, DATABASE_URL=factories.database_url()))
    assert still_in_memory >= 1
    assert view_count(notice) == 3


@pytest.mark.django_db(transaction=True)
def test_many_waiting_readings_are_written_at_the_end_of_the_request(monkeypatch):
    monkeypatch.setattr(readings, "FLUSH_READINGS", 3)
    notice = factories.notice()
    client = Client()
    read(client, notice, times=3)  # 1 by the database, 2 waiting
    assert view_count(notice) == 1
    read(client, notice)  # 3 waiting: written
    assert view_count(notice) == 4 and counter.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_loses_no_reading_and_is_not_retried_at_every_request(monkeypatch):
    monkeypatch.setattr(readings, "FLUSH_READINGS", 2)
    notice = factories.notice()
    client = Client()
    attempts = []

    def unreachable(batch):
        attempts.append(sum(batch.values()))
        raise DatabaseError("the server went away")

    monkeypatch.setattr(readings, "write_counts", unreachable)
    read(client, notice, times=6)  # 1 by the database, then 2 waiting: a write, which fails
    assert attempts == [2]  # and no other within the second, though more readings came
    assert counter.pending() == 5
    monkeypatch.undo()
    counter.flush()
    assert view_count(notice) == 6 and counter.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_readings_of_several_notices_are_written_in_one_statement():
    notices = [factories.notice() for _ in range(3)]
    client = Client()
    for notice in notices:
        read(client, notice, times=2 + notice.pk % 3)
    with CaptureQueriesContext(connection) as queries:
        counter.flush()
    # one UPDATE on PostgreSQL; on SQLite one per notice, in one transaction
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == (1 if connection.vendor == "postgresql" else 3)
    assert [view_count(notice) for notice in notices] == [2 + n.pk % 3 for n in notices]


@pytest.mark.django_db(transaction=True)
def test_a_shown_count_never_goes_back_while_the_counts_are_written(monkeypatch):
    notice = factories.notice()
    read(Client(), notice, times=3)  # 3 shown: 1 by the database, 2 waiting
    shown, write = [], readings.write_counts

    def write_with_a_reading_meanwhile(batch):
        shown.append(readings.record_reading(notice.pk)[0])  # another thread's reader
        assert not counter._writing.acquire(blocking=False)  # one write at a time
        return write(batch)

    monkeypatch.setattr(readings, "write_counts", write_with_a_reading_meanwhile)
    counter.flush()
    assert shown == [4]
    monkeypatch.undo()
    assert readings.record_reading(notice.pk)[0] == 5
    counter.flush()
    assert view_count(notice) == 5


@pytest.mark.django_db(transaction=True)
def test_readings_before_an_unpublish_count_and_the_generation_advances_once():
    notice = factories.notice()
    client = Client()
    read(client, notice, times=3)  # 1 by the database, 2 waiting
    services.unpublish(Notice.objects.filter(pk=notice.pk))  # advances the generation
    generation = ArchiveGeneration.current(fresh=True)
    counter.flush()
    assert view_count(notice) == 3  # they were readings of a published page
    assert ArchiveGeneration.current(fresh=True) == generation  # no second advance
    assert client.get(notice.get_absolute_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_change_in_another_process_is_seen_within_the_trust_time(monkeypatch):
    monkeypatch.setattr(ArchiveGeneration, "TRUST_SECONDS", 0.3)
    factories.notice()
    before = ArchiveGeneration.current()

    def elsewhere():  # another server process: its own connection, and its own advance
        try:
            ArchiveGeneration.objects.filter(pk=1).update(number=before + 1)
        finally:
            connection.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert ArchiveGeneration.current() == before  # trusted: no round trip
    time.sleep(0.35)
    assert ArchiveGeneration.current() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_change_in_this_process_is_seen_at_once():
    factories.notice(title="第一份")
    client = Client()
    assert "第二份" not in client.get("/notices/").content.decode()
    factories.notice(title="第二份")
    assert "第二份" in client.get("/notices/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_read_under_way_when_the_process_advances_is_not_kept():
    """A thread that read the old number just before this process advanced it: kept, it
    would stand for the new one in the process that made the change."""
    factories.notice()
    old = ArchiveGeneration.current()
    read_at = time.monotonic()  # the read starts …
    ArchiveGeneration.advance()  # … another thread of this process changes the archive …
    ArchiveGeneration.note(old, read_at)  # … and the read ends with the old number
    assert ArchiveGeneration.current() == old + 1


@pytest.mark.django_db(transaction=True)
def test_the_writer_forgets_the_number_again_when_its_change_commits():
    """Inside the writing transaction another thread may read and keep the number still
    committed; the commit makes this process read it again."""
    from django.db import transaction

    factories.notice()
    old = ArchiveGeneration.current()
    with transaction.atomic():
        ArchiveGeneration.advance()
        ArchiveGeneration._read["default"] = (old, time.monotonic())  # read by another thread
    assert ArchiveGeneration.current() == old + 1


@pytest.mark.django_db(transaction=True)
def test_a_head_answers_as_a_get_would_and_is_not_counted():
    notice = factories.notice()
    client = Client()
    read(client, notice, times=2)  # 1 by the database, 1 waiting
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DRAFT)  # behind its back
    with CaptureQueriesContext(connection) as queries:
        head = client.head(notice.get_absolute_url())
    assert head.status_code == client.get(notice.get_absolute_url()).status_code == 200
    assert queries.captured_queries == []  # known to this process: no round trip either
    counter.flush()  # finds it unpublished: every process forgets it
    assert client.head(notice.get_absolute_url()).status_code == 404
    assert client.get(notice.get_absolute_url()).status_code == 404
    assert view_count(notice) == 3  # two GETs of the published page, and the one after; no HEAD


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks in a join's order: PostgreSQL's plan"
)
@pytest.mark.django_db(transaction=True)
def test_two_processes_writing_the_same_notices_do_not_deadlock():
    """On an archive-sized table PostgreSQL updates the batch's rows in the order of the ids
    given; two workers holding the same notices in different orders deadlocked until the ids
    were sorted (each row's update slowed here, so that the two writes overlap)."""
    a, b = factories.notice(), factories.notice()
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(cursor, "documents_notice")
            if column.name not in ("id", "doc_number_normalized")
        ]
        names = ", ".join(columns)
        cursor.execute(  # 20,000 copies of a row: the plan of an archive's table
            f"INSERT INTO documents_notice ({names}, doc_number_normalized)"
            f" SELECT {names}, '' FROM documents_notice, generate_series(1, 20000)"
            " WHERE id = %s",
            [a.pk],
        )
        cursor.execute("ANALYZE documents_notice")
        cursor.execute(
            "CREATE FUNCTION slow_update() RETURNS trigger AS $$"
            " BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER slow_update BEFORE UPDATE ON documents_notice"
            " FOR EACH ROW EXECUTE FUNCTION slow_update();"
        )
    errors = []

    def write(order):
        try:
            readings.write_counts(Counter(dict.fromkeys(order, 1)))
        except DatabaseError as error:
            errors.append(str(error).splitlines()[0])
        finally:
            connection.close()

    try:
        threads = [
            threading.Thread(target=write, args=(order,)) for order in ([a.pk, b.pk], [b.pk, a.pk])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER slow_update ON documents_notice")
            cursor.execute("DROP FUNCTION slow_update()")
    assert errors == []
    assert (view_count(a), view_count(b)) == (2, 2)


@pytest.mark.django_db(transaction=True)
def test_readers_writers_failures_and_changes_at_once_lose_and_add_no_count(monkeypatch):
    """Six reader threads, writes that fail one time in three, and the archive changing
    meanwhile: every reading is in the database once the last write is done."""
    monkeypatch.setattr(ArchiveGeneration, "TRUST_SECONDS", 0.02)
    notices = [factories.notice() for _ in range(5)]
    write, failures = readings.write_counts, random.Random(7)

    def unreliable(batch):
        if failures.random() < 0.3:
            raise DatabaseError("the server went away")
        return write(batch)

    monkeypatch.setattr(readings, "write_counts", unreliable)
    read_by = []

    def reader(seed):
        rng = random.Random(seed)
        try:
            for _ in range(150):
                assert readings.record_reading(rng.choice(notices).pk)[0] is not None
                if rng.random() < 0.2:
                    counter.flush()
            read_by.append(150)
        finally:
            connection.close()

    def editor():
        try:
            for _ in range(20):
                ArchiveGeneration.advance()
                time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(6)]
    threads.append(threading.Thread(target=editor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    counter.flush()
    assert read_by == [150] * 6
    assert sum(view_count(notice) for notice in notices) == 900


@pytest.mark.django_db
def test_record_reading_adds_one_in_the_database_and_reads_the_generation():
    notice = factories.notice()
    generation = ArchiveGeneration.current()
    assert generation > 0  # saving the notice advanced it
    assert readings.record_reading(notice.pk) == (1, generation)  # counted by the database
    notice.refresh_from_db()
    assert notice.view_count == 1
    assert readings.record_reading(notice.pk) == (2, generation)  # in memory, until the write
    assert readings.record_reading(notice.pk) == (3, generation)
    notice.refresh_from_db()
    assert notice.view_count == 1
    counter.flush()
    notice.refresh_from_db()
    assert notice.view_count == 3
    draft = factories.notice(published=False)
    assert readings.record_reading(draft.pk)[0] is None  # a draft is never counted, nor shown
    draft.refresh_from_db()
    assert draft.view_count == 0
