"""Findability, citation and print: robots.txt, canonical links, titles and descriptions, the
citation line, the section links and the print stylesheet."""

import datetime
import html
import re
from pathlib import Path

import pytest
from django.conf import settings

from documents.models import CoIssuer, Section
from tests import factories

pytestmark = pytest.mark.django_db


def head(response):
    assert response.status_code == 200
    return response.content.decode().split("</head>")[0]


def canonical(response):
    links = re.findall(r'<link rel="canonical" href="([^"]*)">', head(response))
    assert len(links) == 1, links
    return links[0]


def meta_description(response):
    (description,) = re.findall(r'<meta name="description" content="([^"]*)">', head(response))
    return html.unescape(description)


def title(response):
    return html.unescape(re.search(r"<title>(.*?)</title>", head(response), re.S).group(1))


# --- robots.txt ------------------------------------------------------------------------------


def test_robots_txt_is_plain_text_keeping_crawlers_out_of_admin_and_naming_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200


# --- canonical links -------------------------------------------------------------------------


def test_detail_page_is_canonical_at_its_absolute_url_without_the_search_terms(client):
    notice = factories.notice(title="关于区域协调发展的通知")
    expected = f"http://testserver{notice.get_absolute_url()}"
    assert canonical(client.get(notice.get_absolute_url())) == expected
    assert canonical(client.get(notice.get_absolute_url(), {"q": "区域"})) == expected


def test_category_and_issuer_pages_are_canonical_at_their_own_url(client):
    ndrc = factories.body("国家发展改革委", slug="ndrc")
    factories.notice(categories=[factories.category("regional-economy")], lead_issuer=ndrc)
    response = client.get("/categories/regional-economy/", {"year": "2020", "sort": "oldest"})
    assert canonical(response) == "http://testserver/categories/regional-economy/"
    assert canonical(client.get("/issuers/ndrc/")) == "http://testserver/issuers/ndrc/"
    assert canonical(client.get("/")) == "http://testserver/"


def test_list_canonical_drops_filter_sort_and_search_but_keeps_plain_pagination(client):
    for _ in range(25):
        factories.notice()
    assert canonical(client.get("/notices/")) == "http://testserver/notices/"
    assert canonical(client.get("/notices/?page=2")) == "http://testserver/notices/?page=2"
    assert canonical(client.get("/notices/?page=1")) == "http://testserver/notices/"
    assert canonical(client.get("/notices/?sort=oldest&page=2")) == "http://testserver/notices/"
    assert canonical(client.get("/notices/?q=测试")) == "http://testserver/notices/"


# --- titles and descriptions -----------------------------------------------------------------


def test_each_page_has_its_own_title_and_description(client):
    ndrc = factories.body("国家发展改革委", slug="ndrc")
    notice = factories.notice(
        title="关于促进区域协调发展的指导意见",
        doc_number="发改地区〔2016〕1771号",
        issued_date=datetime.date(2016, 8, 16),
        lead_issuer=ndrc,
        categories=[factories.category("regional-economy")],
    )
    pages = {
        "/": ("PolicyHub 政策文件库", "中国政府政策文件库"),
        "/notices/": ("全部文件 · PolicyHub 政策文件库", "全部已发布的政策文件"),
        "/categories/regional-economy/": ("区域经济政策 · PolicyHub 政策文件库", "区域经济政策"),
        "/issuers/ndrc/": ("国家发展改革委 · PolicyHub 政策文件库", "国家发展改革委单独或联合发布"),
        notice.get_absolute_url(): (
            "关于促进区域协调发展的指导意见 · PolicyHub 政策文件库",
            "关于促进区域协调发展的指导意见（发改地区〔2016〕1771号），国家发展改革委，2016年8月16日",
        ),
    }
    for url, (expected_title, description_start) in pages.items():
        response = client.get(url)
        assert title(response) == expected_title, url
        assert meta_description(response).startswith(description_start), url


