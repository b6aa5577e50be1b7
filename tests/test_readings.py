"""View counts, one statement per reading in the narrow NoticeViews table
(documents/readings.py)."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents import readings, services
from documents.models import MAX_BIGINT, ArchiveGeneration, Notice
from tests import factories
from tests.factories import view_count


def read(client, notice, times=1):
    for _ in range(times):
        assert client.get(notice.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_reading_is_counted_in_the_database_at_once():
    notice = factories.notice()
    assert [readings.record_reading(notice.pk).count for _ in range(3)] == [1, 2, 3]
    assert view_count(notice) == 3
    draft = factories.notice(published=False)
    assert readings.record_reading(draft.pk) is None  # a draft is never counted, nor shown
    assert view_count(draft) == 0
    for missing in (draft.pk + 1000, 0, -1, MAX_BIGINT + 1):
        assert readings.record_reading(missing) is None


@pytest.mark.django_db
def test_a_reading_leaves_the_notice_row_as_it_was():
    """The count is in its own narrow row: the wide notice row is not rewritten per reading
    (which kept its table's visibility map empty, and index-only scans reading the table)."""
    notice = factories.notice()
    row = Notice.objects.filter(pk=notice.pk).values("updated_at")
    before = row.get()
    version = notice_row_version(notice)
    read(Client(), notice, times=2)
    assert row.get() == before
    assert notice_row_version(notice) == version
    assert view_count(notice) == 2


def notice_row_version(notice):
    """PostgreSQL's transaction id of the row version (``xmin``): a new one for any update;
    elsewhere the row's text as a stand-in."""
    with connection.cursor() as cursor:
        column = "xmin::text" if connection.vendor == "postgresql" else "title || status"
        cursor.execute(f"SELECT {column} FROM documents_notice WHERE id = %s", [notice.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_reading_of_a_cached_page_is_one_statement():
    notice = factories.notice(sections=3)
    client = Client()
    read(client, notice)  # the page is made and cached
    ArchiveGeneration.current()  # (read at most once a second)
    with CaptureQueriesContext(connection) as queries:
        read(client, notice)
    assert len(queries.captured_queries) == 1
    assert "documents_noticeviews" in queries.captured_queries[0]["sql"]
    assert view_count(notice) == 2


@pytest.mark.django_db(transaction=True)
def test_a_notice_unpublished_behind_the_archives_back_is_not_counted_nor_served():
    """An UPDATE in psql leaves the generation as it was, and the page in the cache: the
    reading, which asks whether the notice is published, refuses it at once."""
    notice = factories.notice()
    client = Client()
    read(client, notice, times=2)
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DRAFT)
    assert client.get(notice.get_absolute_url()).status_code == 404
    assert client.head(notice.get_absolute_url()).status_code == 404
    assert view_count(notice) == 2


@pytest.mark.django_db(transaction=True)
def test_readings_before_an_unpublish_stay_counted():
    notice = factories.notice()
    client = Client()
    read(client, notice, times=3)
    services.unpublish(Notice.objects.filter(pk=notice.pk))
    assert client.get(notice.get_absolute_url()).status_code == 404
    assert view_count(notice) == 3  # they were readings of a published page


@pytest.mark.django_db(transaction=True)
def test_a_head_answers_as_a_get_would_and_is_not_counted():
    notice = factories.notice()
    client = Client()
    read(client, notice, times=2)
    head = client.head(notice.get_absolute_url())
    assert head.status_code == 200 and head["ETag"]
    assert view_count(notice) == 2
    assert client.head(f"/notices/{MAX_BIGINT + 1}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_in_several_processes_lose_and_add_no_count():
    """Four processes and four threads each reading the same notices at once."""
    notices = [factories.notice() for _ in range(3)]
    ids = [notice.pk for notice in notices]
    script = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from django.db import connection\n"
        "from documents import readings\n"
        "def read(pk):\n"
        "    try:\n"
        "        return readings.record_reading(pk)\n"
        "    finally:\n"
        "        connection.close()\n"
        f"with ThreadPoolExecutor(4) as pool: counts = list(pool.map(read, {ids!r} * 25))\n"
        "assert None not in counts\n"
    )
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": factories.database_url()}
    processes = [
        subprocess.Popen([sys.executable, "manage.py", "shell", "-c", script], env=env)
        for _ in range(4)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0] * 4
    assert [view_count(notice) for notice in notices] == [100, 100, 100]
