"""Fuzzed requests against every public URL: hostile query strings and paths never give a 5xx.

Hypothesis builds raw query strings — the real filter names and random keys, repeated keys,
random and huge values, NUL bytes, broken ``%`` sequences, invalid UTF-8, traditional script,
SQL-ish text — and sends them, as a WSGI server would pass them on, to each family of pages.
Schemathesis then drives the JSON API from its own OpenAPI schema and checks every response
against it. The parser's own property (it never raises on arbitrary text) lives in
test_parsing_properties.py.

FUZZ_EXAMPLES sets the examples per URL family (default 300: one request each, about 3,000
requests in all with schemathesis's; raise it for a longer hunt).
"""

import json
import os
import re
from urllib.parse import quote
from xml.dom import minidom

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from documents.models import Attachment, CoIssuer
from tests.factories import body, category, notice

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    # One database per test, not per example: the requests only read (and count views).
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = settings.get_profile("fuzz")

FILTER_NAMES = [
    "q",
    "category",
    "issuer",
    "year",
    "date_after",
    "date_before",
    "doc_number",
    "validity",
    "sort",
    "page",
    "page_size",
    "format",
    "p",
]
HOSTILE_VALUES = [
    "",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "0x10",
    "99999999999999999999999999999",
    "-99999999999999999999",
    "2016",
    "1948",
    "2101",
    "2016-02-30",
    "2016-13-01",
    "9999-12-31",
    "0000-00-00",
    "2016-1-1",
    "last",
    "newest",
    "oldest",
    "views",
    "relevance",
    "current",
    "repealed",
    "regional-economy",
    "belt-and-road",
    "json",
    "api",
    "xml",
    "發改地區〔2016〕1771號",
    "发改地区[2016]1771号",
    "國務院辦公廳關於印發",
    '区域协调发展 -一带一路 "核心区"',
    '"',
    '""',
    "-",
    "--",
    "' OR 1=1 --",
    "'; DROP TABLE documents_notice; --",
    "%' UNION SELECT password FROM auth_user --",
    "\\",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ 7*7 }}",
    "{% debug %}",
    "../../etc/passwd",
    "\u202e\ufeff\u200b",
    "𠀀𪚥😀",
    "\ud7ff\ue000\uffff",
]
RAW_FRAGMENTS = ["%", "%%", "%zz", "%0", "%00", "%ff%fe", "%E4%B8", "%C0%AE", "&", "=", "+", ";"]


def _encoded(text: str) -> st.SearchStrategy[str]:
    """Text as a query string may carry it: percent-encoded, raw UTF-8, or with broken escapes."""
    raw_utf8 = text.encode("utf-8", "surrogatepass").decode("latin-1")
    return st.sampled_from(
        [
            quote(text.encode("utf-8", "surrogatepass"), safe=""),
            raw_utf8,
            raw_utf8.replace(" ", "+"),
        ]
    ) | st.builds(lambda fragment: quote(text[:5]) + fragment, st.sampled_from(RAW_FRAGMENTS))


values = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8).map(lambda s: s * 500),
    st.integers().map(str),
    st.dates().map(str),
    st.just("字" * 5000),
)
keys = st.one_of(
    st.sampled_from(FILTER_NAMES),
    st.sampled_from(FILTER_NAMES).map(lambda name: name + "[]"),
    st.text(max_size=12),
)
pair = st.tuples(keys.flatmap(_encoded), values.flatmap(_encoded))
query_strings = st.one_of(
    st.lists(pair, max_size=8).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    # Repeated keys, keys without "=", and raw bytes as a server hands them over (latin-1).
    st.lists(pair, max_size=4).map(
        lambda pairs: "&".join(f"{k}={v}&{k}={v}&{k}" for k, v in pairs)
    ),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.lists(st.sampled_from(RAW_FRAGMENTS), max_size=10).map("".join),
)
segments = st.one_of(
    st.sampled_from(["0", "-1", "99999999999999999999999", "abc", "..", ".", "%00", "%zz"]),
    st.text(max_size=30).map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="")),
    st.binary(min_size=1, max_size=30).map(lambda raw: quote(raw, safe="")),
    st.sampled_from(RAW_FRAGMENTS),
)


@pytest.fixture
def archive(db):
    """Published notices with units, co-issuers and attachments, a draft, categories, bodies."""
    lead = body("国家发展改革委")
    first = notice(
        sections=3,
        categories=[category("regional-economy")],
        doc_number="發改地區[2016]1771號",
        lead_issuer=lead,
    )
    CoIssuer.objects.create(notice=first, body=body("科技部"), position=1)
    Attachment.objects.create(notice=first, title="附件1：名单", position=1)
    second = notice(categories=[category("belt-and-road")], lead_issuer=body("国务院办公厅"))
    draft = notice(published=False, title="草稿")
    return {
        "published": [first.pk, second.pk],
        "draft": draft.pk,
        "missing": draft.pk + 1000,
        "category": "regional-economy",
        "issuer": lead.slug,
    }


