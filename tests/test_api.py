import datetime
import json

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from documents.models import Attachment, CoIssuer, Notice, Section
from documents.services import assign_anchors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def archive(db):
    """Three published notices (one in traditional script, jointly issued) and a draft."""
    region, belt = factories.category("regional-economy"), factories.category("belt-and-road")
    ndrc, mof = factories.body("国家发展改革委"), factories.body("财政部")
    trad = factories.notice(
        title="關於促進區域協調發展的指導意見",
        doc_number="發改地區[2016]1771號",
        lead_issuer=ndrc,
        categories=[region],
        issued_date=datetime.date(2016, 8, 16),
        published_date=datetime.date(2016, 10, 19),
        units=[("總體要求", "推動區域協調發展，堅決打贏脫貧攻堅戰。")],
    )
    CoIssuer.objects.create(notice=trad, body=mof, position=1)
    simp = factories.notice(
        title="关于推进一带一路建设的通知",
        lead_issuer=mof,
        categories=[belt, region],
        issued_date=datetime.date(2018, 3, 1),
        validity=Notice.Validity.REPEALED,
        view_count=7,
        units=[("重点任务", "促进区域协调发展，建设核心区。")],
    )
    other = factories.notice(
        title="关于加强食品安全工作的通知",
        lead_issuer=ndrc,
        issued_date=datetime.date(2019, 5, 1),
        units=[("工作要求", "严格落实食品安全责任。")],
    )
    draft = factories.notice(title="区域协调草稿", lead_issuer=ndrc, published=False)
    return {"trad": trad, "simp": simp, "other": other, "draft": draft, "ndrc": ndrc, "mof": mof}


def titles(response):
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


# --- notice list -----------------------------------------------------------------------------


def test_list_is_paginated_newest_first_and_hides_drafts(api, archive):
    body = api.get("/api/notices/").json()
    assert body["count"] == 3
    assert body["next"] is None and body["previous"] is None
    assert [row["title"] for row in body["results"]] == [
        "关于加强食品安全工作的通知",
        "关于推进一带一路建设的通知",
        "關於促進區域協調發展的指導意見",
    ]


def test_list_row_carries_issuers_lead_first_categories_iso_dates_and_links(api, archive):
    row = next(
        r for r in api.get("/api/notices/").json()["results"] if r["id"] == archive["trad"].pk
    )
    assert row["doc_number"] == "發改地區[2016]1771號"
    assert [b["name"] for b in row["issuing_bodies"]] == ["国家发展改革委", "财政部"]
    assert row["categories"] == [
        {
            "name": "区域经济政策",
            "slug": "regional-economy",
            "url": "http://testserver/categories/regional-economy/",
        }
    ]
    assert row["issued_date"] == "2016-08-16" and row["published_date"] == "2016-10-19"
    assert row["validity"] == "current" and row["validity_label"] == "现行有效"
    assert row["url"] == f"http://testserver/notices/{archive['trad'].pk}/"
    assert row["api_url"] == f"http://testserver/api/notices/{archive['trad'].pk}/"


def test_list_filters_are_the_list_pages_filters(api, archive):
    ndrc, mof = archive["ndrc"], archive["mof"]
    assert set(titles(api.get("/api/notices/", {"category": "regional-economy"}))) == {
        "關於促進區域協調發展的指導意見",
        "关于推进一带一路建设的通知",
    }
    # An issuer's notices include those it issued jointly.
    assert set(titles(api.get("/api/notices/", {"issuer": mof.slug}))) == {
        "關於促進區域協調發展的指導意見",
        "关于推进一带一路建设的通知",
    }
    assert titles(api.get("/api/notices/", {"issuer": ndrc.slug, "year": 2019})) == [
        "关于加强食品安全工作的通知"
    ]
    assert titles(api.get("/api/notices/", {"validity": "repealed"})) == [
        "关于推进一带一路建设的通知"
    ]
    assert titles(api.get("/api/notices/", {"doc_number": "发改地区〔2016〕1771号"})) == [
        "關於促進區域協調發展的指導意見"
    ]
    dated = api.get("/api/notices/", {"date_after": "2017-01-01", "date_before": "2018-12-31"})
    assert titles(dated) == ["关于推进一带一路建设的通知"]


