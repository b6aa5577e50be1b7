"""The default cache (policyhub/cache.py, settings.CACHES): shared by every server process, so a
page one process made is served by any other; culled at archive size without listing its folder
at every write; emptied by migrate."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client

from policyhub.cache import FileCache
from tests import factories

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="the file cache is the default without REDIS_URL"
)


def in_another_process(script: str) -> str:
    """The last line ``script`` printed in ``manage.py shell``, a process of its own with the
    settings it reads from the environment (the test database; this run's cache folder)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env={**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": factories.database_url()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_what_one_process_cached_another_reads(db):
    cache.set("shared-test-key", "区域协调", 60)
    assert caches.create_connection("default").get("shared-test-key") == "区域协调"
    script = "from django.core.cache import cache; print(cache.get('shared-test-key'))"
    assert in_another_process(script) == "区域协调"


PAGE_FROM_ANOTHER_PROCESS = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
with CaptureQueriesContext(connection) as queries:
    response = Client().get(%r)
print(json.dumps({"status": response.status_code, "text": response.content.decode(),
                  "statements": [query["sql"] for query in queries]}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_page_one_server_process_made_is_served_by_another():
    """A second visit is a cache hit whichever worker answers: the other process runs no
    statement but the archive generation's."""
    notice = factories.notice(title="关于推进区域协调发展的指导意见")
    for url in ("/notices/", notice.get_absolute_url()):
        assert Client().get(url).status_code == 200  # made, and cached, here
        report = json.loads(in_another_process(PAGE_FROM_ANOTHER_PROCESS % url))
        assert report["status"] == 200
        assert "关于推进区域协调发展的指导意见" in report["text"]
        made_there = [sql for sql in report["statements"] if "archivegeneration" not in sql]
        if url == "/notices/":
            assert made_there == []
        else:  # a notice page: its reading, counted by the database in that process; no
            # statement reads the notice's text (its units), as making the page would
            assert len(made_there) <= 1
            assert not any("documents_section" in sql for sql in made_there)


def test_the_cache_is_culled_past_its_size(tmp_path):
    small = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_EVERY": 1}})
    for n in range(30):
        small.set(f"page-{n}", "正文" * 100)
    assert len(list(tmp_path.iterdir())) <= 10
    assert small.get("page-29") == "正文" * 100  # the entry just written stays


def test_a_removed_folder_is_an_empty_cache(tmp_path):
    folder = tmp_path / "cache"
    files = FileCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_EVERY": 1}})
    files.set("page", "正文")
    shutil.rmtree(folder)
    assert files.get("page") is None
    files.clear()  # (migrate empties it)
    files.set("page", "正文")
    assert files.get("page") == "正文"


def test_a_write_does_not_list_the_folder_each_time(tmp_path, monkeypatch):
    """Django's file cache listed its folder at every write: 680 ms at 200,000 entries."""
    listed = []
    monkeypatch.setattr(FileCache, "_list_cache_files", lambda self: listed.append(1) or [])
    big = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_EVERY": 1000}})
    for n in range(200):
        big.set(f"page-{n}", "正文")
    assert len(listed) < 10  # about one in a thousand, not 200


def test_get_or_set_computes_a_missing_value_once_and_opens_one_file_for_it(tmp_path, monkeypatch):
    files = FileCache(str(tmp_path), {})
    computed, opened = [], []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))

    assert files.get_or_set("menu", lambda: computed.append(1) or "菜单") == "菜单"
    # the lookup that missed, and the write of the value (a descriptor mkstemp opened)
    assert len([path for path in opened if isinstance(path, str)]) == 1
    assert files.get_or_set("menu", lambda: computed.append(1) or "另一个") == "菜单"
    assert computed == [1]
    assert FileCache(str(tmp_path), {}).get("menu") == "菜单"  # stored for other processes


def test_migrate_empties_the_cache(db):
    """A database made anew counts its archive generations from zero again: nothing cached for
    another database's generations may be served for its own."""
    cache.set("home:1", "另一个数据库的首页", 60)
    call_command("migrate", verbosity=0)
    assert cache.get("home:1") is None
