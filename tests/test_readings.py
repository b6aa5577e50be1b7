"""View counts counted in the process and written in batches (documents/readings.py), and the
archive generation each process reads at most once in ArchiveGeneration.TRUST_SECONDS.

Most tests here run outside a test transaction (transactional_db), as a server does: inside one,
the generation is read on every use.
"""

import threading
import time

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents import readings
from documents.models import ArchiveGeneration, Notice
from documents.readings import counter
from tests import factories
from tests.test_routers import manage_shell


def view_count(notice) -> int:
    return Notice.objects.values_list("view_count", flat=True).get(pk=notice.pk)


@pytest.fixture
def no_write_due(monkeypatch):
    """Counts written only when a test asks (flush), not at the end of each request."""
    monkeypatch.setattr(readings, "FLUSH_SECONDS", 3600)
    counter.flush()


@pytest.mark.django_db(transaction=True)
def test_a_reading_of_a_known_notice_costs_no_round_trip(no_write_due):
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
def test_with_little_traffic_each_reading_is_written_when_it_ends(monkeypatch):
    """The last write a second old (FLUSH_SECONDS): the reading is written at the end of its
    own request, so the database's count is the page's."""
    monkeypatch.setattr(readings, "FLUSH_SECONDS", 0)
    notice = factories.notice()
    for expected in (1, 2, 3):
        assert f"{expected} 次" in Client().get(notice.get_absolute_url()).content.decode()
        assert view_count(notice) == expected


@pytest.mark.django_db(transaction=True)
def test_many_waiting_readings_are_written_at_once(no_write_due, monkeypatch):
    monkeypatch.setattr(readings, "FLUSH_READINGS", 3)
    notice = factories.notice()
    client = Client()
    for _ in range(3):
        client.get(notice.get_absolute_url())  # 1 by the database, 2 waiting
    assert view_count(notice) == 1
    client.get(notice.get_absolute_url())  # 3 waiting: written
    assert view_count(notice) == 4 and counter.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_loses_no_reading(no_write_due, monkeypatch):
    notice = factories.notice()
    client = Client()
    for _ in range(3):
        client.get(notice.get_absolute_url())

    def unreachable(batch):
        raise DatabaseError("the server went away")

    monkeypatch.setattr(readings, "write_counts", unreachable)
    counter.flush()  # fails, logged
    assert counter.pending() == 2
    monkeypatch.undo()
    counter.flush()
    assert view_count(notice) == 3 and counter.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_readings_of_several_notices_are_written_in_one_statement(no_write_due):
    notices = [factories.notice() for _ in range(3)]
    client = Client()
    for notice in notices:
        for _ in range(2 + notice.pk % 3):
            client.get(notice.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        counter.flush()
    # one UPDATE on PostgreSQL; on SQLite one per notice, in one transaction
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == (1 if connection.vendor == "postgresql" else 3)
    assert [view_count(notice) for notice in notices] == [2 + n.pk % 3 for n in notices]


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
