"""The search service: its index kept in step with the database, its HTTP answers, the app's
use of it and its fall back to the database. The search pages' behaviour through it is
tests/test_search.py's, run with each engine."""

import csv
import datetime
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from documents import search, search_service
from documents.management.commands.serve_search import keep_in_step, make_server
from documents.models import ArchiveGeneration, Category, Notice
from documents.search_index import SearchIndex
from documents.services import publish, unpublish
from tests import factories

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search service indexes PostgreSQL"
)


def titles(response):
    return [n.title for n in response.context["notices"]]


def get(server, path: str) -> tuple[int, dict]:
    http = HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    http.request("GET", path)
    response = http.getresponse()
    return response.status, json.loads(response.read())


@pytest.fixture
def served(db, tmp_path):
    """A service's server over an index not synced yet."""
    index = SearchIndex(tmp_path / "index")
    server = make_server(index, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@postgresql_only
def test_the_service_answers_only_once_in_step_and_refuses_bad_parameters(served):
    factories.notice(title="关于海洋经济的通知")
    # Still indexing: the app servers rank in the database meanwhile.
    assert get(served, "/search?word=%E6%B5%B7%E6%B4%8B")[0] == 503
    assert get(served, "/healthz")[1] == {
        "ready": False,
        "generation": None,
        "notices": 0,
        "error": None,
    }
    served.index.sync()
    health = get(served, "/healthz")[1]
    assert health["ready"] and health["notices"] == 1
    assert health["generation"] == ArchiveGeneration.current()
    status, answer = get(served, "/search?word=%E6%B5%B7%E6%B4%8B")
    assert status == 200 and answer["count"] == 1 and len(answer["ids"]) == 1
    for bad in (
        "/search",  # no word
        "/search?word=a&offset=-1",
        "/search?word=a&limit=0",
        "/search?word=a&limit=1000001",
        "/search?word=a&category=x",
        "/search?word=a&category=1&category=2",
        "/search?word=a&issued=5",
        "/search?word=a&issued=-3:",
        "/search?word=a&category=18446744073709551616",  # past any id
        "/search?word=a&issued=:99999999999999999999",
    ):
        status, answer = get(served, bad)
        assert status == 400 and answer["error"], bad
    assert get(served, "/other")[0] == 404


@postgresql_only
def test_the_index_holds_the_published_notices_as_the_database_has_them(db, tmp_path):
    index = SearchIndex(tmp_path / "index")
    kept = factories.notice(title="关于海洋经济的通知")
    edited = factories.notice(title="关于海洋渔业的通知")
    gone = factories.notice(title="关于海洋运输的通知")
    draft = factories.notice(title="关于海洋气象的通知", published=False)
    assert index.sync() == 3
    assert index.search(["海洋"])[1] == 3
    assert index.sync() == 0  # nothing changed, nothing read again

    edited.title = "关于内河航运的通知"
    edited.save()
    from documents.services import index_notices

    index_notices([edited.pk])
    gone.delete()
    publish(Notice.objects.filter(pk=draft.pk))
    assert index.sync() == 3
    ids, count = index.search(["海洋"])
    assert count == 2 and set(ids) == {kept.pk, draft.pk}
    assert index.search(["航运"])[0] == [edited.pk]
    unpublish(Notice.objects.filter(pk=kept.pk))
    index.sync()
    assert index.search(["海洋"])[0] == [draft.pk]


@postgresql_only
def test_the_service_filters_as_the_list_pages_do(client, service):
    region, trade = factories.category(), factories.category("free-trade-zones")
    lead, joint = factories.body("商务部"), factories.body("财政部")
    first = factories.notice(
        title="关于区域协调的通知",
        issued_date=datetime.date(2016, 3, 1),
        categories=[region],
        lead_issuer=lead,
    )
    second = factories.notice(
        title="关于区域协调的意见",
        issued_date=datetime.date(2018, 7, 1),
        categories=[trade],
        validity=Notice.Validity.REPEALED,
    )
    second.co_issuer_links.create(body=joint)
    factories.notice(title="关于区域协调的办法", issued_date=None)
    cases = [
        ({"category": region.slug}, [first]),
        ({"category": trade.slug}, [second]),
        ({"issuer": lead.slug}, [first]),
        ({"issuer": joint.slug}, [second]),  # a joint issuer
        ({"year": "2018"}, [second]),
        ({"date_after": "2016-01-01", "date_before": "2016-12-31"}, [first]),
        ({"date_after": "2017-01-01"}, [second]),
        ({"validity": "repealed"}, [second]),
        ({"year": "2016", "date_after": "2016-06-01"}, []),
    ]
    for params, expected in cases:
        response = client.get("/notices/", {"q": "區域協調", **params})
        assert titles(response) == [n.title for n in expected], params
        assert response.context["paginator"].count == len(expected)
    category_page = client.get(f"/categories/{trade.slug}/", {"q": "区域协调"})
    assert titles(category_page) == [second.title]


@postgresql_only
def test_deep_pages_and_the_api_are_ranked_by_the_service(client, service, monkeypatch):
    made = [
        factories.notice(
            title=f"关于第{i}批区域协调项目的通知", issued_date=datetime.date(2000 + i, 1, 1)
        )
        for i in range(25)
    ]
    asked = record_asks(monkeypatch)
    second = client.get("/notices/", {"q": "区域协调", "page": 2})
    api = client.get("/api/notices/", {"q": "区域协调", "page_size": 10}).json()
    assert second.context["paginator"].count == 25 and len(titles(second)) == 5
    assert {"offset": 20, "limit": 5}.items() <= asked[1].items()  # the rows of page 2 only
    assert api["count"] == 25 and len(api["results"]) == 10
    shown = titles(second) + [row["title"] for row in api["results"]]
    assert set(shown) <= {n.title for n in made}


@postgresql_only
def test_a_service_that_does_not_answer_leaves_search_to_the_database(client, db, settings):
    factories.notice(title="关于区域协调的通知")
    with socket_nobody_listens_on() as port:
        settings.SEARCH_URL = f"http://127.0.0.1:{port}"
        response = client.get("/notices/", {"q": "区域协调"})
    assert response.status_code == 200
    assert titles(response) == ["关于区域协调的通知"]
    assert response.context["paginator"].count == 1


@postgresql_only
def test_a_service_still_indexing_leaves_search_to_the_database(client, served, settings):
    factories.notice(title="关于区域协调的通知")
    settings.SEARCH_URL = f"http://127.0.0.1:{served.server_port}"
    assert titles(client.get("/notices/", {"q": "区域协调"})) == ["关于区域协调的通知"]


@postgresql_only
def test_phrases_doc_numbers_and_other_sorts_are_ranked_in_the_database(
    client, service, monkeypatch
):
    asked = record_asks(monkeypatch)
    factories.notice(title="关于区域协调的通知", doc_number="发改地区〔2016〕1771号")
    for q in ('"区域协调"', "发改地区〔2016〕1771号"):
        assert titles(client.get("/notices/", {"q": q})) == ["关于区域协调的通知"]
    for params in ({"sort": "newest"}, {"doc_number": "1771"}):
        assert titles(client.get("/notices/", {"q": "区域协调", **params})) == [
            "关于区域协调的通知"
        ]
    assert asked == []
    client.get("/notices/", {"q": "区域协调"})
    assert len(asked) == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_keeper_follows_committed_writes_within_its_poll(tmp_path):
    index = SearchIndex(tmp_path / "index")
    stop = threading.Event()
    keeper = threading.Thread(target=keep_in_step, args=(index, 0.05, lambda line: None, stop))
    keeper.start()
    try:
        until(lambda: index.generation is not None)
        notice = factories.notice(title="关于海洋经济的通知")
        until(lambda: index.search(["海洋"])[0] == [notice.pk])
        # (A transactional test's database is emptied after it: the seeded categories may
        # be gone.)
        region, _ = Category.objects.get_or_create(slug="marine", defaults={"name": "海洋政策"})
        notice.categories.add(region)
        until(lambda: index.search(["海洋"], category=region.pk)[0] == [notice.pk])
        unpublish(Notice.objects.filter(pk=notice.pk))
        until(lambda: index.search(["海洋"])[1] == 0)
    finally:
        stop.set()
        keeper.join()


def test_the_service_refuses_to_start_on_sqlite_or_in_a_folder_in_use(db, tmp_path):
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("serve_search", "--index", str(tmp_path))
        return
    (tmp_path / "other").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("serve_search", "--index", str(tmp_path))


def record_asks(monkeypatch) -> list:
    """The parameters of each request the app sends the service, from now on."""
    asked = []
    ask = search_service.ask

    def recording(parameters):
        asked.append(dict(parameters))
        return ask(parameters)

    monkeypatch.setattr(search_service, "ask", recording)
    return asked


def until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in step in time"
        time.sleep(0.02)


class socket_nobody_listens_on:
    """A local port bound and closed again: a connection to it is refused."""

    def __enter__(self) -> int:
        import socket

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        return port

    def __exit__(self, *exc):
        return False


@postgresql_only
def test_a_title_that_holds_the_words_as_typed_comes_first(db, tmp_path):
    index = SearchIndex(tmp_path / "index")
    as_typed = factories.notice(
        title="重大行政决策程序暂行条例（2019年公布，附起草说明、配套制度和各地实施情况）",
        issued_date=datetime.date(2019, 4, 20),
    )
    scattered = factories.notice(
        title="重大行政事项决策程序暂行条例", issued_date=datetime.date(2023, 1, 1)
    )
    index.sync()
    query = search.parse_query("重大行政决策程序暂行条例")
    # The query's longest words (决策程序, 暂行条例) are never at consecutive positions of a
    # title, which also holds their shorter words: the words as typed, every cut, are.
    assert query.words == ["重大", "行政", "决策程序", "暂行条例"]
    ids, count = index.search(query.words, typed=query.typed)
    assert ids == [as_typed.pk, scattered.pk] and count == 2


@postgresql_only
def test_the_service_holds_the_words_postgresql_holds(db):
    """The service indexes the stored words split on spaces; the RUM index, PostgreSQL's
    parser's lexemes of the same text: the same words, so both count the same matches."""
    text = "增长50%，c++和c#，a&b_c，covid-19疫情，6.5亿元，GDP增速，“一带一路”，第（三）项，"
    stored = search.token_text(text)
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(tsvector_to_array(to_tsvector('simple', %s)))", [stored])
        lexemes = {lexeme for (lexeme,) in cursor.fetchall()}
    assert lexemes == set(stored.split())


@postgresql_only
def test_the_csv_export_of_a_search_lists_the_services_ranking(client, service, monkeypatch):
    factories.notice(title="关于年度工作的通知", units=[("一", "推进区域协调发展。")])
    factories.notice(title="关于区域协调发展的意见", issued_date=datetime.date(2001, 1, 1))
    asked = record_asks(monkeypatch)
    response = client.get("/notices/export.csv", {"q": "区域协调"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    titles = [row["title"] for row in csv.DictReader(io.StringIO(text))]
    assert titles == ["关于区域协调发展的意见", "关于年度工作的通知"]
    assert asked  # ranked by the service (the title match first, though older)


@postgresql_only
def test_a_search_the_index_is_not_yet_in_step_for_is_ranked_in_the_database(
    client, served, settings, monkeypatch
):
    factories.notice(title="关于区域协调的通知")
    served.index.sync()
    settings.SEARCH_URL = f"http://127.0.0.1:{served.server_port}"
    asked = record_asks(monkeypatch)
    assert titles(client.get("/notices/", {"q": "区域协调"})) == ["关于区域协调的通知"]
    newer = factories.notice(title="关于区域协调的意见")  # a write the keeper has not synced
    page = client.get("/notices/", {"q": "区域协调"})
    assert newer.title in titles(page) and page.context["paginator"].count == 2
    assert len(asked) == 2  # asked both times; the second answer was of an older generation


@postgresql_only
def test_a_failed_sync_keeps_nothing_and_the_next_does_it_all(db, tmp_path, monkeypatch):
    made = [factories.notice(title=f"关于海洋经济第{i}号的通知") for i in range(3)]
    index = SearchIndex(tmp_path / "index")
    monkeypatch.setattr("documents.search_index.READ_CHUNK", 1)
    read_rows = SearchIndex._read_rows
    calls = []

    def failing_on_the_second_chunk(self, ids):
        calls.append(ids)
        if len(calls) == 2:
            raise OSError("the database went away")
        return read_rows(self, ids)

    monkeypatch.setattr(SearchIndex, "_read_rows", failing_on_the_second_chunk)
    with pytest.raises(OSError):
        index.sync()
    assert index.generation is None and index.search(["海洋"])[1] == 0
    assert index.sync() == 3
    ids, count = index.search(["海洋"])
    assert count == 3 and sorted(ids) == sorted(n.pk for n in made)  # each once


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_command_serves_the_archive_and_removes_its_index_when_stopped():
    """``manage.py serve_search`` as a process manager runs it: it indexes the committed
    notices, answers, follows a write, and on SIGTERM exits cleanly without its folder."""
    notice = factories.notice(title="关于海洋经济的通知")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_search", "--port", "0", "--poll", "0.1"],
        env={**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": factories.database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        port, folder = re.match(
            r"Search service on http://[\d.]+:(\d+)/, index in (.+)", first
        ).groups()
        server = type("Server", (), {"server_port": int(port)})

        def found(word):
            status, answer = get(server, f"/search?word={quote(word)}")
            return answer["ids"] if status == 200 else None

        until(lambda: found("海洋") == [notice.pk], seconds=60)
        later = factories.notice(title="关于内河航运的通知")
        until(lambda: found("航运") == [later.pk])
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, process.stderr.read()
    assert not Path(folder).exists()


def test_a_service_that_failed_is_not_asked_again_for_a_while(settings):
    with socket_nobody_listens_on() as port:
        settings.SEARCH_URL = f"http://127.0.0.1:{port}"
        with pytest.raises(search_service.Unavailable, match="Connection refused"):
            search_service.ask([("word", "区域")])
        started = time.monotonic()
        with pytest.raises(search_service.Unavailable, match="failed less than"):
            search_service.ask([("word", "区域")])  # not asked: no wait, whatever the timeout
        assert time.monotonic() - started < 0.1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_keeper_reports_a_failed_sync_and_tries_again(tmp_path, monkeypatch):
    factories.notice(title="关于海洋经济的通知")
    index = SearchIndex(tmp_path / "index")
    sync, failures = SearchIndex.sync, []

    def failing_once(self, progress=None):
        if not failures:
            failures.append(1)
            raise RuntimeError("disk full")
        return sync(self, progress)

    monkeypatch.setattr(SearchIndex, "sync", failing_once)
    lines, stop = [], threading.Event()
    keeper = threading.Thread(target=keep_in_step, args=(index, 0.05, lines.append, stop))
    keeper.start()
    try:
        until(lambda: index.generation is not None)  # the second sync, after the failure
    finally:
        stop.set()
        keeper.join()
    assert any("sync failed, trying again: RuntimeError: disk full" in line for line in lines)
    assert index.error is None and index.search(["海洋"])[1] == 1
