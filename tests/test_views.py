import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import CoIssuer, Notice, Section
from tests import factories

pytestmark = pytest.mark.django_db


def titles(response):
    return [n.title for n in response.context["notices"]]


# --- home and menu ---------------------------------------------------------------------------


def test_home_lists_the_latest_published_notices_and_the_menu_with_counts(client):
    region = factories.category("regional-economy")
    factories.notice(title="关于区域协调发展的通知", categories=[region])
    factories.notice(title="草稿不应出现", categories=[region], published=False)
    page = client.get("/").content.decode()
    assert "关于区域协调发展的通知" in page
    assert "草稿不应出现" not in page
    assert re.search(r"区域经济政策<span class=\"count\"[^>]*>1</span>", page)
    menu = re.findall(r'/categories/[\w-]+/">([^<]+)<span', page)
    assert menu[0] == "十三五政策及新闻" and menu[4] == "区域经济政策"
    assert menu[-1] == "创新型产业集群政策" and len(menu) == 15


def test_every_page_carries_the_category_menu(client):
    notice = factories.notice(categories=[factories.category()])
    for url in [
        "/",
        "/notices/",
        "/categories/belt-and-road/",
        notice.get_absolute_url(),
        notice.lead_issuer.get_absolute_url(),
    ]:
        assert "一带一路政策" in client.get(url).content.decode(), url


# --- lists and filters -----------------------------------------------------------------------


def test_category_page_lists_only_its_published_notices(client):
    region = factories.category("regional-economy")
    factories.notice(title="区域文件", categories=[region])
    factories.notice(title="一带一路文件", categories=[factories.category("belt-and-road")])
    factories.notice(title="区域草稿", categories=[region], published=False)
    response = client.get("/categories/regional-economy/")
    assert titles(response) == ["区域文件"]
    assert "共 1 个文件" in response.content.decode()


def test_unknown_category_slug_is_404(client):
    assert client.get("/categories/no-such-thing/").status_code == 404


def test_filter_by_category_issuer_year_and_validity(client):
    region = factories.category("regional-economy")
    ndrc, mof = factories.body("国家发展改革委"), factories.body("财政部")
    factories.notice(
        title="甲", categories=[region], lead_issuer=ndrc, issued_date=datetime.date(2016, 8, 16)
    )
    factories.notice(
        title="乙",
        categories=[region],
        lead_issuer=mof,
        issued_date=datetime.date(2016, 3, 1),
        validity=Notice.Validity.REPEALED,
    )
    factories.notice(title="丙", lead_issuer=ndrc, issued_date=datetime.date(2018, 1, 1))
    assert set(titles(client.get("/notices/?category=regional-economy"))) == {"甲", "乙"}
    assert set(titles(client.get(f"/notices/?issuer={ndrc.slug}"))) == {"甲", "丙"}
    assert set(titles(client.get("/notices/?year=2016"))) == {"甲", "乙"}
    assert titles(client.get("/notices/?validity=repealed")) == ["乙"]
    assert titles(client.get(f"/notices/?year=2016&issuer={ndrc.slug}")) == ["甲"]


def test_filter_by_date_range(client):
    factories.notice(title="八月", issued_date=datetime.date(2016, 8, 16))
    factories.notice(title="十月", issued_date=datetime.date(2016, 10, 19))
    url = "/notices/?date_after=2016-09-01&date_before=2016-12-31"
    assert titles(client.get(url)) == ["十月"]


@pytest.mark.parametrize(
    "typed",
    [
        "发改地区〔2016〕1771号",
        "發改地區[2016]1771號",
        "发改地区［2016］1771号",
        "1771号",
        "发改地区[2016]",
    ],
)
def test_doc_number_filter_accepts_any_bracket_and_script(client, typed):
    factories.notice(title="目标", doc_number="發改地區[2016]1771號")
    factories.notice(title="别的", doc_number="国发〔2016〕17号")
    assert titles(client.get("/notices/", {"doc_number": typed})) == ["目标"]


