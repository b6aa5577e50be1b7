"""简体 / 繁體: the interface translated by Django's i18n, notice text converted by OpenCC."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents import i18n, services
from documents.models import Notice
from documents.parsing import parse_notice
from tests import factories

pytestmark = pytest.mark.django_db

SEED = Path(__file__).parent / "data" / "notice-fagai-diqu-2016-1771.txt"


@pytest.fixture
def traditional(client):
    """A reader who chose 繁體 with the header's switch."""
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302
    return client


def page(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.content.decode()


def html_lang(html):
    return re.search(r'<html lang="([^"]+)">', html)[1]


def import_seed():
    parsed = parse_notice(SEED.read_text(encoding="utf-8"))
    return services.import_notice(
        parsed=parsed,
        categories=[factories.category("regional-economy")],
        status=Notice.Status.PUBLISHED,
    ).notice


# --- the switch ------------------------------------------------------------------------------


def test_switching_sets_the_language_and_returns_to_the_same_url_with_its_query(client):
    url = "/notices/?category=regional-economy&year=2016&sort=oldest"
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    assert html_lang(page(client, url)) == "zh-Hant"

    back = client.post("/i18n/setlang/", {"language": "zh-hans", "next": url})
    assert back["Location"] == url
    assert html_lang(page(client, url)) == "zh-Hans"


def test_every_page_has_the_switch_posting_back_to_the_current_page(client):
    html = page(client, "/notices/", query_params={"year": "2016", "issuer": ""})
    form = re.search(
        r'<form class="script-switch" action="/i18n/setlang/" method="post">.*?</form>', html, re.S
    )[0]
    assert "csrfmiddlewaretoken" not in form  # the switch is CSRF-exempt: see policyhub/urls.py
    assert '<input type="hidden" name="next" value="/notices/?year=2016&amp;issuer=">' in form
    buttons = re.findall(r"<button [^>]*>[^<]*</button>", form)
    assert buttons == [
        '<button type="submit" name="language" value="zh-hans" lang="zh-Hans" '
        'aria-pressed="true">简体</button>',
        '<button type="submit" name="language" value="zh-hant" lang="zh-Hant" '
        'aria-pressed="false">繁體</button>',
    ]


def test_a_switch_to_another_site_is_not_followed(client):
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hant", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# --- the interface ---------------------------------------------------------------------------


def test_the_default_interface_is_simplified(client):
    factories.notice(categories=[factories.category()])
    html = page(client, "/notices/")
    assert html_lang(html) == "zh-Hans"
    for text in ["政策分类", "全部文件", "发文机关", "共 1 个文件", "全部分类", "时效性"]:
        assert text in html, text


def test_the_interface_in_traditional(traditional):
    factories.notice(categories=[factories.category()], validity=Notice.Validity.REPEALED)
    html = page(traditional, "/notices/")
    assert html_lang(html) == "zh-Hant"
    for text in ["政策分類", "全部文件", "發文機關", "共 1 個文件", "全部分類", "時效性", "篩選"]:
        assert text in html, text
    assert '<span class="badge">已廢止</span>' in html
    assert '<option value="regional-economy">區域經濟政策</option>' in html  # the filter's select
    assert "政策分类" not in html and "发文机关" not in html
    assert "<title>全部文件 · PolicyHub 政策文件庫</title>" in html


def test_the_not_found_page_follows_the_choice(traditional):
    response = traditional.get("/notices/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>找不到頁面</h1>" in html and html_lang(html) == "zh-Hant"


def test_the_browsers_language_chooses_when_the_reader_has_not(client):
    assert html_lang(page(client, "/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.8")) == "zh-Hant"
    assert html_lang(page(client, "/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.8")) == "zh-Hans"
    assert html_lang(page(client, "/", HTTP_ACCEPT_LANGUAGE="en-US")) == "zh-Hans"


def test_the_admin_stays_in_simplified(traditional):
    user = get_user_model().objects.create_superuser("editor", "e@example.com", "x")
    traditional.force_login(user)
    html = page(traditional, "/admin/")
    assert "注销" in html and "登出" not in html
    assert '<html lang="zh-hans"' in html


# --- the content -----------------------------------------------------------------------------


def test_a_simplified_notice_is_shown_in_traditional(traditional):
    notice = factories.notice(
        title="关于促进区域协调发展的通知",
        doc_number="发改地区〔2016〕1771号",
        lead_issuer=factories.body("国家发展改革委"),
        categories=[factories.category("regional-economy")],
        preamble="各省、自治区发展改革委：\n现将有关事项通知如下。",
        units=[("总体要求", "着力推动区域协调发展，为群众发布信息。")],
    )
    html = page(traditional, notice.get_absolute_url())
    assert "<h1>關於促進區域協調發展的通知</h1>" in html
    assert "<title>關於促進區域協調發展的通知 · PolicyHub 政策文件庫</title>" in html
    assert ">國家發展改革委</a>" in html
    assert "現將有關事項通知如下。" in html
    assert "總體要求" in html
    # s2tw forms (為 群眾 著), official 發布, and no Taiwan vocabulary (資訊).
    assert "著力推動區域協調發展，為群眾發布信息。" in html
    assert "區域經濟政策" in html  # the category, in the menu and the metadata
    # The document number is an identifier: shown as written, in either script.
    assert "发改地区〔2016〕1771号" in html


def test_the_traditional_seed_is_shown_in_simplified(client):
    notice = import_seed()
    html = page(client, notice.get_absolute_url())
    assert (
        "<h1>国家发展改革委关于印发贯彻落实区域发展战略促进区域协调发展的指导意见的通知</h1>"
        in html
    )
    assert "总体要求" in html and "總體要求" not in html
    assert "已经国务院同意" in html
    assert "發改地區[2016]1771號" in html  # the document number as written

    rows = page(client, "/notices/")
    assert "国家发展改革委关于印发贯彻落实区域发展战略" in rows


def test_search_highlighting_works_on_the_converted_text(traditional):
    notice = factories.notice(
        title="关于促进区域协调发展的通知", units=[("总体要求", "推动区域协调发展。")]
    )
    rows = page(traditional, "/notices/", query_params={"q": "區域"})
    assert "關於促進<mark>區域</mark>協調發展的通知" in rows
    assert "推動<mark>區域</mark>協調發展。" in rows  # the snippet of the matching unit

    detail = page(traditional, notice.get_absolute_url(), query_params={"q": "区域"})
    assert "<h1>關於促進<mark>區域</mark>協調發展的通知</h1>" in detail
    assert "<p>推動<mark>區域</mark>協調發展。</p>" in detail


def test_drafts_stay_hidden_in_traditional(traditional):
    draft = factories.notice(title="草稿文件", published=False)
    assert traditional.get(draft.get_absolute_url()).status_code == 404
    assert "草稿文件" not in page(traditional, "/notices/")


def test_the_detail_page_uses_as_many_queries_in_either_script(client):
    region = factories.category()
    small = factories.notice(categories=[region], sections=2)
    big = factories.notice(categories=[region], sections=60)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            page(client, url)
        return len(queries)

    other = factories.notice(categories=[region]).get_absolute_url()
    page(client, "/")  # the category menu is cached from here on
    page(client, other)  # and the related notices, in each script
    simplified = count(small.get_absolute_url())
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    page(client, other)
    assert count(small.get_absolute_url()) == simplified
    assert count(big.get_absolute_url()) == simplified


def test_conversion_is_cached_per_string():
    i18n.show_traditional.cache_clear()
    text = "现将有关事项通知如下。"
    assert i18n.in_reader_script(text, "zh-hant") == "現將有關事項通知如下。"
    assert i18n.in_reader_script(text, "zh-hant") == "現將有關事項通知如下。"
    info = i18n.show_traditional.cache_info()
    assert (info.misses, info.hits) == (1, 1)


# --- machine-facing output keeps the text as stored ------------------------------------------


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_api_feeds_and_export_do_not_follow_the_readers_choice(client):
    notice = factories.notice(title="关于区域发展的通知", validity=Notice.Validity.REPEALED)
    urls = [
        f"/api/notices/{notice.pk}/",
        "/api/notices/?q=区域",
        "/feeds/rss/",
        "/notices/export.csv",
    ]
    simplified = {url: body(client.get(url)) for url in urls}
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    traditional = {url: body(client.get(url)) for url in urls}
    for url in urls:
        assert traditional[url] == simplified[url], url
    assert "关于区域发展的通知" in simplified[urls[0]].decode()
    assert "已废止" in simplified[urls[0]].decode()


# --- the catalog -----------------------------------------------------------------------------

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hant" / "LC_MESSAGES"


def read_po(path):
    """{msgid: msgstr} of a .po file (no plurals or contexts: the catalog uses neither)."""
    entries, current, key = {}, {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ")):
            key, _, quoted = line.partition(" ")
            current[key] = ast.literal_eval(quoted)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid"):
                entries[current["msgid"]] = current.get("msgstr", "")
            current, key = {}, None
    return entries


def test_the_committed_catalog_is_complete_and_compiled():
    """Every interface string has its 繁體 form, and django.mo was rebuilt after django.po."""
    entries = read_po(CATALOG / "django.po")
    assert len(entries) > 50
    assert not [msgid for msgid, msgstr in entries.items() if not msgstr]
    with open(CATALOG / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert {msgid: compiled.gettext(msgid) for msgid in entries} == entries
    assert entries["政策分类"] == "政策分類" and entries["发布日期"] == "發布日期"


def test_every_string_the_pages_translate_is_in_the_catalog():
    """The Jinja2 pages translate with ``_("…")`` (formatted after, ``|format(n=…)``), the one
    form ``makemessages`` reads in them; a ``{% trans %}`` block it would silently leave out."""
    entries = read_po(CATALOG / "django.po")
    pages = sorted((Path(settings.BASE_DIR) / "documents" / "jinja2").rglob("*.html"))
    sources = "".join(page.read_text(encoding="utf-8") for page in pages)
    strings = {m[2] for m in re.finditer(r"""\b_\((["'])(.+?)\1\)""", sources)}
    assert len(pages) >= 14 and len(strings) > 60
    assert sorted(strings - set(entries)) == []
    assert "{% trans" not in sources


def test_only_the_switch_is_csrf_exempt(db):
    """The admin's forms keep Django's CSRF check: a forged login or import is refused."""
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 403
    assert strict.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"}).status_code == 302
