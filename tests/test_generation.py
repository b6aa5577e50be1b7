"""The archive generation (documents/models/generation.py), which each process reads at most
once in ArchiveGeneration.TRUST_SECONDS.

The tests run outside a test transaction (transactional_db), as a server does: inside one, the
generation is read on every use.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from documents.models import ArchiveGeneration
from tests import factories


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
