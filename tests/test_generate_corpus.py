from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from documents import search
from documents.models import CoIssuer, Notice, Section
from documents.services import index_notices
from documents.synthetic import chinese_number

pytestmark = pytest.mark.django_db


def generate(notices=30, **options):
    out = StringIO()
    options.setdefault("workers", 0)
    call_command("generate_corpus", notices=notices, stdout=out, **options)
    return out.getvalue()


def snapshot():
    """What a run produced, comparable across runs: fields, numbers, units and index text."""
    return [
        (
            n.title,
            n.doc_number,
            n.lead_issuer.name,
            n.issued_date,
            n.status,
            n.search_body,
            [(u.label, u.anchor, u.heading, u.text, u.search_text) for u in n.sections.all()],
        )
        for n in Notice.objects.select_related("lead_issuer").prefetch_related("sections")
    ]


def test_generates_the_requested_number_of_notices_with_a_summary():
    output = generate(30)

    assert Notice.objects.count() == 30
    assert "生成 30/30" in output
    assert "完成：生成 30 篇" in output


def test_notices_have_five_to_sixty_units_in_a_chapter_tree():
    generate(30)

    per_notice = Notice.objects.annotate(units=Count("sections")).values_list("units", flat=True)
    assert all(5 <= units <= 60 for units in per_notice)
    assert not Section.objects.filter(kind="chapter", parent__isnull=False).exists()
    children = Section.objects.exclude(kind="chapter")
    assert children.exists()
    assert not children.filter(parent__isnull=True).exists()
    assert not children.exclude(parent__notice=F("notice")).exists()
    labels = set(Section.objects.values_list("label", flat=True))
    assert {"一、", "（一）"} <= labels or {"第一章", "第一条"} <= labels


def test_anchors_are_unique_within_each_notice():
    generate(30)

    anchors = Counter(Section.objects.values_list("notice_id", "anchor"))
    assert all(anchor for _, anchor in anchors)
    assert max(anchors.values()) == 1


def test_doc_numbers_are_unique_per_lead_issuer_even_across_runs():
    generate(20, seed=3)
    generate(20, seed=3)

    numbers = Counter(
        Notice.objects.exclude(doc_number_normalized="").values_list(
            "lead_issuer_id", "doc_number_normalized"
        )
    )
    assert Notice.objects.count() == 40
    assert max(numbers.values()) == 1


def test_the_same_seed_gives_the_same_corpus_with_or_without_worker_processes():
    generate(12, seed=7, batch_size=5)
    first = snapshot()
    Notice.objects.all().delete()
    generate(12, seed=7, batch_size=5, workers=2)

    assert snapshot() == first


def test_search_fields_are_those_the_write_path_computes():
    generate(5)
    notice = Notice.objects.first()
    generated = (notice.search_title, notice.search_headings, notice.search_body)

    index_notices([notice.pk])
    notice.refresh_from_db()

    assert (notice.search_title, notice.search_headings, notice.search_body) == generated


def test_issuers_categories_dates_and_drafts_vary():
    generate(40)

    assert Notice.objects.values("lead_issuer").distinct().count() >= 10
    assert Notice.objects.values("categories").distinct().count() >= 5
    assert CoIssuer.objects.exists()
    years = Notice.objects.values_list("issued_date__year", flat=True)
    assert min(years) >= 1995 and max(years) <= 2026 and len(set(years)) >= 8
    assert Notice.objects.published().count() > 30


def test_generated_notices_are_found_by_search_and_on_the_list_page(client):
    generate(30)

    found = Notice.objects.published().search(search.parse_query("发展"))
    assert found.count() > 10

    response = client.get("/notices/", {"q": "发展"})
    assert response.status_code == 200
    listed = [notice.pk for notice in response.context["page_obj"]]
    assert listed == list(found.values_list("pk", flat=True)[:20])
    assert "<mark>发展</mark>" in response.content.decode()


def test_a_generated_batch_expires_what_was_cached_before_it(client):
    generate(5)
    before = client.get("/notices/")
    assert "共 " in before.content.decode()
    generate(25, seed=2)
    after = client.get("/notices/")
    assert after.context["paginator"].count == Notice.objects.published().count()
    assert after.context["paginator"].count > before.context["paginator"].count


def test_refuses_a_corpus_of_no_notices():
    with pytest.raises(CommandError):
        generate(0)


@pytest.mark.parametrize(
    ("number", "written"), [(1, "一"), (10, "十"), (12, "十二"), (40, "四十"), (105, "一百零五")]
)
def test_unit_labels_use_chinese_numerals(number, written):
    assert chinese_number(number) == written


def test_generated_notices_cite_earlier_ones_and_the_backfill_links_them():
    from documents.models import Reference

    generate(60, seed=5)
    call_command("link_references", stdout=StringIO())
    linked = Reference.objects.filter(cited__isnull=False)
    assert linked.count() >= 10
    # Each link names the notice by its own number, whichever form the text gave.
    for reference in linked.select_related("cited"):
        assert reference.doc_number_normalized == reference.cited.doc_number_normalized