def test_issuer_page_lists_lead_and_joint_notices(client):
    ndrc, mof = factories.body("国家发展改革委"), factories.body("财政部")
    factories.notice(title="牵头", lead_issuer=ndrc)
    joint = factories.notice(title="联合", lead_issuer=mof)
    CoIssuer.objects.create(notice=joint, body=ndrc, position=1)
    factories.notice(title="无关", lead_issuer=mof)
    response = client.get(ndrc.get_absolute_url())
    assert set(titles(response)) == {"牵头", "联合"}
    assert client.get("/issuers/nobody/").status_code == 404


@pytest.mark.parametrize("query", ["", "?year=2016"])
def test_a_category_or_issuer_page_has_no_select_for_what_it_fixes(client, query):
    """The page's own category (or body) is not offered again in its filter form, whether or
    not the address has a query string."""
    region, ndrc = factories.category("regional-economy"), factories.body("国家发展改革委")
    factories.notice(lead_issuer=ndrc, categories=[region])

    category_page = client.get(f"/categories/regional-economy/{query}").content.decode()
    issuer_page = client.get(f"{ndrc.get_absolute_url()}{query}").content.decode()

    assert 'name="category"' not in category_page and 'name="issuer"' in category_page
    assert 'name="issuer"' not in issuer_page and 'name="category"' in issuer_page


def test_category_and_issuer_together_list_the_notices_in_both(client):
    ndrc, mof = factories.body("国家发展改革委"), factories.body("财政部")
    region, road = factories.category("regional-economy"), factories.category("belt-and-road")
    factories.notice(title="区域牵头", lead_issuer=ndrc, categories=[region])
    joint = factories.notice(
        title="区域联合",
        lead_issuer=mof,
        categories=[region, road],
        issued_date=datetime.date(2020, 3, 1),
    )
    CoIssuer.objects.create(notice=joint, body=ndrc, position=1)
    factories.notice(title="区域他人", lead_issuer=mof, categories=[region])
    factories.notice(
        title="一带一路牵头",
        lead_issuer=ndrc,
        categories=[road],
        issued_date=datetime.date(2019, 3, 1),
    )
    factories.notice(title="区域草稿", lead_issuer=ndrc, categories=[region], published=False)
    draft = factories.notice(
        title="联合草稿", lead_issuer=mof, categories=[region], published=False
    )
    CoIssuer.objects.create(notice=draft, body=ndrc, position=1)
    both = {"区域牵头", "区域联合"}
    assert (
        set(titles(client.get("/notices/", {"category": region.slug, "issuer": ndrc.slug}))) == both
    )
    assert set(titles(client.get(region.get_absolute_url(), {"issuer": ndrc.slug}))) == both
    assert set(titles(client.get(ndrc.get_absolute_url(), {"category": region.slug}))) == both
    assert set(titles(client.get(ndrc.get_absolute_url()))) == {*both, "一带一路牵头"}
    on_road = client.get("/notices/", {"category": road.slug, "issuer": ndrc.slug, "year": 2020})
    assert titles(on_road) == ["区域联合"]
    assert (
        titles(
            client.get(
                "/notices/", {"category": road.slug, "issuer": factories.body("无文机关").slug}
            )
        )
        == []
    )


def test_sort_newest_oldest_and_most_read(client):
    factories.notice(title="旧", issued_date=datetime.date(2010, 1, 1), view_count=5)
    factories.notice(title="新", issued_date=datetime.date(2020, 1, 1), view_count=1)
    factories.notice(title="无日期", issued_date=None, view_count=9)
    assert titles(client.get("/notices/")) == ["新", "旧", "无日期"]
    assert titles(client.get("/notices/?sort=newest")) == ["新", "旧", "无日期"]
    assert titles(client.get("/notices/?sort=oldest")) == ["旧", "新", "无日期"]
    assert titles(client.get("/notices/?sort=views")) == ["无日期", "旧", "新"]


