"""Notices that know each other: references found in the text, linked whichever notice came
first, listed both ways on the page and in the API, and repeals proposed to editors."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import citations, services
from documents.models import Notice, Reference, ValidityProposal
from documents.parsing.references import Effect, find_references

from .factories import notice

pytestmark = pytest.mark.django_db

CITED_TITLE = "国务院关于推进区域协调发展的若干意见"


def cited(**fields):
    fields.setdefault("title", CITED_TITLE)
    fields.setdefault("doc_number", "国发〔2016〕67号")
    return notice(**fields)


def citing(
    text="为贯彻落实《国务院关于推进区域协调发展的若干意见》（国发〔2016〕67号），现就有关事项通知如下。",
    **fields,
):
    fields.setdefault("title", "关于落实区域协调发展意见的通知")
    fields.setdefault("doc_number", "发改地区〔2017〕3号")
    return notice(units=[("总体要求", text)], **fields)


def page(client, obj, **params):
    response = client.get(obj.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def links_in(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="reference" href="([^"]+)"[^>]*>(.*?)</a>', html)


# --- Reading references ------------------------------------------------------------------------


def test_numbers_in_any_bracket_or_script_form_and_no_dates_or_articles():
    text = (
        "依据發改地區[2016]1771號文件和国办发［2018］15号，按照第十二条、2016年第3号提案的"
        "要求，于2016年（2017）办理。"
    )
    assert [r.doc_number for r in find_references(text)] == [
        "發改地區[2016]1771號",
        "国办发［2018］15号",
    ]


@pytest.mark.parametrize(
    "text, number",
    [
        ("按照工信部原〔2010〕1号文件执行", "工信部原〔2010〕1号"),  # a code ending in 原
        ("原国家质量技术监督局令第51号公布的", "国家质量技术监督局令第51号"),  # 原: as named then
        ("依据交通运输部令2016年第57号", "交通运输部令2016年第57号"),
        ("（公安部第69号令）", "公安部第69号令"),
        ("请示（〔1996〕武司字第82号）收悉", "〔1996〕武司字第82号"),
        ("应按国务院一九八〇年223号文件规定", "国务院一九八〇年223号"),
        ("2021年7月22日国家市场监督管理总局令第43号公布", "国家市场监督管理总局令第43号"),
    ],
)
def test_every_form_of_a_number_with_its_code_and_nothing_before_it(text, number):
    assert [r.doc_number for r in find_references(text)] == [number]


def test_a_repeal_and_an_amendment_are_told_from_a_citation():
    repeal, amend, cite = (
        find_references(text)[0]
        for text in (
            "本办法自2020年1月1日起施行，《旧办法》（国发〔2010〕3号）同时废止。",
            "将《某某条例》（国务院令第588号）第三条修改为：",
            "根据《某某条例》（国务院令第588号），制定本办法。",
        )
    )
    assert (repeal.effect, amend.effect, cite.effect) == (
        Effect.REPEALS,
        Effect.AMENDS,
        Effect.CITES,
    )


# --- Resolving, whichever notice came first ------------------------------------------------------


def assert_linked(client, a, b):
    """B's page links A's at the citing unit; A's page lists B under 被引用, at that unit."""
    reference = Reference.objects.get(citing=b)
    assert reference.cited_id == a.pk
    assert reference.unit.heading == "总体要求"
    b_page = page(client, b)
    assert (
        a.get_absolute_url(),
        "《国务院关于推进区域协调发展的若干意见》（国发〔2016〕67号）",
    ) in links_in(b_page)
    assert "本文引用" in b_page
    a_page = page(client, a)
    cited_by = a_page.split('id="cited-by"')[1]
    assert f'href="{b.get_absolute_url()}#{reference.unit.anchor}"' in cited_by
    assert "关于落实区域协调发展意见的通知" in cited_by


def test_import_a_then_b_links_b_to_a(client):
    a = cited()
    b = citing()
    assert_linked(client, a, b)


def test_import_b_then_a_links_the_same(client):
    b = citing()
    assert Reference.objects.get(citing=b).cited is None
    assert links_in(page(client, b)) == []
    a = cited()
    assert_linked(client, a, b)


def test_a_quoted_title_without_number_resolves_by_its_exact_title(client):
    a = cited(doc_number="")
    b = citing(text="按照《国务院关于推进区域协调发展的若干意见》要求，抓好落实。")
    assert Reference.objects.get(citing=b).cited_id == a.pk