def get(client, path: str, query: str = ""):
    """GET with the query string exactly as given (a WSGI server's latin-1 view of its bytes)."""
    response = client.get(path, QUERY_STRING=query)
    assert response.status_code < 500, f"{response.status_code} for {path}?{query!r}"
    return response


def assert_html(response):
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/html")
        assert response.content.rstrip().endswith(b"</html>")


def assert_xml(response):
    if response.status_code == 200:
        minidom.parseString(response.content)


def assert_json(response):
    if response["Content-Type"].startswith("application/json"):
        json.loads(response.content)


@FUZZ
@given(query=query_strings, page=st.sampled_from(["/", "/notices/", "category", "issuer"]))
def test_list_pages_never_fail(client, archive, query, page):
    path = {"category": "/categories/{category}/", "issuer": "/issuers/{issuer}/"}.get(page, page)
    assert_html(get(client, path.format(**archive), query))


@FUZZ
@given(query=query_strings, which=st.sampled_from(["published", "draft", "missing"]))
def test_notice_pages_never_fail(client, archive, query, which):
    pk = archive[which][0] if which == "published" else archive[which]
    response = get(client, f"/notices/{pk}/", query)
    assert_html(response)
    assert response.status_code == (200 if which == "published" else 404)


@FUZZ
@given(query=query_strings)
def test_csv_export_never_fails(client, archive, query):
    response = get(client, "/notices/export.csv", query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith("\ufeffid,".encode())


@FUZZ
@given(
    query=query_strings,
    path=st.sampled_from(
        [
            "/api/notices/",
            "/api/notices/{published[0]}/",
            "/api/notices/{draft}/",
            "/api/notices/{missing}/",
            "/api/categories/",
            "/api/issuers/",
            "/api/schema/",
        ]
    ),
)
def test_api_never_fails(client, archive, query, path):
    response = get(client, path.format(**archive), query)
    if path != "/api/schema/":
        assert response["Content-Type"].startswith("application/json"), path
        assert_json(response)


@FUZZ
@given(
    query=query_strings,
    path=st.sampled_from(
        [
            "/feeds/rss/",
            "/feeds/atom/",
            "/feeds/categories/{category}/rss/",
            "/feeds/categories/{category}/atom/",
            "/feeds/issuers/{issuer}/rss/",
            "/feeds/issuers/{issuer}/atom/",
            "/sitemap.xml",
            "/sitemap-notices.xml",
            "/sitemap-categories.xml",
            "/sitemap-issuers.xml",
            "/robots.txt",
        ]
    ),
)
def test_feeds_sitemaps_and_robots_never_fail(client, archive, query, path):
    response = get(client, path.format(**archive), query)
    if path != "/robots.txt":
        assert_xml(response)


URL_TEMPLATES = [
    "/{}/",
    "/{}",
    "/notices/{}/",
    "/notices/{}",
    "/categories/{}/",
    "/issuers/{}/",
    "/api/{}/",
    "/api/notices/{}/",
    "/api/notices/{}/{}/",
    "/feeds/categories/{}/rss/",
    "/feeds/issuers/{}/atom/",
    "/sitemap-{}.xml",
    "/static/{}",
    "/media/{}",
    "/i18n/{}/",
]


@FUZZ
@given(
    template=st.sampled_from(URL_TEMPLATES),
    parts=st.lists(segments, min_size=2, max_size=2),
    query=st.one_of(st.just(""), query_strings),
)
def test_random_paths_never_fail(client, archive, template, parts, query):
    path = template.format(*parts)
    response = get(client, path, query)
    if path.startswith("/api/") and response.status_code == 404:
        assert_json(response)
    elif "text/html" in response.get("Content-Type", ""):
        assert_html(response)


def test_an_unknown_api_address_is_a_json_404(client, db):
    for path in [
        "/api/notices/abc/",
        "/api/notices/%C2%84/",
        "/api/notices/1%0A/",
        "/api/nothing/",
    ]:
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}


# --- The API against its own OpenAPI schema ------------------------------------------------

api_schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
API_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def wsgi_requests():
    """Requests through the real WSGI handler inside a test transaction.

    The handler closes the database connection when a request finishes, which would end the
    test's transaction; Django's test client switches that off in the same way.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@api_schema.parametrize()
@settings(FUZZ, max_examples=EXAMPLES)
def test_api_conforms_to_its_schema(case, archive, wsgi_requests):
    pk = str((case.path_parameters or {}).get("id", ""))
    if re.fullmatch(r"\d+", pk) and int(pk) % 2 == 0:
        # Half the numeric ids hit a published notice, so that the detail schema is checked too.
        case.path_parameters["id"] = str(archive["published"][int(pk) // 2 % 2])
    case.call_and_validate(checks=API_CHECKS)