def test_pagination_keeps_the_filter_state_in_its_links(client, settings):
    for _ in range(25):
        factories.notice(categories=[factories.category()])
    response = client.get("/notices/?category=regional-economy&sort=oldest")
    page = response.content.decode()
    assert len(response.context["notices"]) == 20
    assert "共 25 个文件" in page
    assert 'href="?category=regional-economy&amp;sort=oldest&amp;page=2"' in page
    second = client.get("/notices/?category=regional-economy&sort=oldest&page=2")
    assert len(second.context["notices"]) == 5


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [
        ("category=no-such-category", "category"),
        ("issuer=nobody", "issuer"),
        ("validity=eternal", "validity"),
        ("year=abc", "year"),
        ("year=99999999999999999999", "year"),
        ("year=2016.5", "year"),
        ("date_after=2016-13-45", "date"),
        ("date_before=yesterday", "date"),
        ("sort=random", "sort"),
        ("doc_number=" + "号" * 5000, "doc_number"),
    ],
)
def test_bad_filter_values_show_the_form_with_an_error(client, query, field):
    factories.notice()
    response = client.get("/notices/?" + query)
    assert response.status_code == 200
    assert field in response.context["filter"].form.errors
    assert titles(response) == []
    assert "筛选条件有误" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1e3", "9" * 400])
def test_bad_page_numbers_are_404(client, page):
    factories.notice()
    assert client.get("/notices/", {"page": page}).status_code == 404


def test_page_last_is_the_last_page(client):
    factories.notice()
    assert client.get("/notices/?page=last").status_code == 200


def test_a_huge_query_string_is_refused_cleanly(client):
    factories.notice()
    many = "&".join(f"x{i}=1" for i in range(1000))
    assert client.get("/notices/?" + many).status_code == 200
    flood = "&".join(f"x{i}=1" for i in range(10001))
    assert client.get("/notices/?" + flood).status_code == 400
    long_value = client.get("/notices/", {"unknown": "很长" * 10000})
    assert long_value.status_code == 200


def test_unknown_parameters_are_ignored(client):
    factories.notice(title="唯一")
    assert titles(client.get("/notices/?utm_source=weixin")) == ["唯一"]


def test_non_numeric_notice_ids_are_404(client):
    assert client.get("/notices/abc/").status_code == 404
    assert client.get("/notices/99999999/").status_code == 404


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_metadata_text_attachments_and_anchored_units(client):
    notice = factories.notice(
        title="国家发展改革委关于印发贯彻落实区域发展战略促进区域协调发展的指导意见的通知",
        doc_number="發改地區[2016]1771號",
        issued_date=datetime.date(2016, 8, 16),
        published_date=datetime.date(2016, 10, 19),
        source="未知",
        addressees="各省、自治区、直辖市人民政府",
        signatory="国家发展改革委",
        body_title="关于贯彻落实区域发展战略促进区域协调发展的指导意见",
        body_intro="党中央、国务院高度重视促进区域协调发展工作。",
        sections=3,
        categories=[factories.category()],
    )
    notice.attachments.create(title="关于贯彻落实区域发展战略促进区域协调发展的指导意见")
    page = client.get(notice.get_absolute_url()).content.decode()
    for text in [
        "發改地區[2016]1771號",
        "2016年8月16日",
        "2016年10月19日",
        "现行有效",
        "各省、自治区、直辖市人民政府：",
        "附件",
        "党中央、国务院高度重视",
        "区域经济政策",
        "国家发展改革委",
    ]:
        assert text in page, text
    assert ">来源<" not in page  # 来源：未知 is no source
    assert 'id="s-1"' in page and 'id="s-3"' in page
    assert 'href="#s-3"' in page  # table of contents
    assert "第3项要求" in page


