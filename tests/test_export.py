import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import export
from documents.models import CoIssuer, Notice
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = [
    "id",
    "title",
    "doc_number",
    "doc_number_official",
    "issuing_bodies",
    "issued_date",
    "published_date",
    "validity",
    "categories",
    "url",
]


@pytest.fixture
def archive(db):
    region, belt = factories.category("regional-economy"), factories.category("belt-and-road")
    ndrc, mof = factories.body("国家发展改革委"), factories.body("财政部")
    trad = factories.notice(
        title="關於促進區域協調發展的指導意見",
        doc_number="發改地區[2016]1771號",
        lead_issuer=ndrc,
        categories=[region, belt],
        issued_date=datetime.date(2016, 8, 16),
        published_date=datetime.date(2016, 10, 19),
    )
    CoIssuer.objects.create(notice=trad, body=mof, position=1)
    food = factories.notice(
        title="关于加强食品安全工作的通知",
        lead_issuer=mof,
        issued_date=datetime.date(2019, 5, 1),
        validity=Notice.Validity.REPEALED,
    )
    factories.notice(title="区域协调草稿", published=False)
    return {"trad": trad, "food": food}


def download(client, params=None):
    response = client.get("/notices/export.csv", params or {})
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def rows(content: bytes):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_is_utf8_csv_with_a_bom_that_excel_reads(client, archive):
    response, content = download(client)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="policyhub-notices-')
    assert content.startswith(b"\xef\xbb\xbf")
    assert "关于促进区域协调发展的指导意见".encode() in content


def test_export_rows_have_every_column_newest_first_without_drafts(client, archive):
    header, *body = rows(download(client)[1])
    assert header == HEADER
    assert body == [
        [
            str(archive["food"].pk),
            "关于加强食品安全工作的通知",
            archive["food"].doc_number,
            archive["food"].doc_number,
            "财政部",
            "2019-05-01",
            "",
            "已废止",
            "",
            f"http://testserver/notices/{archive['food'].pk}/",
        ],
        [
            str(archive["trad"].pk),
            # In one script (简体) throughout; the number also as written.
            "关于促进区域协调发展的指导意见",
            "發改地區[2016]1771號",
            "发改地区〔2016〕1771号",
            "国家发展改革委；财政部",
            "2016-08-16",
            "2016-10-19",
            "现行有效",
            "区域经济政策；一带一路政策",  # menu order
            f"http://testserver/notices/{archive['trad'].pk}/",
        ],
    ]


@pytest.mark.parametrize(
    "params",
    [{"q": "区域协调"}, {"q": "區域協調"}, {"category": "belt-and-road"}, {"year": "2016"}],
)
def test_export_takes_the_list_pages_filters(client, archive, params):
    titles = [row[1] for row in rows(download(client, params)[1])[1:]]
    assert titles == ["关于促进区域协调发展的指导意见"]


def test_every_text_cell_is_in_one_script_whatever_the_reader_chose(client, archive):
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    row = rows(download(client, {"year": "2016"})[1])[1]
    assert row[1:5] == [
        "关于促进区域协调发展的指导意见",
        "發改地區[2016]1771號",  # as written
        "发改地区〔2016〕1771号",
        "国家发展改革委；财政部",
    ]
    assert row[7:9] == ["现行有效", "区域经济政策；一带一路政策"]


@pytest.mark.parametrize(
    "params, message",
    [({"year": "abc"}, "year"), ({"category": "no-such-category"}, "category")],
)
def test_bad_filters_are_a_400_with_the_error(client, archive, params, message):
    response = client.get("/notices/export.csv", params)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{message}: ")


def test_export_stops_at_the_row_limit(client, archive, monkeypatch):
    monkeypatch.setattr(export, "MAX_EXPORT_ROWS", 1)
    assert len(rows(download(client)[1])) == 2  # header and one row


def test_cells_that_look_like_formulas_are_quoted_as_text(client, db):
    factories.notice(title='=HYPERLINK("http://evil")', doc_number="")
    [_, row] = rows(download(client)[1])
    assert row[1] == '\'=HYPERLINK("http://evil")'


def test_every_text_cell_that_looks_like_a_formula_is_quoted(client, db):
    from documents.models import Category

    evil_body = factories.body('=HYPERLINK("http://evil")国务院')
    evil_category = Category.objects.create(name="+SUM(A1)分类", slug="evil", menu_order=99)
    factories.notice(lead_issuer=evil_body, doc_number="", categories=[evil_category])
    [header, row] = rows(download(client)[1])
    cells = dict(zip(header, row, strict=True))
    assert cells["issuing_bodies"] == '\'=HYPERLINK("http://evil")国务院'
    assert cells["categories"] == "'+SUM(A1)分类"


def test_export_is_get_only(client, archive):
    assert client.post("/notices/export.csv").status_code == 405


def test_export_queries_do_not_grow_with_the_rows(client, archive):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            download(client)
        return len(captured)

    few = queries()
    for _ in range(5):
        factories.notice(categories=[factories.category()])
    assert queries() == few


def test_list_pages_link_to_the_export_of_what_they_show(client, archive):
    page = client.get("/notices/", {"q": "区域", "page": "1"}).content.decode()
    assert 'href="/notices/export.csv?q=%E5%8C%BA%E5%9F%9F"' in page
    category_page = client.get("/categories/belt-and-road/", {"year": "2016"}).content.decode()
    assert 'href="/notices/export.csv?year=2016&amp;category=belt-and-road"' in category_page
