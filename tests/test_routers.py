"""The read-replica router, with a real second database alias in another process."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import RequestFactory

from policyhub.routers import PinToPrimaryMiddleware, PrimaryReplicaRouter, _pinned_to_primary
from tests import factories

SCRIPT = """
import json
from django.db import connections
from django.test import Client
from documents import readings
for alias in ("default", "replica"):
    connections[alias].force_debug_cursor = True
page = Client().get("/notices/")
readings.record_reading({pk})
print(json.dumps({{
    "status": page.status_code,
    "listed": page.content.decode().count('class="notice-row"'),
    "replica": [q["sql"] for q in connections["replica"].queries],
    "default": [q["sql"] for q in connections["default"].queries],
}}))
"""


def manage_shell(script: str, **env) -> str:
    """Run ``script`` in ``manage.py shell`` in a process of its own (settings read there, from
    ``env``), and return the last line it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env={**os.environ, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def with_replica() -> dict:
    """The test database, named twice: as the primary and as the replica alias."""
    url = factories.database_url()
    return {"DATABASE_URL": url, "DATABASE_REPLICA_URL": url}


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    router = PrimaryReplicaRouter()
    assert router.db_for_read(None) == "replica"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "documents") is False


@pytest.mark.parametrize(
    "method, path, pinned",
    [("GET", "/notices/", False), ("POST", "/notices/", True), ("GET", "/admin/", True)],
)
def test_writes_and_the_admin_read_from_the_primary(method, path, pinned):
    seen = {}

    def view(request):
        seen["pinned"] = _pinned_to_primary.get()
        seen["read_from"] = PrimaryReplicaRouter().db_for_read(None)
        return "ok"

    request = RequestFactory().generic(method, path)
    PinToPrimaryMiddleware(view)(request)
    assert seen["pinned"] is pinned
    assert seen["read_from"] == ("default" if pinned else "replica")
    assert _pinned_to_primary.get() is False  # reset after the request


@pytest.mark.django_db(transaction=True)
def test_a_second_database_alias_serves_the_pages():
    notice = factories.notice(title="经副本读取的文件")
    report = json.loads(manage_shell(SCRIPT.format(pk=notice.pk), **with_replica()))
    assert report["status"] == 200 and report["listed"] == 1
    assert any("documents_notice" in sql for sql in report["replica"])
    assert not any(sql.startswith("SELECT") for sql in report["default"])
    assert any("documents_noticeviews" in sql for sql in report["default"])  # the reading
    assert factories.view_count(notice) == 1


LAG_SCRIPT = """
import json
from django.db import connections
from django.test import Client
from documents import services
from documents.models import ArchiveGeneration, Notice
from tests import factories

notice = factories.notice(title="旧标题甲乙")
url = notice.get_absolute_url()
replica = connections["replica"]
replica.ensure_connection()
lagging = replica.connection.cursor()
lagging.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
lagging.execute("SELECT count(*) FROM documents_notice")  # the replica's view stops here
Notice.objects.filter(pk=notice.pk).update(title="新标题丙丁")  # an editor, on the primary
services.index_notices([notice.pk])
during = Client().get(url).content.decode()
lagging.execute("COMMIT")  # the replica catches up
ArchiveGeneration.forget()  # as after ArchiveGeneration.TRUST_SECONDS
after = Client().get(url).content.decode()
Notice.objects.filter(pk=notice.pk).delete()
print(json.dumps({"during": "旧标题甲乙" in during, "after": "新标题丙丁" in after}))
"""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a replica (and a snapshot that stands in for its lag) needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_lagging_replica_never_leaves_old_text_cached_as_new():
    """The notice page's cache key (the archive generation) is read where its content is: a
    generation from the primary would file the replica's old text under the new key."""
    report = json.loads(manage_shell(LAG_SCRIPT, **with_replica()))
    assert report["during"]  # while it lags, the replica's (old) text, as before this change
    assert report["after"]  # once it caught up, the new text: nothing stale was cached


def test_redis_url_gives_a_shared_cache():
    """With REDIS_URL the cache is Redis (running beside PostgreSQL on this machine and CI)."""
    script = (
        "from django.core.cache import caches; import uuid; key = uuid.uuid4().hex; "
        "cache = caches['default']; cache.set(key, '区域协调', 30); "
        "print(type(cache).__name__, cache.get(key))"
    )
    assert manage_shell(script, REDIS_URL="redis://127.0.0.1:6379/0") == "RedisCache 区域协调"