def test_traditional_script_and_other_brackets_resolve_too():
    a = cited()
    b = citing(text="貫徹《國務院關於推進區域協調發展的若干意見》（國發[2016]67號）。")
    assert Reference.objects.get(citing=b).cited_id == a.pk


def test_a_notice_unpublished_or_deleted_turns_its_incoming_links_back_into_text(client):
    a = cited()
    b = citing()
    services.unpublish(Notice.objects.filter(pk=a.pk))
    html = page(client, b)
    assert links_in(html) == []
    assert "在本站搜索" in html  # the reference stays, as text with a search link
    services.publish(Notice.objects.filter(pk=a.pk))
    assert links_in(page(client, b))
    a.delete()
    assert Reference.objects.get(citing=b).cited is None
    assert links_in(page(client, b)) == []


def test_drafts_never_show_in_either_list(client):
    a = cited()
    citing(published=False)
    html = page(client, a)
    assert 'id="cited-by"' not in html
    assert "关于落实区域协调发展意见的通知" not in html


def test_editing_the_text_reads_the_references_again():
    a = cited()
    b = citing()
    unit = b.sections.get()
    unit.text = "按照有关规定执行。"
    unit.save()
    services.index_notices([b.pk])
    assert not Reference.objects.filter(citing=b).exists()
    assert a.citations.count() == 0


def test_a_notice_does_not_cite_itself_nor_the_document_it_prints():
    own = notice(
        title="国务院办公厅关于印发某某方案的通知",
        doc_number="国办发〔2019〕9号",
        body_title="某某方案",
        preamble=(
            "《某某方案》（以下简称《方案》）已经国务院同意，现印发给你们，请认真贯彻执行。"
            "国办发〔2019〕9号文件同时公开。"
        ),
        units=[("要求", "按照《方案》执行。")],
    )
    assert list(Reference.objects.filter(citing=own)) == []


def test_counts_in_the_metadata_table(client):
    a = cited()
    citing()
    citing(title="另一个通知", doc_number="发改地区〔2017〕4号")
    html = page(client, a)
    assert re.search(r"被引用</th><td><a href=\"#cited-by\">2 个文件", html)


# --- Repeals proposed to editors ---------------------------------------------------------------


REPEALING = (
    "本办法自2020年1月1日起施行，《国务院关于推进区域协调发展的若干意见》（国发〔2016〕67号）"
    "同时废止。"
)


def publisher():
    user = User.objects.create_user("publisher", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="发布者"))
    return user


def test_a_repealing_notice_proposes_and_changes_nothing_until_accepted(client):
    a = cited()
    b = citing(text=REPEALING, issued_date=datetime.date(2020, 1, 1))
    proposal = ValidityProposal.objects.get()
    assert (proposal.notice, proposal.by, proposal.validity) == (a, b, Notice.Validity.REPEALED)
    assert "同时废止" in proposal.sentence
    a.refresh_from_db()
    assert a.validity == Notice.Validity.CURRENT
    assert "废止本文" in page(client, a)


def test_the_proposal_is_made_when_the_repealed_notice_arrives_later():
    b = citing(text=REPEALING)
    assert not ValidityProposal.objects.exists()
    a = cited()
    assert ValidityProposal.objects.get().notice == a
    assert ValidityProposal.objects.get().by == b


