import datetime

import pytest
from django.db import connection

from documents import search
from documents.models import Notice
from documents.search import parse_query
from documents.views import attach_search_hits
from tests import factories

# --- words and queries (no database) ---------------------------------------------------------


def test_fold_converts_traditional_and_full_width():
    assert search.fold("區域協調ＡＢＣ１２３") == "区域协调abc123"


def test_words_are_cut_in_search_mode_in_simplified_script():
    assert search.words("貫徹落實區域協調發展") == [
        "贯彻",
        "落实",
        "贯彻落实",
        "区域",
        "协调",
        "发展",
    ]
    assert search.words("，。！") == []


def test_words_are_cut_where_postgresqls_parser_cuts_them():
    # jieba keeps %, +, #, & and _ inside words; PostgreSQL's parser (the RUM index's words)
    # and so every engine cut there.
    assert search.words("增长50%，c++和c#，a&b_c") == ["增长", "50", "c", "和", "c", "a", "b", "c"]


def test_a_snippet_cut_from_stored_folded_text_is_the_same_and_shown_converted():
    text = "一二三" * 50 + "區域協調發展" + "四五六" * 50
    plain = search.snippet(text, ["区域协调"])
    assert "<mark>區域協調</mark>" in plain and plain.startswith("…") and plain.endswith("…")
    assert search.snippet(text, ["区域协调"], folded=search.fold(text)) == plain
    shown = search.snippet(text, ["区域协调"], convert=search.fold)  # e.g. a simplified reader
    assert "<mark>区域协调</mark>发展" in shown and len(shown) == len(plain)


def test_parse_query_reads_words_phrases_exclusions():
    query = search.parse_query('一带一路 "核心区建设" -脱贫')
    assert query.words[:2] == ["一带", "一路"]
    assert "核心区建设" in query.phrases
    assert query.excluded == ["脱贫"]


def test_parse_query_keeps_a_long_title_whole_without_words_inside_others():
    query = search.parse_query("我国地震重点监视防御区的确定和加强防震减灾工作意见报告规定")
    assert query.words[-2:] == ["报告", "规定"]
    assert "防御区" in query.words and "防御" not in query.words


def test_parse_query_drops_stopwords_unless_alone():
    assert "的" not in search.parse_query("区域的协调").words
    assert search.parse_query("的").words == ["的"]


@pytest.mark.parametrize(
    "typed, normalized, serial",
    [
        ("发改地区〔2016〕1771号", "发改地区[2016]1771号", None),
        ("發改地區[2016]1771號", "发改地区[2016]1771号", None),
        ("1771号", "1771号", 1771),
        ("国令第706号", "国令第706号", None),
    ],
)
def test_parse_query_recognizes_a_doc_number(typed, normalized, serial):
    query = search.parse_query(typed)
    assert (query.doc_number, query.doc_serial) == (normalized, serial)


@pytest.mark.parametrize("raw", ["", "   ", "！？。，", "\t\n"])
def test_empty_and_punctuation_queries_are_empty(raw):
    assert not search.parse_query(raw)


def test_highlight_marks_traditional_text_with_simplified_terms_and_escapes_html():
    html = search.highlight("促進區域協調<b>發展</b>", ["区域协调", "发展"])
    assert html == "促進<mark>區域協調</mark>&lt;b&gt;<mark>發展</mark>&lt;/b&gt;"


def test_snippet_centres_on_the_matches():
    text = "无关的开头。" * 40 + "打赢脱贫攻坚战。" + "无关的结尾。" * 40
    snippet = search.snippet(text, ["脱贫攻坚"], width=60)
    assert "<mark>脱贫攻坚</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")


# --- the database side, on both backends, and the search service on PostgreSQL ---------------

# How a search page is ranked: in the database, and on PostgreSQL by the search service too
# (documents/search_service.py; the service indexes PostgreSQL only).
ENGINES = ["database", "service"] if connection.vendor == "postgresql" else ["database"]


@pytest.fixture(params=ENGINES)
def client(request, client):
    """The test client, with every search page ranked by each engine in turn."""
    if request.param == "service":
        request.getfixturevalue("service")
    return client


def titles(response):
    return [n.title for n in response.context["notices"]]


@pytest.fixture
def archive(db):
    """Three notices: one in traditional script, one simplified, one about something else."""
    return {
        "trad": factories.notice(
            title="關於促進區域協調發展的指導意見",
            units=[("總體要求", "推動區域協調發展，堅決打贏脫貧攻堅戰。")],
        ),
        "simp": factories.notice(
            title="关于推进长江经济带发展的通知",
            doc_number="发改地区〔2016〕1771号",
            units=[("重点任务", "促进区域协调发展，建设“一带一路”核心区。")],
        ),
        "other": factories.notice(
            title="关于加强食品安全工作的通知",
            units=[("工作要求", "严格落实食品安全责任。区域性检查。")],
        ),
    }


@pytest.mark.parametrize("q", ["区域协调", "區域協調"])
def test_search_is_script_blind(client, archive, q):
    assert set(titles(client.get("/notices/", {"q": q}))) == {
        "關於促進區域協調發展的指導意見",
        "关于推进长江经济带发展的通知",
    }


