import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from documents.models import Category, CoIssuer, Notice, Section
from tests import factories

pytestmark = pytest.mark.django_db


def test_migration_creates_the_fifteen_menu_categories_in_menu_order():
    names = list(Category.objects.values_list("name", flat=True))
    assert len(names) == 15
    assert names[0] == "十三五政策及新闻"
    assert names[4] == "区域经济政策"
    assert names[5] == "一带一路政策"
    assert names[-1] == "创新型产业集群政策"
    assert "自贸区政策" in names and "高新技术企业政策" in names


def test_doc_number_is_kept_as_written_and_folded_with_its_parts():
    notice = factories.notice(doc_number="發改地區[2016]1771號")
    notice.refresh_from_db()
    assert notice.doc_number == "發改地區[2016]1771號"
    assert notice.doc_number_normalized == "发改地区[2016]1771号"
    assert (notice.doc_code, notice.doc_year, notice.doc_serial) == ("发改地区", 2016, 1771)


@pytest.mark.parametrize(
    "spelling", ["发改地区〔2016〕1771号", "發改地區［2016］1771號", "发改地区[2016]第1771号"]
)
def test_the_same_doc_number_in_another_spelling_is_refused_for_the_same_issuer(spelling):
    factories.notice(doc_number="發改地區[2016]1771號")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.notice(doc_number=spelling)


def test_the_same_doc_number_is_allowed_for_another_lead_issuer_and_when_empty():
    factories.notice(doc_number="国发〔2016〕1号")
    factories.notice(doc_number="国发〔2016〕1号", lead_issuer=factories.body("国务院"))
    factories.notice(doc_number="")
    factories.notice(doc_number="")
    assert Notice.objects.count() == 4


def test_clean_reports_a_duplicate_doc_number_in_words():
    first = factories.notice(doc_number="发改地区〔2016〕1771号")
    twin = Notice(title="另一个", doc_number="發改地區[2016]1771號", lead_issuer=first.lead_issuer)
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "已有发文字号相同的文件" in str(error.value.message_dict["doc_number"])


def test_published_hides_drafts():
    shown = factories.notice()
    factories.notice(published=False)
    assert list(Notice.objects.published()) == [shown]


def test_issued_by_finds_published_lead_and_joint_notices_once():
    ndrc = factories.body("国家发展改革委")
    mof = factories.body("财政部")
    led = factories.notice(lead_issuer=ndrc)
    joint = factories.notice(lead_issuer=mof)
    CoIssuer.objects.create(notice=joint, body=ndrc, position=1)
    factories.notice(lead_issuer=mof)
    also_listed = factories.notice(lead_issuer=ndrc)  # the lead, listed among its issuers too
    CoIssuer.objects.create(notice=also_listed, body=ndrc, position=1)
    factories.notice(lead_issuer=ndrc, published=False)  # drafts, led and joined: never listed
    joint_draft = factories.notice(lead_issuer=mof, published=False)
    CoIssuer.objects.create(notice=joint_draft, body=ndrc, position=1)
    assert set(Notice.objects.issued_by(ndrc)) == {led, joint, also_listed}
    assert Notice.objects.issued_by(ndrc).count() == 3
    assert len(Notice.objects.issued_by(ndrc).newest_first()) == 3  # each once


def test_issuing_bodies_lists_the_lead_first_then_joint_issuers_in_order():
    notice = factories.notice(lead_issuer=factories.body("国务院办公厅"))
    CoIssuer.objects.create(notice=notice, body=factories.body("财政部"), position=2)
    CoIssuer.objects.create(notice=notice, body=factories.body("中央军委办公厅"), position=1)
    assert [b.name for b in notice.issuing_bodies()] == ["国务院办公厅", "中央军委办公厅", "财政部"]


def test_unit_tree_nests_units_under_their_parents_in_order():
    notice = factories.notice()
    chapter = Section.objects.create(
        notice=notice, kind="chapter", label="一、", number=1, heading="总体要求", position=0
    )
    for i, heading in enumerate(["指导思想", "基本原则"], start=1):
        Section.objects.create(
            notice=notice,
            parent=chapter,
            label=f"({'一二'[i - 1]})",
            number=i,
            heading=heading,
            position=i,
        )
    tree = notice.unit_tree()
    assert [u.heading for u in tree] == ["总体要求"]
    assert [u.heading for u in tree[0].child_units] == ["指导思想", "基本原则"]


def test_issuing_body_gets_an_ascii_slug():
    chinese = factories.body("国家发展改革委")
    assert chinese.slug.startswith("body-") and chinese.slug.isascii()
    assert factories.body("NDRC Office").slug == "ndrc-office"


def test_notice_urls():
    notice = factories.notice(sections=1)
    assert notice.get_absolute_url() == f"/notices/{notice.pk}/"
    assert notice.sections.get().get_absolute_url() == f"/notices/{notice.pk}/#s-1"
    assert factories.category().get_absolute_url() == "/categories/regional-economy/"
