import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.feeds import FEED_LENGTH
from documents.models import CoIssuer
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(response):
    """The items of an RSS response as dicts of their child elements' text."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "description": item.findtext("description"),
            "pubDate": item.findtext("pubDate"),
            "categories": [c.text for c in item.findall("category")],
        }
        for item in channel.findall("item")
    ]


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_site_rss_lists_published_notices_newest_first_and_never_drafts(client):
    region = factories.category("regional-economy")
    factories.notice(
        title="关于促进区域协调发展的指导意见",
        categories=[region],
        issued_date=datetime.date(2016, 8, 16),
        published_date=datetime.date(2016, 10, 19),
    )
    factories.notice(title="关于新政策的通知", issued_date=datetime.date(2020, 3, 1))
    factories.notice(title="草稿不应出现在订阅中", published=False)

    items = rss_items(client.get("/feeds/rss/"))

    assert [item["title"] for item in items] == [
        "关于新政策的通知",
        "关于促进区域协调发展的指导意见",
    ]
    regional = items[1]
    assert regional["categories"] == ["区域经济政策"]
    assert regional["pubDate"] == "Wed, 19 Oct 2016 00:00:00 +0800"
    assert items[0]["pubDate"] == "Sun, 01 Mar 2020 00:00:00 +0800"


def test_an_old_notice_published_today_leads_the_feed(client):
    factories.notice(title="近年文件", issued_date=datetime.date(2020, 1, 1))
    factories.notice(
        title="新近公开的旧文件",
        issued_date=datetime.date(2010, 1, 1),
        published_date=datetime.date(2024, 5, 6),
    )
    titles = [item["title"] for item in rss_items(client.get("/feeds/rss/"))]
    assert titles == ["新近公开的旧文件", "近年文件"]


def test_item_links_to_the_notice_and_describes_it_in_plain_text(client):
    notice = factories.notice(
        title="关于印发《区域协调发展指导意见》的通知",
        doc_number="发改地区〔2016〕1771号",
        issued_date=datetime.date(2016, 8, 16),
        preamble="《关于贯彻落实区域发展战略的指导意见》已经国务院同意，现印发你们。<script>alert(1)</script>",
    )
    (item,) = rss_items(client.get("/feeds/rss/"))

    assert item["link"] == f"http://testserver{notice.get_absolute_url()}"
    description = item["description"]
    assert "发文字号：发改地区〔2016〕1771号" in description
    assert "发文机关：国家发展改革委" in description
    assert "成文日期：2016年8月16日" in description
    assert "已经国务院同意" in description
    # The description is HTML for the reader: the notice's own text is escaped, never markup.
    assert "<script>" not in description
    assert "&lt;script&gt;" in description


def test_an_item_is_in_one_script_whatever_the_source_wrote(client):
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})  # not the feed's
    factories.notice(
        title="關於促進區域協調發展的指導意見",
        doc_number="發改地區[2016]1771號",
        preamble="各地區要加強協調。",
    )
    (item,) = rss_items(client.get("/feeds/rss/"))
    assert item["title"] == "关于促进区域协调发展的指导意见"
    assert "发文字号：发改地区〔2016〕1771号" in item["description"]
    assert "各地区要加强协调。" in item["description"]


def test_long_notice_text_is_cut_to_a_short_excerpt(client):
    factories.notice(preamble="各地区要加强协调。" * 100)
    (item,) = rss_items(client.get("/feeds/rss/"))
    assert "各地区要加强协调。" in item["description"]
    assert len(item["description"]) < 400


def test_atom_feed_has_entries_with_authors_summaries_and_a_self_link(client):
    factories.notice(
        title="关于推进一带一路建设的意见", categories=[factories.category("belt-and-road")]
    )
    feed, entries = atom_entries(client.get("/feeds/atom/"))

    assert feed.findtext(f"{ATOM}title") == "最新政策文件 · PolicyHub 政策文件库"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://testserver/feeds/atom/"
    (entry,) = entries
    assert entry.findtext(f"{ATOM}title") == "关于推进一带一路建设的意见"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "国家发展改革委"
    assert entry.find(f"{ATOM}category").get("term") == "一带一路政策"
    assert "发文机关：国家发展改革委" in entry.findtext(f"{ATOM}summary")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_category_feed_holds_only_that_categorys_published_notices(client, kind):
    region = factories.category("regional-economy")
    factories.notice(title="区域经济文件", categories=[region])
    factories.notice(title="一带一路文件", categories=[factories.category("belt-and-road")])
    factories.notice(title="区域草稿", categories=[region], published=False)

    response = client.get(f"/feeds/categories/regional-economy/{kind}/")

    if kind == "rss":
        titles = [item["title"] for item in rss_items(response)]
        channel = ET.fromstring(response.content).find("channel")
        assert channel.findtext("title") == "区域经济政策 · PolicyHub 政策文件库"
        assert channel.findtext("link") == "http://testserver/categories/regional-economy/"
    else:
        _, entries = atom_entries(response)
        titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["区域经济文件"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_issuer_feed_holds_its_lead_and_joint_notices(client, kind):
    ndrc = factories.body("国家发展改革委")
    mof = factories.body("财政部")
    factories.notice(title="发改委牵头文件", lead_issuer=ndrc)
    joint = factories.notice(title="财政部联合发改委文件", lead_issuer=mof)
    CoIssuer.objects.create(notice=joint, body=ndrc, position=1)
    factories.notice(title="财政部单独文件", lead_issuer=mof)
    factories.notice(title="发改委草稿", lead_issuer=ndrc, published=False)

    response = client.get(f"/feeds/issuers/{ndrc.slug}/{kind}/")

    if kind == "rss":
        items = rss_items(response)
        titles = {item["title"] for item in items}
        joint_item = next(item for item in items if item["title"] == "财政部联合发改委文件")
        assert "发文机关：财政部、国家发展改革委" in joint_item["description"]
    else:
        _, entries = atom_entries(response)
        titles = {entry.findtext(f"{ATOM}title") for entry in entries}
    assert titles == {"发改委牵头文件", "财政部联合发改委文件"}


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/categories/no-such-category/rss/",
        "/feeds/categories/no-such-category/atom/",
        "/feeds/issuers/nobody/rss/",
        "/feeds/issuers/nobody/atom/",
    ],
)
def test_unknown_slug_is_404(client, url):
    assert client.get(url).status_code == 404


def test_feed_is_cut_to_the_latest_notices(client):
    for _ in range(FEED_LENGTH + 2):
        factories.notice()
    assert len(rss_items(client.get("/feeds/rss/"))) == FEED_LENGTH


def test_feed_uses_a_fixed_number_of_queries(client):
    region = factories.category("regional-economy")

    def queries_for_feed():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/feeds/categories/regional-economy/rss/").status_code == 200
        return len(queries)

    for i in range(2):
        factories.notice(categories=[region], lead_issuer=factories.body(f"机关{i}"))
    few = queries_for_feed()
    for i in range(2, 12):
        joint = factories.notice(categories=[region], lead_issuer=factories.body(f"机关{i}"))
        CoIssuer.objects.create(
            notice=joint, body=factories.body(f"联合机关{i}", slug=f"joint-{i}"), position=1
        )
    assert queries_for_feed() == few


def test_pages_link_their_feeds_in_the_head(client):
    ndrc = factories.body("国家发展改革委")
    factories.notice(categories=[factories.category("regional-economy")], lead_issuer=ndrc)
    site_feeds = [
        '<link rel="alternate" type="application/rss+xml" title="最新政策文件（RSS）" '
        'href="/feeds/rss/">',
        '<link rel="alternate" type="application/atom+xml" title="最新政策文件（Atom）" '
        'href="/feeds/atom/">',
    ]
    for url in ["/", "/notices/"]:
        head = client.get(url).content.decode().split("</head>")[0]
        for link in site_feeds:
            assert link in head, url

    head = client.get("/categories/regional-economy/").content.decode().split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/rss+xml" title="区域经济政策（RSS）" '
        'href="/feeds/categories/regional-economy/rss/">'
    ) in head
    assert 'type="application/atom+xml" title="区域经济政策（Atom）" ' in head
    assert 'href="/feeds/categories/regional-economy/atom/"' in head

    head = client.get(ndrc.get_absolute_url()).content.decode().split("</head>")[0]
    assert f'title="国家发展改革委（RSS）" href="/feeds/issuers/{ndrc.slug}/rss/"' in head
    assert f'title="国家发展改革委（Atom）" href="/feeds/issuers/{ndrc.slug}/atom/"' in head


def test_every_feed_link_on_a_page_answers(client):
    factories.notice(categories=[factories.category("regional-economy")])
    for page in ["/", "/categories/regional-economy/", factories.body().get_absolute_url()]:
        head = client.get(page).content.decode().split("</head>")[0]
        hrefs = [
            part.split('href="')[1].split('"')[0]
            for part in head.split("<link")
            if 'rel="alternate"' in part
        ]
        assert len(hrefs) >= 2
        for href in hrefs:
            assert client.get(href).status_code == 200, href


def test_detail_page_links_the_feeds_of_its_categories(client):
    notice = factories.notice(categories=[factories.category("belt-and-road")])
    head = client.get(notice.get_absolute_url()).content.decode().split("</head>")[0]
    assert 'title="一带一路政策（RSS）" href="/feeds/categories/belt-and-road/rss/"' in head
    assert 'title="一带一路政策（Atom）" href="/feeds/categories/belt-and-road/atom/"' in head
    assert 'href="/feeds/rss/"' in head


def test_home_category_and_issuer_pages_show_a_visible_subscribe_link(client):
    ndrc = factories.body("国家发展改革委", slug="ndrc")
    factories.notice(categories=[factories.category("regional-economy")], lead_issuer=ndrc)
    pages = {
        "/": ("订阅最新文件：", "/feeds/rss/", "/feeds/atom/"),
        "/categories/regional-economy/": (
            "订阅本类新文件：",
            "/feeds/categories/regional-economy/rss/",
            "/feeds/categories/regional-economy/atom/",
        ),
        "/issuers/ndrc/": (
            "订阅该机关新文件：",
            "/feeds/issuers/ndrc/rss/",
            "/feeds/issuers/ndrc/atom/",
        ),
    }
    for url, (label, rss, atom) in pages.items():
        body = client.get(url).content.decode().split("</head>")[1]
        assert (
            f'<p class="feed-links">{label}<a href="{rss}" type="application/rss+xml">RSS</a> · '
            f'<a href="{atom}" type="application/atom+xml">Atom</a></p>'
        ) in body, url