def test_every_word_must_match(client, archive):
    assert titles(client.get("/notices/", {"q": "一带一路 核心区"})) == [
        "关于推进长江经济带发展的通知"
    ]
    assert titles(client.get("/notices/", {"q": "脱贫攻坚 核心区"})) == []


def test_quoted_phrase_must_appear_as_written(client, archive):
    assert len(titles(client.get("/notices/", {"q": '"区域协调发展"'}))) == 2
    assert titles(client.get("/notices/", {"q": '"协调区域"'})) == []


def test_minus_excludes_a_word(client, archive):
    assert titles(client.get("/notices/", {"q": "区域协调 -脱贫"})) == [
        "关于推进长江经济带发展的通知"
    ]


def test_title_matches_rank_above_body_matches(client, archive):
    factories.notice(title="关于食品工作的通知", units=[("一", "区域协调。")])
    ranked = titles(client.get("/notices/", {"q": "区域协调"}))
    assert ranked[0] == "關於促進區域協調發展的指導意見"  # the only title match
    assert set(ranked) == {
        "關於促進區域協調發展的指導意見",
        "关于推进长江经济带发展的通知",
        "关于食品工作的通知",
    }


@pytest.mark.parametrize("q", ["发改地区〔2016〕1771号", "發改地區[2016]1771號", "1771号"])
def test_doc_number_in_any_form_finds_its_notice_first(client, archive, q):
    factories.notice(title="引用的文件", units=[("一", "根据发改地区〔2016〕1771号文件精神。")])
    assert titles(client.get("/notices/", {"q": q}))[0] == "关于推进长江经济带发展的通知"


def test_results_link_to_the_best_matching_unit_with_a_snippet(client, archive):
    page = client.get("/notices/", {"q": "脱贫攻坚"}).content.decode()
    trad = archive["trad"]
    anchor = trad.sections.get().anchor
    assert f"{trad.get_absolute_url()}?q=%E8%84%B1%E8%B4%AB%E6%94%BB%E5%9D%9A#{anchor}" in page
    assert "<mark>脱贫攻坚</mark>" in page  # the traditional notice, shown in 简体 (the default)


def test_search_combines_with_the_other_filters(client, archive):
    region = factories.category()
    archive["simp"].categories.add(region)
    response = client.get("/notices/", {"q": "区域协调", "category": "regional-economy"})
    assert titles(response) == ["关于推进长江经济带发展的通知"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "区域协调"},
        {"q": "區域協調"},
        {"q": "区域协调 -脱贫"},
        {"q": '"区域协调发展"'},
        {"q": "发改地区〔2016〕1771号"},
        {"q": "区域", "category": "regional-economy"},
        {"q": "区域", "year": "2016"},
        {"q": "区域", "sort": "oldest"},
        {"q": "-脱贫"},
    ],
)
def test_the_total_is_the_number_of_notices_listed(client, archive, params):
    # The total is counted apart from the ranked list (on PostgreSQL, a search of the whole
    # archive in the search table alone: ranking.count_in_index).
    region = factories.category()
    archive["simp"].categories.add(region)
    for i in range(22):
        factories.notice(
            title=f"区域工作通知{i}",
            issued_date=datetime.date(2016 - i % 2, 1, 1 + i),
            categories=[region] if i % 3 else [],
            units=[
                ("一", "根据发改地区〔2016〕1771号文件，促进区域协调发展。" if i % 4 else "区域。")
            ],
        )
    factories.notice(title="区域协调草稿", published=False)
    first = client.get("/notices/", params)
    paginator = first.context["paginator"]
    listed = titles(first)
    for page in range(2, paginator.num_pages + 1):
        listed += titles(client.get("/notices/", {**params, "page": page}))
    assert paginator.count == len(listed) == len(set(listed)) > 0


def test_drafts_are_never_found(client, archive):
    factories.notice(title="区域协调草稿", published=False)
    assert "区域协调草稿" not in titles(client.get("/notices/", {"q": "区域协调"}))


@pytest.mark.parametrize("q", ["", "   ", "！！！", "的", "-区域"])
def test_odd_queries_give_a_page(client, archive, q):
    response = client.get("/notices/", {"q": q})
    assert response.status_code == 200


def test_a_ten_thousand_character_query_is_a_form_error(client, archive):
    response = client.get("/notices/", {"q": "区域" * 5000})
    assert response.status_code == 200
    assert "q" in response.context["filter"].form.errors


def test_sort_by_relevance_without_a_query_falls_back_to_newest(client, archive):
    assert client.get("/notices/", {"sort": "relevance"}).status_code == 200


def test_index_follows_edits(archive):
    from documents.services import index_notices

    notice = archive["other"]
    notice.title = "关于海洋经济的通知"
    notice.save()
    index_notices([notice.pk])
    found = Notice.objects.published().search(search.parse_query("海洋经济"))
    assert list(found) == [notice]