def test_list_titles_name_the_page_and_the_search(client):
    for _ in range(25):
        factories.notice()
    assert title(client.get("/notices/?page=2")) == "全部文件 · 第 2 页 · PolicyHub 政策文件库"
    assert title(client.get("/categories/regional-economy/")).startswith("区域经济政策 · ")
    assert title(client.get("/notices/?q=区域发展")).startswith("搜索“区域发展” · 全部文件")


# --- citation --------------------------------------------------------------------------------


def citation(response):
    match = re.search(r'<p class="citation-text">(.*?)</p>', response.content.decode(), re.S)
    assert match, "no citation on the page"
    return html.unescape(match.group(1))


def test_detail_page_gives_a_plain_citation_line(client):
    notice = factories.notice(
        title="关于印发《贯彻落实区域发展战略促进区域协调发展的指导意见》的通知",
        doc_number="发改地区〔2016〕1771号",
        issued_date=datetime.date(2016, 8, 16),
        published_date=datetime.date(2016, 10, 19),
        lead_issuer=factories.body("国家发展改革委"),
    )
    assert citation(client.get(notice.get_absolute_url())) == (
        "国家发展改革委：《关于印发〈贯彻落实区域发展战略促进区域协调发展的指导意见〉的通知》"
        f"（发改地区〔2016〕1771号），2016年8月16日。http://testserver/notices/{notice.pk}/"
    )


def test_citation_names_joint_issuers_and_leaves_out_what_is_missing(client):
    notice = factories.notice(
        title="关于联合开展检查的通知",
        doc_number="",
        issued_date=None,
        published_date=datetime.date(2021, 3, 5),
        lead_issuer=factories.body("财政部", slug="mof"),
    )
    CoIssuer.objects.create(notice=notice, body=factories.body("税务总局", slug="sat"), position=1)
    assert citation(client.get(notice.get_absolute_url())) == (
        f"财政部、税务总局：《关于联合开展检查的通知》，2021年3月5日。http://testserver/notices/{notice.pk}/"
    )


def test_citation_is_text_to_copy_not_a_script(client):
    notice = factories.notice()
    page = client.get(notice.get_absolute_url()).content.decode()
    box = re.search(r'<section class="citation".*?</section>', page, re.S).group(0)
    assert "引用本文" in box
    assert "<script" not in box and "<button" not in box


# --- links to sections -----------------------------------------------------------------------


def test_every_unit_has_a_link_to_itself_with_an_accessible_name(client):
    notice = factories.notice(units=[("指导思想", "全面贯彻落实。"), ("基本原则", "市场导向。")])
    Section.objects.create(
        notice=notice,
        kind=Section.Kind.ARTICLE,
        label="第一条",
        text="为了规范管理。",
        position=9,
        anchor="art-1",
    )
    page = client.get(notice.get_absolute_url()).content.decode()
    for unit in notice.sections.all():
        name = f"链接到此条：{unit.label}{unit.heading}"
        link = f'<a class="unit-link" href="#{unit.anchor}" aria-label="{name}">¶</a>'
        assert link in page, unit
        assert f'<section id="{unit.anchor}"' in page


# --- print -----------------------------------------------------------------------------------


def print_rules():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    start = css.index("@media print {")
    depth, end = 0, start
    for end in range(start, len(css)):
        depth += {"{": 1, "}": -1}.get(css[end], 0)
        if depth == 0 and css[end] == "}":
            break
    return css[start:end]


def test_print_stylesheet_hides_the_site_around_the_notice_and_prints_black_on_white(client):
    rules = print_rules()
    hidden = re.search(r"([^{}]*)\{\s*display:\s*none", rules).group(1)
    for selector in [
        ".site-header",
        ".category-menu",
        ".site-search",
        ".filter-form",
        ".site-footer",
        ".related",
        ".breadcrumb",
        ".toc",
        ".unit-link",
    ]:
        assert selector in hidden, selector
    assert "color: #000" in rules and "background: #fff" in rules
    assert re.search(r"h1, h2, h3[^{]*\{[^}]*break-after: avoid", rules)
    assert "a[href]::after { content: none" in rules
    # The stylesheet that holds these rules is the one every page links.
    page = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page