@pytest.mark.parametrize("q", ["区域协调", "區域協調"])
def test_search_in_either_script_ranks_title_matches_first(api, archive, q):
    assert titles(api.get("/api/notices/", {"q": q})) == [
        "關於促進區域協調發展的指導意見",  # the title match
        "关于推进一带一路建设的通知",  # a body match
    ]


def test_search_results_point_to_the_best_matching_unit(api, archive):
    rows = api.get("/api/notices/", {"q": "区域协调"}).json()["results"]
    hit = rows[1]["search_hit"]
    unit = archive["simp"].sections.get()
    assert hit["anchor"] == unit.anchor and hit["heading"] == "重点任务"
    assert hit["url"] == f"http://testserver/notices/{archive['simp'].pk}/#{unit.anchor}"
    assert "促进<mark>区域协调</mark>发展" in hit["snippet"]
    assert api.get("/api/notices/").json()["results"][0]["search_hit"] is None


def test_search_combines_with_filters_and_an_explicit_sort(api, archive):
    assert titles(api.get("/api/notices/", {"q": "区域协调", "category": "belt-and-road"})) == [
        "关于推进一带一路建设的通知"
    ]
    assert titles(api.get("/api/notices/", {"q": "区域协调", "sort": "newest"})) == [
        "关于推进一带一路建设的通知",
        "關於促進區域協調發展的指導意見",
    ]


def test_sort_orders_oldest_and_most_read(api, archive):
    assert titles(api.get("/api/notices/", {"sort": "oldest"}))[0] == (
        "關於促進區域協調發展的指導意見"
    )
    assert titles(api.get("/api/notices/", {"sort": "views"}))[0] == "关于推进一带一路建设的通知"


