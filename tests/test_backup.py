"""export_archive and import_archive: the round trip is exact, damage is refused."""

import datetime
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from documents.backup import database_summary
from documents.models import Attachment, Category, CoIssuer, IssuingBody, Notice, Section
from documents.search import parse_query
from tests.factories import body, category, notice, view_count

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "documents" / "sample_data"


@pytest.fixture
def archive():
    """Real notices from the sample data and hand-made ones with every field set."""
    # A regulation with chapters and articles, the traditional-script seed notice, and more.
    for slug in ("13th-five-year-plan", "regional-economy", "belt-and-road"):
        call_command("import_notices", str(SAMPLE / slug), "--category", slug, stdout=StringIO())
    joint = notice(
        title="关于推进“一带一路”建设科技创新合作的通知",
        doc_number="  發改地區[2016]1771號 ",
        lead_issuer=body("科技部", short_name="科技部"),
        categories=[category("belt-and-road"), category("regional-economy")],
        units=[("总体要求", "第一段。\n第二段。"), ("重点任务", "")],
        addressees="各省、自治区、直辖市人民政府",
        signatory="科技部 发展改革委",
        published_date=datetime.date(2016, 9, 8),
        source="科技部网站",
        index_number="000014349/2016-00171",
        body_title="推进“一带一路”建设科技创新合作专项规划",
        body_intro="为贯彻落实……",
        validity=Notice.Validity.AMENDED,
        view_count=42,
    )
    for position, name in enumerate(["国家发展改革委", "外交部", "商务部"], start=1):
        CoIssuer.objects.create(notice=joint, body=body(name), position=position)
    Attachment.objects.create(notice=joint, title="附件1：重点任务分工", position=1)
    Attachment.objects.create(
        notice=joint, title="附件2：名单", position=2, file="attachments/2016/名单.pdf"
    )
    chapter = Section.objects.create(
        notice=joint,
        kind="chapter",
        label="第一章",
        number=1,
        heading="总则",
        position=10,
        anchor="ch-1",
    )
    Section.objects.create(
        notice=joint,
        parent=chapter,
        kind="article",
        label="第一条",
        number=1,
        text="为了……，制定本办法。",
        position=11,
        anchor="art-1",
    )
    notice(published=False, title="草稿：尚未发布的通知", doc_number="", issued_date=None)
    notice(lead_issuer=None, doc_number="", validity=Notice.Validity.REPEALED)
    IssuingBody.objects.create(name="没有文件的机关")
    return joint


def export(path):
    call_command("export_archive", str(path), verbosity=0)
    return path.read_bytes()


def empty_archive():
    Notice.objects.all().delete()
    IssuingBody.objects.all().delete()


def test_round_trip_gives_the_same_bytes_and_hash(archive, tmp_path):
    first = export(tmp_path / "first.jsonl")
    before = database_summary()
    notices = Notice.objects.with_view_counts()
    titles = sorted(notices.values_list("id", "title", "doc_number", "view_count"))
    empty_archive()

    call_command("import_archive", str(tmp_path / "first.jsonl"), verbosity=0)

    assert export(tmp_path / "second.jsonl") == first
    assert database_summary() == before
    assert sorted(notices.values_list("id", "title", "doc_number", "view_count")) == titles


def test_gzip_round_trip_and_the_hash_is_printed_by_both_commands(archive, tmp_path, capsys):
    path = tmp_path / "backup.jsonl.gz"
    call_command("export_archive", str(path))
    exported = capsys.readouterr()
    assert "导出" in exported.err  # the progress line
    empty_archive()
    call_command("import_archive", str(path))
    imported = capsys.readouterr().out
    digest = database_summary().content_sha256
    assert f"content sha256: {digest}" in exported.out
    assert f"content sha256: {digest}" in imported
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        assert json.loads(lines.readline())["content_sha256"] == digest
    call_command("export_archive", "--hash-only")
    assert digest in capsys.readouterr().out