def test_detail_of_a_draft_is_404(client):
    draft = factories.notice(published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_each_view_counts_once(client):
    notice = factories.notice()
    for expected in (1, 2, 3):
        response = client.get(notice.get_absolute_url())
        assert f"{expected} 次" in response.content.decode()
    assert factories.view_count(notice) == 3


def test_related_notices_share_a_category_and_exclude_drafts_and_self(client):
    region = factories.category()
    notice = factories.notice(title="本文", categories=[region])
    factories.notice(title="同类文件", categories=[region])
    factories.notice(title="同类草稿", categories=[region], published=False)
    factories.notice(title="别类文件", categories=[factories.category("belt-and-road")])
    assert related_titles(client.get(notice.get_absolute_url())) == ["同类文件"]


def related_titles(response) -> list[str]:
    """The titles under 相关文件 (none: no such section)."""
    aside = re.search(r'<aside class="related".*?</aside>', response.content.decode(), re.S)
    return re.findall(r'class="notice-title"[^>]*>([^<]*)</a>', aside[0]) if aside else []


# --- no N+1 ----------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_pages_use_a_fixed_number_of_queries(client):
    region = factories.category()
    factories.notice(categories=[region])
    urls = [
        "/",
        "/notices/",
        "/notices/?category=regional-economy&year=2020",
        "/categories/regional-economy/",
        factories.body().get_absolute_url(),
    ]
    few = {url: count_queries(client, url) for url in urls}
    for _ in range(30):
        factories.notice(
            categories=[region, factories.category("belt-and-road")],
            lead_issuer=factories.body(f"机关{_}"),
        )
    many = {url: count_queries(client, url) for url in urls}
    assert few == many
    # home, first visit after a change: archive generation (read once a request) + latest + count
    # + the bodies, the notices each led and those each joined + the menu's categories and
    # their counts (later visits: the generation read only); a row shows no categories
    assert many["/"] == 8
    # list: generation + the whole list's ids (then cached: its count is their number) + the
    # page's rows + the two <select>s (menu cached)
    assert many["/notices/"] == 5


@pytest.mark.parametrize("whole_up_to", [20_000, 0], ids=["read whole", "by id"])
def test_every_page_lists_its_slice_of_the_whole_list_from_the_start_or_the_end(
    client, monkeypatch, whole_up_to
):
    """Pages sliced from the list read whole, or read by id from the start or (past the
    middle) from the end of a list too long to read whole, are the slices of the whole list in
    every sort order, ties and undated notices included."""
    from documents.filters import NoticeFilter
    from documents.pagination import ArchivePaginator

    monkeypatch.setattr(ArchivePaginator, "WHOLE_UP_TO", whole_up_to)
    same_day = datetime.date(2021, 5, 1)  # ties in the list order, broken by id on every path
    for n in range(85):
        factories.notice(
            title=f"分页测试{n}号",
            issued_date=same_day if n % 3 else None,
            view_count=n % 4,
        )
    for sort in ("newest", "oldest", "views"):
        ordered = Notice.objects.published().order_by(*NoticeFilter.SORTS[sort])
        whole = list(ordered.values_list("title", flat=True))
        for page in range(1, 6):  # pages 4 and 5 (rows 60-85 of 85) are read from the end
            listed = titles(client.get("/notices/", {"sort": sort, "page": page}))
            assert listed == whole[(page - 1) * 20 : page * 20], (sort, page)


def ids_read(client, url) -> int:
    """How many statements asked for a list's ids alone when ``url`` was answered."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(q["sql"].startswith('SELECT "documents_notice"."id" AS "pk"') for q in queries)


def test_paging_through_a_list_reads_its_ids_once_until_the_archive_changes(client):
    region = factories.category()
    for n in range(45):
        factories.notice(title=f"翻页{n}号", categories=[region])
    pages = [f"/categories/{region.slug}/?page={page}" for page in (1, 2, 3)]
    assert [ids_read(client, url) for url in pages] == [1, 0, 0]
    # The same list by the filter form: the same query, the same ids.
    assert ids_read(client, f"/notices/?category={region.slug}&page=3") == 0
    factories.notice(title="新增", categories=[region])  # a new generation: read again
    assert ids_read(client, pages[1] + "&x=1") == 1
    assert titles(client.get(pages[0]))[0] == "新增"


def test_a_list_too_long_to_read_whole_is_not_read_again_after_each_change(client, monkeypatch):
    from documents.pagination import ArchivePaginator

    monkeypatch.setattr(ArchivePaginator, "WHOLE_UP_TO", 3)
    for n in range(5):
        factories.notice(title=f"长列表{n}号")

    def probes(url):  # statements reading WHOLE_UP_TO + 1 ids to learn the list's length
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return sum("LIMIT 4" in q["sql"] for q in queries), response

    found, response = probes("/notices/")
    assert found == 1 and response.context["paginator"].count == 5
    # Within a generation the list is known as longer from its "list-ids" entry alone: the
    # day-long memory is asked only when that entry is missing (after a change).
    from documents import pagination

    asked = []
    real_get = pagination.cache.get
    monkeypatch.setattr(
        pagination.cache, "get", lambda key, *a, **k: asked.append(key) or real_get(key, *a, **k)
    )
    for url in ("/notices/?x=1", "/notices/?x=1&sort=newest"):
        assert client.get(url).status_code == 200
    assert not [key for key in asked if key.startswith("list-longer")]
    factories.notice(title="又一份")  # a new generation
    found, response = probes("/notices/?x=2")
    assert found == 0  # remembered as longer: counted and paged by id
    assert response.context["paginator"].count == 6
    assert titles(response)[0] == "又一份"


def test_a_list_by_view_counts_follows_each_reading(client):
    """Its order changes with readings, which leave the archive generation as it was: never
    read whole and kept."""
    low = factories.notice(title="少", view_count=1)
    factories.notice(title="多", view_count=3)
    assert titles(client.get("/notices/?sort=views")) == ["多", "少"]
    for _ in range(3):
        client.get(low.get_absolute_url())
    assert titles(client.get("/notices/?sort=views")) == ["少", "多"]


def test_a_search_lists_the_same_pages_read_in_one_statement_or_by_id(client, monkeypatch):
    from documents.pagination import ArchivePaginator

    # Each notice repeats the words a different number of times: no two rank equal. (Equal
    # distances are another matter on PostgreSQL: see documents/ranking.py.)
    for n in range(45):
        factories.notice(
            title=f"区域协调发展分页{n}号", units=[("要求", "推进区域协调发展。" * (n + 1))]
        )
    pages = [f"/notices/?q=区域协调&page={page}&x=1" for page in (1, 2, 3)]
    # (&x=1: an address outside the page cache, so that each request renders its page)
    direct = {url: titles(client.get(url)) for url in pages}
    monkeypatch.setattr(ArchivePaginator, "SKIP_BY_ID_FROM", 0)
    assert {url: titles(client.get(url)) for url in pages} == direct
    assert [len(direct[url]) for url in pages] == [20, 20, 5]
    assert len(set().union(*direct.values())) == 45
    assert direct[pages[0]][0] == "区域协调发展分页44号"  # the most repeats first


def test_cached_summaries_are_computed_once_and_follow_every_change(client):
    from documents import services

    region = factories.category()
    notice = factories.notice(title="先发布的", categories=[region])
    first = count_queries(client, "/")
    again = count_queries(client, "/")
    assert again < first  # menu and home summary came from the cache
    assert again == 1  # only the archive generation, read once for the whole request
    services.unpublish(Notice.objects.filter(pk=notice.pk))
    page = client.get("/").content.decode()
    assert "先发布的" not in page
    assert re.search(r"区域经济政策<span class=\"count\"[^>]*>.*?0", page)
    factories.notice(title="后发布的", categories=[region])
    assert "后发布的" in client.get("/").content.decode()
    Notice.objects.filter(title="后发布的").delete()
    assert "后发布的" not in client.get("/").content.decode()


def test_detail_page_uses_a_fixed_number_of_queries(client):
    from documents import services

    region = factories.category()
    small = factories.notice(categories=[region], sections=2)
    big = factories.notice(categories=[region], sections=60)
    for i in range(5):
        CoIssuer.objects.create(notice=big, body=factories.body(f"联合机关{i}"), position=i)
        big.attachments.create(title=f"附件{i}")
        factories.notice(categories=[region])
    assert Section.objects.filter(notice=big).count() == 60
    client.get("/")  # the menu is cached from here on
    client.get(factories.notice(categories=[region]).get_absolute_url())  # and the related
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, big.get_absolute_url()
    )
    # A reading is its statement and the archive generation (read once a request in a test's
    # transaction; a server reads it at most once a second).
    reading = 2
    # first reading after a change: the reading + notice + categories + attachments + co-issuers
    # + related + units + the menu (categories, counts) + what it cites and what cites it; then
    # the page is kept whole
    services.index_notices([big.pk])  # a write: a new generation, and big's page expires
    assert count_queries(client, big.get_absolute_url()) == reading + 10
    assert count_queries(client, big.get_absolute_url()) == reading
    # small's page is kept through the write, its menu and related notices made anew with big's
    assert count_queries(client, small.get_absolute_url()) == reading
    # a search within the notice, or a logged-in editor: rendered, the text not cached
    # (the same but the related notices, kept with the generation)
    assert count_queries(client, big.get_absolute_url() + "?q=要求") == reading + 7
    assert count_queries(client, small.get_absolute_url() + "?q=要求") == reading + 7


def test_home_counts_an_issuers_joint_notices_as_its_page_lists_them(client):
    ndrc, mof = factories.body("国家发展改革委"), factories.body("财政部")
    factories.notice(lead_issuer=ndrc)
    joint = factories.notice(lead_issuer=mof)
    CoIssuer.objects.create(notice=joint, body=ndrc, position=1)
    factories.notice(lead_issuer=ndrc, published=False)
    counts = {body.name: body.notice_count for body in client.get("/").context["top_issuers"]}
    assert counts == {"国家发展改革委": 2, "财政部": 1}
    assert len(client.get(ndrc.get_absolute_url()).context["notices"]) == 2


def test_an_echoed_query_is_bidi_isolated(client, db):
    reversed_query = "\u202e！！"  # a right-to-left override and nothing searchable
    page = client.get("/notices/", {"q": reversed_query}).content.decode()
    assert "“\u2068\u202e！！\u2069”里没有可搜索的词" in page


def test_a_search_page_is_headed_by_its_query_and_sorted_by_relevance(client, db):
    factories.notice(title="关于区域协调发展的通知")
    page = client.get("/notices/", {"q": "区域协调"}).content.decode()
    assert re.search(r"<h1>搜索“\u2068区域协调\u2069”</h1>", page)
    assert '<option value="relevance" selected>' in page


def test_without_a_keyword_the_sort_select_says_newest(client, db):
    page = client.get("/notices/").content.decode()
    assert "<h1>全部文件</h1>" in page
    assert '<option value="newest" selected>' in page
    assert '<option value="relevance" selected>' not in page


def test_an_inverted_date_range_is_a_form_error_not_an_empty_list(client, db):
    factories.notice(issued_date=datetime.date(2016, 5, 1))
    params = {"date_after": "2016-12-31", "date_before": "2016-01-01"}
    response = client.get("/notices/", params)
    assert response.status_code == 200
    assert "起始日期晚于截止日期" in response.content.decode()
    api = client.get("/api/notices/", params)
    assert api.status_code == 400 and "起始日期晚于截止日期" in str(api.json())


def test_editors_preview_a_draft_under_a_banner_nobody_else_sees_it(client, db):
    from django.contrib.auth.models import Permission, User

    draft = factories.notice(title="关于尚未发布的通知", published=False)
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    reader = User.objects.create_user("reader", password="a-long-test-password")
    client.force_login(reader)
    assert client.get(url).status_code == 404  # logged in, but no right to see notices
    editor = User.objects.create_user("editor", password="a-long-test-password", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_notice"))
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "草稿预览：这个文件尚未发布，读者看不到它。" in page and "关于尚未发布的通知" in page
    assert response["Cache-Control"] == "private, no-store"
    assert factories.view_count(draft) == 0
    client.logout()
    assert client.get(url).status_code == 404  # the preview was not cached for readers


def test_a_published_notice_has_no_draft_banner(client, db):
    notice = factories.notice(title="关于已经发布的通知")
    assert "草稿预览" not in client.get(notice.get_absolute_url()).content.decode()


def test_a_doc_number_shows_in_its_official_form_in_the_readers_script(client, db):
    notice = factories.notice(title="关于区域发展的通知", doc_number="發改地區[2016]1771號")
    simplified = client.get(notice.get_absolute_url()).content.decode()
    meta = re.search(r'<table class="meta">.*?</table>', simplified, re.S).group(0)
    assert "发改地区〔2016〕1771号" in meta and "原文：發改地區[2016]1771號" in meta
    citation = re.search(r'<p class="citation-text">(.*?)</p>', simplified, re.S).group(1)
    assert "（发改地区〔2016〕1771号）" in citation
    assert "发改地区〔2016〕1771号" in client.get("/notices/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    traditional = client.get(notice.get_absolute_url()).content.decode()
    assert "發改地區〔2016〕1771號" in traditional


def test_a_doc_number_already_official_has_no_as_written_hint(client, db):
    notice = factories.notice(doc_number="国发〔2016〕67号")
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "国发〔2016〕67号" in page and "原文：" not in page


def test_the_metadata_table_leaves_out_what_is_not_known(client, db):
    notice = factories.notice(doc_number="", source="未知", issued_date=None)
    meta = re.search(
        r'<table class="meta">.*?</table>',
        client.get(notice.get_absolute_url()).content.decode(),
        re.S,
    ).group(0)
    assert "—" not in meta
    for absent in ("来源", "发文字号", "成文日期"):
        assert f">{absent}<" not in meta
    assert ">发文机关<" in meta and ">点击<" in meta
    known = factories.notice(source="中国政府网")
    assert "中国政府网" in client.get(known.get_absolute_url()).content.decode()


def test_chinese_text_shows_full_width_punctuation_and_no_double_gap(client, db):
    notice = factories.notice(
        addressees="各省、自治区、直辖市人民政府,国务院有关部委、直属机构",
        preamble="现印发你们:请认真贯彻执行;有问题及时报告!",
        units=[("总体要求", "坚持稳中求进, 推动高质量发展。Version 2.0, ok.")],
    )
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "直辖市人民政府，国务院有关部委" in page
    assert "现印发你们：请认真贯彻执行；有问题及时报告！" in page
    assert "Version 2.0, ok." in page  # Latin text keeps its own punctuation
    assert re.search(r'class="toc-label tight">\(1\)</span>总体要求', page)


def test_search_snippets_show_full_width_punctuation_too(client, db):
    factories.notice(units=[("总体要求", "优化配置;加强区域发展战略,规划政策。")])
    page = client.get("/notices/", {"q": "区域发展"}).content.decode()
    assert "优化配置；加强<mark>区域发展</mark>战略，规划政策。" in page


def test_a_publication_note_follows_the_signature(client, db):
    notice = factories.notice(
        preamble="现印发给你们，请认真贯彻执行。\n（此件公开发布）", signatory="国务院"
    )
    page = client.get(notice.get_absolute_url()).content.decode()
    assert page.index('class="signature"') < page.index("（此件公开发布）")
    assert page.index("现印发给你们") < page.index('class="signature"')


def _toc(page):
    start = page.index('class="toc"')
    return page[start : page.index("</nav>", start)]


def _unit(notice, kind, label, position, parent=None, heading=""):
    return Section.objects.create(
        notice=notice,
        parent=parent,
        kind=kind,
        label=label,
        heading=heading,
        text=f"{label}的正文。",
        position=position,
        anchor=f"u{position}",
    )


def test_the_toc_lists_articles_only_without_chapters_and_never_items(client, db):
    flat = factories.notice()
    article = _unit(flat, Section.Kind.ARTICLE, "第一条", 1)
    _unit(flat, Section.Kind.ITEM, "（一）", 2, parent=article)
    toc = _toc(client.get(flat.get_absolute_url()).content.decode())
    assert "第一条" in toc and "（一）" not in toc

    chaptered = factories.notice()
    chapter = _unit(chaptered, Section.Kind.CHAPTER, "第一章", 1, heading="总则")
    _unit(chaptered, Section.Kind.ARTICLE, "第一条", 2, parent=chapter)
    toc = _toc(client.get(chaptered.get_absolute_url()).content.decode())
    assert "第一章" in toc and "总则" in toc and "第一条" not in toc