def test_detail_highlights_the_query_and_marks_units_in_the_toc(client, archive):
    notice = archive["trad"]
    page = client.get(notice.get_absolute_url(), {"q": "脱贫攻坚"}).content.decode()
    assert "<mark>脱贫攻坚</mark>" in page  # the traditional notice, shown in 简体 (the default)
    assert '<li class="hit"><a href="#' in page
    assert "1 个条目含有检索词" in page
    plain = client.get(notice.get_absolute_url()).content.decode()
    assert "<mark>" not in plain


def notices_by_year(first: int, last: int, **fields) -> list:
    """One notice a year, issued on 1 January of its year, with the given fields."""
    return [
        factories.notice(issued_date=datetime.date(year, 1, 1), **fields)
        for year in range(first, last + 1)
    ]


def test_every_match_is_ranked_an_old_title_match_comes_first(client, db):
    notices_by_year(1990, 2024, title="关于做好年度工作的通知", units=[("一", "开展考核评估。")])
    factories.notice(
        title="开展考核评估条例",
        issued_date=datetime.date(1985, 1, 1),
        units=[("第一条", "为了规范工作，制定本条例。")],
    )
    response = client.get("/notices/", {"q": "开展考核评估"})
    assert titles(response)[0] == "开展考核评估条例"  # older than the 35 others, ranked first
    assert response.context["paginator"].count == 36
    assert "共 36 个文件" in response.content.decode()  # an exact count, no 约


def test_a_title_hit_beats_a_long_text_that_repeats_the_word(client, db):
    for topic in (
        "食品安全",
        "安全生产",
        "乡村振兴",
    ):  # notices without the word, as in any archive
        factories.notice(title=f"关于{topic}的通知", units=[("一", f"做好{topic}工作。")])
    factories.notice(
        title="关于海洋经济发展的意见",
        issued_date=datetime.date(2001, 1, 1),
        units=[("一", "总体要求。")],
    )
    factories.notice(
        title="关于年度工作的通知",
        issued_date=datetime.date(2020, 1, 1),
        units=[(f"{n}", "发展海洋经济，壮大海洋经济。" * 10) for n in range(20)],
    )
    assert titles(client.get("/notices/", {"q": "海洋经济"})) == [
        "关于海洋经济发展的意见",
        "关于年度工作的通知",
    ]


def test_pages_of_equally_relevant_notices_hold_each_match_once(client, db):
    made = notices_by_year(1990, 2024, title="通知", units=[("一", "区域协调发展。")])
    seen = []
    for page in (1, 2):
        seen += [
            n.pk
            for n in client.get("/notices/", {"q": "区域协调", "page": page}).context["notices"]
        ]
    assert sorted(seen) == sorted(n.pk for n in made)


def test_a_query_of_excluded_words_only_lists_the_notices_without_them(client, archive):
    assert set(titles(client.get("/notices/", {"q": "-脱贫"}))) == {
        "关于推进长江经济带发展的通知",
        "关于加强食品安全工作的通知",
    }


def test_the_other_sorts_order_the_matches_by_date(client, db):
    notices_by_year(2001, 2003, title="关于区域协调的通知")
    factories.notice(
        title="关于年度工作的通知",
        issued_date=datetime.date(2010, 1, 1),
        units=[("一", "区域协调。")],
    )
    newest = titles(client.get("/notices/", {"q": "区域协调", "sort": "newest"}))
    assert newest == ["关于年度工作的通知"] + ["关于区域协调的通知"] * 3
    relevant = titles(client.get("/notices/", {"q": "区域协调"}))
    assert relevant[-1] == "关于年度工作的通知"


def test_a_deleted_notice_leaves_the_index(db):
    notice = factories.notice(title="关于海洋经济的通知")
    pk = notice.pk
    notice.delete()
    table = (
        "documents_searchentry" if connection.vendor == "postgresql" else "documents_searchindex"
    )
    column = "notice_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", [pk])
        assert cursor.fetchone()[0] == 0


def test_the_best_unit_has_most_terms_then_most_occurrences_then_comes_first(db):
    notice = factories.notice(
        units=[
            ("一", "推进协调。"),
            ("二", "协调，再协调，又协调。"),
            ("三", "协调发展。"),
            ("四", "协调，再协调，又协调。"),
        ]
    )
    units = list(notice.sections.order_by("position"))

    def best(q):
        notices = [Notice.objects.get(pk=notice.pk)]
        attach_search_hits(notices, parse_query(q))
        return notices[0].hit_unit.pk

    assert best("协调") == units[1].pk  # three occurrences; the fourth unit ties, and comes later
    assert best("协调 发展") == units[2].pk  # the only unit with both words
    assert best("推进") == units[0].pk


def test_the_best_unit_matches_percent_and_underscore_as_written(db):
    notice = factories.notice(units=[("一", "增长50个百分点，a1b。"), ("二", "增长50%，a_b。")])
    units = list(notice.sections.order_by("position"))
    for q in ('"增长50%"', '"a_b"'):
        notices = [Notice.objects.get(pk=notice.pk)]
        attach_search_hits(notices, parse_query(q))
        assert notices[0].hit_unit.pk == units[1].pk, q  # not a LIKE wildcard