def test_restore_keeps_every_field_ids_order_and_tree(archive, tmp_path):
    export(tmp_path / "a.jsonl")
    created_at = Notice.objects.get(pk=archive.pk).created_at
    empty_archive()
    call_command("import_archive", str(tmp_path / "a.jsonl"), verbosity=0)

    joint = Notice.objects.get(pk=archive.pk)
    assert joint.doc_number == "發改地區[2016]1771號"
    assert joint.doc_number_normalized == "发改地区[2016]1771号"
    assert joint.issuing_bodies()[0].name == "科技部"
    assert [b.name for b in joint.issuing_bodies()[1:]] == ["国家发展改革委", "外交部", "商务部"]
    assert sorted(c.slug for c in joint.categories.all()) == ["belt-and-road", "regional-economy"]
    assert [(a.title, a.file.name) for a in joint.attachments.all()] == [
        ("附件1：重点任务分工", ""),
        ("附件2：名单", "attachments/2016/名单.pdf"),
    ]
    assert view_count(joint) == 42 and joint.validity == "amended"
    assert joint.created_at == created_at
    article = joint.sections.get(anchor="art-1")
    assert article.parent.anchor == "ch-1" and article.parent.heading == "总则"
    assert Notice.objects.filter(status="draft").count() == 1
    assert IssuingBody.objects.filter(name="没有文件的机关").exists()
    # The search index is rebuilt: the restored notice is found by its words and its number.
    assert joint in Notice.objects.search(parse_query("科技创新合作"))
    assert joint in Notice.objects.search(parse_query("发改地区〔2016〕1771号"))


def test_a_notice_created_after_a_restore_gets_a_new_id(archive, tmp_path):
    export(tmp_path / "a.jsonl")
    highest = Notice.objects.order_by("-id").first().pk
    empty_archive()
    call_command("import_archive", str(tmp_path / "a.jsonl"), verbosity=0)
    assert notice().pk > highest


def test_restore_refuses_an_archive_that_holds_notices(archive, tmp_path):
    export(tmp_path / "a.jsonl")
    extra = notice(title="备份之后新增的通知")
    with pytest.raises(CommandError, match="已有 .* 篇文件.*--force"):
        call_command("import_archive", str(tmp_path / "a.jsonl"), verbosity=0)
    assert Notice.objects.filter(pk=extra.pk).exists()


def test_force_replaces_the_archive_by_the_file(archive, tmp_path):
    first = export(tmp_path / "a.jsonl")
    notice(title="备份之后新增的通知")
    Notice.objects.filter(pk=archive.pk).update(title="改过的标题")
    call_command("import_archive", str(tmp_path / "a.jsonl"), "--force", verbosity=0)
    assert export(tmp_path / "b.jsonl") == first
    assert not Notice.objects.filter(title="备份之后新增的通知").exists()


def damaged_copies(data: bytes):
    lines = data.split(b"\n")
    edited = data.replace("总则".encode(), "总纲".encode(), 1)
    yield "edited text", edited, "SHA-256"
    yield "truncated", data[: len(data) // 2], "损坏|截断|不完整"
    yield "a line lost", b"\n".join(lines[:5] + lines[6:]), "不完整"
    yield "not JSON", data.replace(b"{", b"[", 3), "不是有效的 JSON|文件头"
    yield "no header", b"\n".join(lines[1:]), "文件头"
    header = json.loads(lines[0])
    header["version"] = 99
    yield "newer version", b"\n".join([json.dumps(header).encode(), *lines[1:]]), "版本"
    yield "not UTF-8", data.replace("总则".encode(), "总则".encode("gb18030"), 1), "损坏"
    yield "bad gzip", gzip.compress(data)[:-20], "损坏"


def test_a_damaged_file_is_refused_and_changes_nothing(archive, tmp_path):
    data = export(tmp_path / "good.jsonl")
    empty_archive()
    Notice.objects.create(title="恢复前的唯一文件")
    before = database_summary()
    for name, damaged, message in damaged_copies(data):
        path = tmp_path / "damaged.jsonl"
        path.write_bytes(damaged)
        for args in ([], ["--force"], ["--check"]):
            with pytest.raises(CommandError, match=message):
                call_command("import_archive", str(path), *args, verbosity=0)
        assert database_summary() == before, name
    assert list(Notice.objects.values_list("title", flat=True)) == ["恢复前的唯一文件"]


def test_check_verifies_a_good_file_without_writing(archive, tmp_path, capsys):
    export(tmp_path / "a.jsonl")
    before = database_summary()
    call_command("import_archive", str(tmp_path / "a.jsonl"), "--check")
    assert "完好" in capsys.readouterr().out
    assert database_summary() == before


def test_categories_after_a_restore_are_the_files(archive, tmp_path):
    export(tmp_path / "a.jsonl")
    empty_archive()
    Category.objects.create(name="临时分类", slug="temporary")
    Category.objects.filter(slug="regional-economy").update(name="改名的分类")
    call_command("import_archive", str(tmp_path / "a.jsonl"), verbosity=0)
    assert not Category.objects.filter(slug="temporary").exists()
    assert category("regional-economy").name == "区域经济政策"