def test_accepting_marks_the_notice_repealed_and_its_page_says_by_which(client):
    a = cited()
    b = citing(text=REPEALING)
    user = publisher()
    client.force_login(user)
    changelist = reverse("admin:documents_validityproposal_changelist")
    proposal = ValidityProposal.objects.get()
    response = client.post(
        changelist, {"action": "accept_selected", "_selected_action": [proposal.pk]}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.validity == Notice.Validity.REPEALED
    proposal.refresh_from_db()
    assert (proposal.decision, proposal.decided_by) == (ValidityProposal.Decision.ACCEPTED, user)
    client.logout()
    html = page(client, a)
    assert f'被<a href="{b.get_absolute_url()}">《关于落实区域协调发展意见的通知》</a>废止' in html
    # Reading the text again keeps the decision.
    services.index_notices([b.pk])
    assert ValidityProposal.objects.get().decision == ValidityProposal.Decision.ACCEPTED


def test_rejecting_changes_nothing_and_stays_rejected(client):
    a = cited()
    b = citing(text=REPEALING)
    client.force_login(publisher())
    proposal = ValidityProposal.objects.get()
    client.post(
        reverse("admin:documents_validityproposal_changelist"),
        {"action": "reject_selected", "_selected_action": [proposal.pk]},
    )
    a.refresh_from_db()
    assert a.validity == Notice.Validity.CURRENT
    services.index_notices([b.pk])
    assert ValidityProposal.objects.get().decision == ValidityProposal.Decision.REJECTED
    assert "废止" not in page(client, a).split("时效性")[1].split("</tr>")[0]


def test_editors_cannot_decide_proposals(client):
    cited()
    citing(text=REPEALING)
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑"))
    client.force_login(editor)
    proposal = ValidityProposal.objects.get()
    client.post(
        reverse("admin:documents_validityproposal_changelist"),
        {"action": "accept_selected", "_selected_action": [proposal.pk]},
    )
    proposal.refresh_from_db()
    assert proposal.decision == ValidityProposal.Decision.PENDING


def test_a_withdrawn_repeal_withdraws_its_pending_proposal():
    cited()
    b = citing(text=REPEALING)
    unit = b.sections.get()
    unit.text = "按照《国务院关于推进区域协调发展的若干意见》（国发〔2016〕67号）执行。"
    unit.save()
    services.index_notices([b.pk])
    assert not ValidityProposal.objects.exists()


# --- API and the list filter -------------------------------------------------------------------


def test_api_gives_cites_and_cited_by(client):
    a = cited()
    b = citing()
    body = client.get(f"/api/notices/{b.pk}/").json()
    [reference] = body["cites"]
    assert reference["doc_number"] == "国发〔2016〕67号"
    assert reference["notice"]["id"] == a.pk
    assert reference["anchor"] == b.sections.get().anchor
    cited_by = client.get(f"/api/notices/{a.pk}/").json()["cited_by"]
    assert [(c["id"], c["anchor"]) for c in cited_by] == [(b.pk, b.sections.get().anchor)]


def test_cites_filter_on_the_api_and_the_list_page(client):
    a = cited()
    b = citing()
    citing(title="另一个通知", doc_number="发改地区〔2017〕4号", text="按照有关规定执行。")
    api = client.get("/api/notices/", {"cites": a.pk}).json()
    assert [n["id"] for n in api["results"]] == [b.pk]
    html = client.get("/notices/", {"cites": a.pk}).content.decode()
    assert "关于落实区域协调发展意见的通知" in html
    assert "另一个通知" not in html


@pytest.mark.parametrize("value", ["abc", "0", "99999999", "-1", "99999999999999999999", "1.5"])
def test_a_bad_cites_value_is_a_clear_error(client, value):
    cited()
    assert client.get("/api/notices/", {"cites": value}).status_code == 400
    response = client.get("/notices/", {"cites": value})
    assert response.status_code == 200
    assert "没有这个已发布的文件" in response.content.decode()


# --- Backfill ----------------------------------------------------------------------------------


def test_backfill_links_an_existing_archive_and_is_idempotent(capsys):
    from django.core.management import call_command

    a = cited()
    b = citing()
    Reference.objects.all().delete()
    call_command("link_references")
    out = capsys.readouterr().out
    assert Reference.objects.get(citing=b).cited_id == a.pk
    assert "1 个引用已链接" in out
    call_command("link_references")
    assert Reference.objects.count() == 1


def test_pages_read_stored_references_and_never_the_text_again(client, monkeypatch):
    a = cited()
    b = citing()

    def extracting(text):
        raise AssertionError("references read from the text during a request")

    monkeypatch.setattr(citations, "find_references", extracting)
    assert links_in(page(client, b))
    assert 'id="cited-by"' in page(client, a)


def test_a_notice_page_reads_its_references_in_one_statement_however_many(client):
    # Documents not in the archive are grouped by their number or title (cited_documents):
    # reading those fields after the query would cost a statement per reference.
    def statements(cited_count):
        units = [
            (f"第{i}项", f"依据《不在本站的第{i}个办法》（国办发〔2001〕{i}号）和《第{i}个条例》。")
            for i in range(1, cited_count + 1)
        ]
        notice_ = notice(title=f"引用{cited_count}份文件的通知", units=units)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(notice_.get_absolute_url())
        assert len(response.context["cited_documents"]) == 2 * cited_count
        return len(queries)

    assert statements(8) == statements(1)