def test_drafts_are_never_found(api, archive):
    assert "区域协调草稿" not in titles(api.get("/api/notices/", {"q": "草稿"}))
    response = api.get(f"/api/notices/{archive['draft'].pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_pages_and_page_size(api, archive):
    first = api.get("/api/notices/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["count"] == 3
    assert first["next"] == "http://testserver/api/notices/?page=2&page_size=2"
    second = api.get("/api/notices/", {"page_size": 2, "page": 2}).json()
    assert [row["title"] for row in second["results"]] == ["關於促進區域協調發展的指導意見"]


def test_page_size_is_at_most_100_and_more_is_a_400(api, db):
    Notice.objects.bulk_create(
        Notice(title=f"文件{i}", status=Notice.Status.PUBLISHED) for i in range(105)
    )
    body = api.get("/api/notices/", {"page_size": 100}).json()
    assert body["count"] == 105 and len(body["results"]) == 100
    refused = api.get("/api/notices/", {"page_size": 1000})
    assert refused.status_code == 400
    assert refused.json() == {"page_size": ["每页最多 100 条。"]}


def test_a_repeated_parameter_is_a_400_naming_it(api, archive):
    response = api.get("/api/notices/?year=2016&year=2017&q=区域")
    assert response.status_code == 400
    assert response.json() == {"repeated_parameters": ["year"]}


@pytest.mark.parametrize("q", ["！！！", "，。"])
def test_a_query_with_nothing_searchable_is_a_400_saying_so(api, archive, q):
    response = api.get("/api/notices/", {"q": q})
    assert response.status_code == 400
    assert "没有可搜索的词" in response.json()["q"][0]


@pytest.mark.parametrize("page", ["99", "0", "abc"])
def test_a_bad_page_is_a_json_404(api, archive, page):
    response = api.get("/api/notices/", {"page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


# --- bad input names the parameter --------------------------------------------------------------


def test_unknown_parameters_are_a_400_naming_them(api, archive):
    response = api.get("/api/notices/", {"foo": "1", "categroy": "regional-economy", "q": "区域"})
    assert response.status_code == 400
    assert response.json() == {"unknown_parameters": ["categroy", "foo"]}


@pytest.mark.parametrize("url", ["/api/categories/", "/api/issuers/"])
def test_other_lists_refuse_unknown_parameters_too(api, archive, url):
    assert api.get(url, {"category": "x"}).json() == {"unknown_parameters": ["category"]}


def test_detail_refuses_filters(api, archive):
    response = api.get(f"/api/notices/{archive['trad'].pk}/", {"year": "2016"})
    assert response.json() == {"unknown_parameters": ["year"]}


def test_page_page_size_and_format_are_known(api, archive):
    response = api.get("/api/notices/", {"page": 1, "page_size": 5, "format": "json"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"year": "abc"}, "year"),
        ({"year": "99999"}, "year"),
        ({"category": "no-such-category"}, "category"),
        ({"issuer": "no-such-body"}, "issuer"),
        ({"validity": "forever"}, "validity"),
        ({"sort": "random"}, "sort"),
        ({"date_before": "2016-13-45"}, "date_before"),
        ({"date_after": "2016-01-01", "date_before": "yesterday"}, "date_before"),
        ({"q": "区" * 201}, "q"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_parameter(api, archive, params, parameter):
    response = api.get("/api/notices/", params)
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [parameter]
    assert errors[parameter] and all(isinstance(message, str) for message in errors[parameter])


# --- read-only -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(api, archive, method):
    detail = f"/api/notices/{archive['trad'].pk}/"
    for url in ["/api/notices/", detail, "/api/categories/", "/api/issuers/"]:
        response = getattr(api, method)(url, {"title": "改"}, format="json")
        assert response.status_code == 405, (method, url)
    assert Notice.objects.get(pk=archive["trad"].pk).title == "關於促進區域協調發展的指導意見"


def test_head_and_options_answer(api, archive):
    assert api.head("/api/notices/").status_code == 200
    assert api.options("/api/notices/").status_code == 200


# --- notice detail ---------------------------------------------------------------------------


@pytest.fixture
def structured(archive):
    """The traditional-script notice with an attachment and a chapter holding two sections."""
    notice = archive["trad"]
    notice.sections.all().delete()
    Attachment.objects.create(notice=notice, title="附件1：重点任务分工表", position=1)
    chapter = Section(
        notice=notice, kind="chapter", label="一、", number=1, heading="總體要求", position=1
    )
    assign_anchors([chapter])
    chapter.save()
    sections = [
        Section(
            notice=notice,
            parent=chapter,
            kind="section",
            label=f"({numeral})",
            number=i,
            heading=heading,
            text=text,
            position=i + 1,
        )
        for i, (numeral, heading, text) in enumerate(
            [("一", "指導思想", "全面貫徹黨的精神。"), ("二", "基本原則", "堅持統籌兼顧。")],
            start=1,
        )
    ]
    assign_anchors(sections)
    Section.objects.bulk_create(sections)
    return notice


def test_detail_has_the_unit_tree_attachments_and_metadata(api, structured):
    body = api.get(f"/api/notices/{structured.pk}/").json()
    page = f"http://testserver/notices/{structured.pk}/"
    assert body["title"] == "關於促進區域協調發展的指導意見"
    assert [b["name"] for b in body["issuing_bodies"]] == ["国家发展改革委", "财政部"]
    assert [c["slug"] for c in body["categories"]] == ["regional-economy"]
    assert body["issued_date"] == "2016-08-16"
    assert body["preamble"] == "现将有关事项通知如下。"
    assert body["attachments"] == [{"title": "附件1：重点任务分工表", "file": None}]
    [chapter] = body["units"]
    assert {k: chapter[k] for k in ["kind", "label", "number", "heading", "anchor", "url"]} == {
        "kind": "chapter",
        "label": "一、",
        "number": 1,
        "heading": "總體要求",
        "anchor": "ch-1",
        "url": f"{page}#ch-1",
    }
    assert chapter["children"] == [
        {
            "kind": "section",
            "label": "(一)",
            "number": 1,
            "heading": "指導思想",
            "text": "全面貫徹黨的精神。",
            "anchor": "s-1",
            "url": f"{page}#s-1",
            "children": [],
        },
        {
            "kind": "section",
            "label": "(二)",
            "number": 2,
            "heading": "基本原則",
            "text": "堅持統籌兼顧。",
            "anchor": "s-2",
            "url": f"{page}#s-2",
            "children": [],
        },
    ]


def test_reading_through_the_api_does_not_count_as_a_view(api, archive):
    api.get(f"/api/notices/{archive['trad'].pk}/")
    assert factories.view_count(archive["trad"]) == 0


def test_unknown_notice_is_404(api, archive):
    missing = api.get("/api/notices/999999/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "没有这个编号的已发布文件。"}
    assert api.get("/api/notices/abc/").status_code == 404


# --- categories and issuers ------------------------------------------------------------------


def test_categories_are_the_menu_with_published_counts(api, archive):
    body = api.get("/api/categories/").json()
    assert body["count"] == 15
    by_slug = {row["slug"]: row for row in body["results"]}
    assert by_slug["regional-economy"]["name"] == "区域经济政策"
    assert by_slug["regional-economy"]["notice_count"] == 2
    assert by_slug["belt-and-road"]["notice_count"] == 1
    assert by_slug["regional-economy"]["notices_url"] == (
        "http://testserver/api/notices/?category=regional-economy"
    )
    assert body["results"][0]["name"] == "十三五政策及新闻"


def test_issuers_count_lead_and_joint_published_notices(api, archive):
    factories.body("只有草稿的机关")
    factories.notice(title="草稿", lead_issuer=factories.body("只有草稿的机关"), published=False)
    rows = api.get("/api/issuers/").json()["results"]
    counts = {row["name"]: row["notice_count"] for row in rows}
    assert counts == {"国家发展改革委": 2, "财政部": 2}
    ndrc = next(row for row in rows if row["name"] == "国家发展改革委")
    assert ndrc["url"] == f"http://testserver/issuers/{archive['ndrc'].slug}/"


def test_the_counts_are_counted_once_per_archive_change(api, archive):
    api.get("/")  # the home page's busiest bodies and the menu count them first
    for url in ["/api/issuers/", "/api/categories/"]:
        with CaptureQueriesContext(connection) as queries:
            api.get(url)
        # the paginator counts the bodies or categories; nothing reads the notices again
        assert not any("documents_notice" in q["sql"] for q in queries.captured_queries), url
    factories.notice(title="新通知", lead_issuer=archive["ndrc"])  # a new generation
    counts = {
        row["name"]: row["notice_count"] for row in api.get("/api/issuers/").json()["results"]
    }
    assert counts["国家发展改革委"] == 3


# --- schema ----------------------------------------------------------------------------------

API_PATHS = ["/api/notices/", "/api/notices/{id}/", "/api/categories/", "/api/issuers/"]


def test_schema_is_openapi_3_yaml_with_every_path(api, db):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(API_PATHS) <= set(schema["paths"])
    validate_schema(schema)


def test_schema_as_json_documents_the_filters(api, db):
    response = api.get("/api/schema/", {"format": "json"})
    schema = json.loads(response.content)
    names = {p["name"] for p in schema["paths"]["/api/notices/"]["get"]["parameters"]}
    assert {"q", "category", "issuer", "year", "date_after", "date_before"} <= names
    assert {"doc_number", "validity", "sort", "page", "page_size"} <= names


# --- throughput ------------------------------------------------------------------------------


def _queries(api, url):
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_rows(api, archive):
    few = _queries(api, "/api/notices/")
    for _ in range(5):
        extra = factories.notice(categories=[factories.category()])
        CoIssuer.objects.create(notice=extra, body=archive["mof"], position=1)
    assert _queries(api, "/api/notices/") == few
    assert _queries(api, "/api/notices/?q=区域协调") == _queries(api, "/api/notices/?q=通知")


def test_detail_queries_do_not_grow_with_the_units(api, archive):
    small = _queries(api, f"/api/notices/{archive['other'].pk}/")
    big = factories.notice(sections=30, categories=[factories.category()])
    CoIssuer.objects.create(notice=big, body=archive["mof"], position=1)
    Attachment.objects.create(notice=big, title="附件", position=1)
    assert _queries(api, f"/api/notices/{big.pk}/") == small


def test_a_notice_has_its_doc_number_as_written_and_in_the_official_form(api, db):
    notice = factories.notice(doc_number="發改地區[2016]1771號")
    row = api.get("/api/notices/").json()["results"][0]
    assert (row["doc_number"], row["doc_number_official"]) == (
        "發改地區[2016]1771號",
        "发改地区〔2016〕1771号",
    )
    detail = api.get(f"/api/notices/{notice.pk}/").json()
    assert detail["doc_number_official"] == "发改地区〔2016〕1771号"
