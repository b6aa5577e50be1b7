import xml.etree.ElementTree as ET

import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.utils.timezone import localdate

from documents import sitemaps
from documents.models import CoIssuer, Notice
from tests import factories

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def urls(client, section, **params):
    """The <url> entries of a sitemap section as {location: lastmod}."""
    root = parse(client.get(f"/sitemap-{section}.xml", params))
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root}


def test_sitemap_index_points_at_each_section(client):
    factories.notice()
    index = parse(client.get("/sitemap.xml"))
    assert index.tag == f"{NS}sitemapindex"
    locations = [sitemap.findtext(f"{NS}loc") for sitemap in index]
    assert locations == [
        "http://testserver/sitemap-notices.xml",
        "http://testserver/sitemap-categories.xml",
        "http://testserver/sitemap-issuers.xml",
    ]
    for location in locations:
        assert client.get(location.removeprefix("http://testserver")).status_code == 200


def test_notice_sitemap_lists_published_notices_only_with_their_last_change(client):
    published = factories.notice(title="已发布的通知")
    draft = factories.notice(title="草稿", published=False)

    entries = urls(client, "notices")

    assert entries == {
        f"http://testserver{published.get_absolute_url()}": localdate(
            published.updated_at
        ).isoformat()
    }
    assert f"http://testserver{draft.get_absolute_url()}" not in entries


def test_category_sitemap_lists_every_category_dated_by_its_newest_published_notice(client):
    region = factories.category("regional-economy")
    notice = factories.notice(categories=[region])
    factories.notice(categories=[factories.category("belt-and-road")], published=False)

    entries = urls(client, "categories")

    assert len(entries) == 15
    assert entries["http://testserver/categories/regional-economy/"] == (
        localdate(notice.updated_at).isoformat()
    )
    # A category holding only a draft does not claim a change.
    assert entries["http://testserver/categories/belt-and-road/"] is None


def test_issuer_sitemap_lists_bodies_with_published_notices_lead_or_joint(client):
    ndrc = factories.body("国家发展改革委", slug="ndrc")
    mof = factories.body("财政部", slug="mof")
    draft_only = factories.body("只有草稿的机关", slug="drafts-only")
    factories.body("没有文件的机关", slug="no-notices")
    joint = factories.notice(lead_issuer=ndrc)
    CoIssuer.objects.create(notice=joint, body=mof, position=1)
    factories.notice(lead_issuer=draft_only, published=False)

    assert set(urls(client, "issuers")) == {
        "http://testserver/issuers/ndrc/",
        "http://testserver/issuers/mof/",
    }


def test_large_sitemap_is_paged_and_the_index_lists_every_page(client, monkeypatch):
    monkeypatch.setattr(sitemaps.NoticeSitemap, "limit", 2)
    notices = [factories.notice() for _ in range(5)]
    factories.notice(published=False)

    index = parse(client.get("/sitemap.xml"))
    pages = [
        sitemap.findtext(f"{NS}loc")
        for sitemap in index
        if "sitemap-notices" in sitemap.findtext(f"{NS}loc")
    ]
    assert pages == [
        "http://testserver/sitemap-notices.xml",
        "http://testserver/sitemap-notices.xml?p=2",
        "http://testserver/sitemap-notices.xml?p=3",
    ]
    listed = set()
    for page in (1, 2, 3):
        listed |= set(urls(client, "notices", p=page))
    assert listed == {f"http://testserver{n.get_absolute_url()}" for n in notices}


def test_the_notice_sitemap_is_what_djangos_sitemap_view_writes(client, rf, monkeypatch):
    """The notice pages are made without Django's sitemap view; byte for byte its output, its
    Last-Modified and X-Robots-Tag, a page at a time."""
    monkeypatch.setattr(sitemaps.NoticeSitemap, "limit", 2)
    for _ in range(3):
        factories.notice()
    factories.notice(published=False)
    for page in ("1", "2"):
        ours = client.get("/sitemap-notices.xml", {"p": page})
        django_view = sitemap_views.sitemap(
            rf.get("/sitemap-notices.xml", {"p": page}), sitemaps.SITEMAPS, section="notices"
        ).render()
        assert ours.content == django_view.content
        for header in ("Content-Type", "Last-Modified", "X-Robots-Tag"):
            assert ours[header] == django_view[header]


def test_the_notice_sitemap_makes_no_url_per_notice(client, monkeypatch):
    """Django's view called get_absolute_url (a URL reversal) per notice: 5,000 a page."""
    notices = [factories.notice() for _ in range(4)]
    made = []
    monkeypatch.setattr(Notice, "get_absolute_url", lambda notice: made.append(notice) or "")
    assert set(urls(client, "notices")) == {f"http://testserver/notices/{n.pk}/" for n in notices}
    assert made == []


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-nothing.xml",
        "/sitemap-notices.xml?p=9",
        "/sitemap-notices.xml?p=0",
        "/sitemap-notices.xml?p=-1",
        "/sitemap-notices.xml?p=abc",
        "/sitemap-notices.xml?p=99999999999999999999999",
    ],
)
def test_unknown_section_or_page_is_404(client, url):
    factories.notice()
    assert client.get(url).status_code == 404
