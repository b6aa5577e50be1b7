import datetime
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from documents.models import Notice, Section

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "documents" / "sample_data"
SEED = SAMPLE / "regional-economy" / "notice-fagai-diqu-2016-1771.txt"

SECTION_HEADINGS = [
    "指導思想",
    "基本原則",
    "主要目標",
    "深入推進實施區域發展總體戰略",
    "重點實施好三大戰略",
    "全力實施脫貧攻堅",
    "扶持特殊類型地區發展",
    "加快城市群建設發展",
    "拓展藍色經濟空間",
    "構建生態安全屏障",
    "加強區域政策頂層設計",
    "提高區域政策的精準性",
    "發揮區域規劃指導約束作用",
    "優化規劃政策實施與評價機制",
    "推進區域協同發展",
    "促進產業有序轉移與承接",
    "加大對口支援和幫扶工作力度",
    "深化內地和港澳、大陸和臺灣地區合作發展",
    "積極參與國際區域合作",
    "建立健全區際利益平衡機制",
    "支持發揮平臺創新示范作用",
    "推動區域治理法治化",
    "加強統籌協調指導",
    "加大督促落實力度",
    "強化上下聯動協作",
]


def run(*args):
    call_command("import_notices", *map(str, args))


@pytest.fixture
def seed_notice():
    run(SEED, "--category", "regional-economy")
    return Notice.objects.get()


def test_the_sample_notice_is_fully_structured(seed_notice):
    n = seed_notice
    assert n.title == "國家發展改革委關于印發貫徹落實區域發展戰略促進區域協調發展的指導意見的通知"
    assert n.doc_number == "發改地區[2016]1771號"
    assert n.doc_number_normalized == "发改地区[2016]1771号"
    assert n.lead_issuer.name == "国家发展改革委"
    assert (n.issued_date, n.published_date) == (
        datetime.date(2016, 8, 16),
        datetime.date(2016, 10, 19),
    )
    assert n.addressees == "各省、自治區、直轄市人民政府,國務院有關部委、直屬機構"
    assert n.preamble.startswith(
        "《關于貫徹落實區域發展戰略促進區域協調發展的指導意見》已經國務院同意"
    )
    assert [a.title for a in n.attachments.all()] == [
        "關于貫徹落實區域發展戰略促進區域協調發展的指導意見"
    ]
    assert n.signatory == "國家發展改革委"
    assert n.source == "未知"
    assert n.body_title == "關于貫徹落實區域發展戰略促進區域協調發展的指導意見"
    assert n.body_intro.startswith("黨中央、國務院高度重視促進區域協調發展工作。")
    assert n.body_intro.endswith("提出以下指導意見。")
    assert [c.slug for c in n.categories.all()] == ["regional-economy"]
    assert n.status == Notice.Status.PUBLISHED


def test_the_sample_notice_has_six_chapters_and_twenty_five_sections(seed_notice):
    chapters = list(seed_notice.sections.filter(kind="chapter"))
    assert [c.label for c in chapters] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert chapters[0].heading == "總體要求" and chapters[-1].heading == "切實加強組織領導"
    sections = list(seed_notice.sections.filter(kind="section").select_related("parent"))
    assert len(sections) == 25
    assert [s.heading for s in sections] == SECTION_HEADINGS
    assert [s.number for s in sections] == list(range(1, 26))
    assert sections[0].label == "(一)" and sections[-1].label == "(二十五)"
    assert [s.anchor for s in sections] == [f"s-{i}" for i in range(1, 26)]
    assert [c.anchor for c in chapters] == [f"ch-{i}" for i in range(1, 7)]
    assert {s.parent.label for s in sections[:3]} == {"一、"}
    assert sections[-1].parent.label == "六、"
    principles = sections[1].text.splitlines()
    assert principles[0].startswith("市場導向,政府推動。")
    assert principles[-1].startswith("問題導向,循序漸進。")


def test_the_sample_notice_carries_no_scraping_noise(seed_notice):
    texts = [seed_notice.title, seed_notice.doc_number, seed_notice.body_intro]
    texts += [f"{s.label}{s.heading}{s.text}" for s in Section.objects.all()]
    whole = "\n".join(texts)
    for noise in ["(di)", "(hao)", "000061", "股吧", "相關文章推薦", "十三五政策及新聞"]:
        assert noise not in whole, noise
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", whole)
    assert "重要農產品的價格形成機制" in whole
    assert "歐美國家(地區)" in whole


def test_reader_can_jump_to_the_last_section(client, seed_notice):
    page = client.get(seed_notice.get_absolute_url()).content.decode()
    assert '<a href="#s-25">' in page and 'id="s-25"' in page
    # The seed is stored in traditional script; the default (简体) page shows it simplified.
    assert "(二十五)" in page and "强化上下联动协作" in page


def test_importing_again_skips_and_update_overwrites(seed_notice, capsys):
    run(SEED)
    assert "跳过" in capsys.readouterr().out
    assert Notice.objects.count() == 1
    Section.objects.filter(notice=seed_notice, number=25).update(heading="被改动")
    run(SEED, "--update")
    assert "更新" in capsys.readouterr().out
    assert Notice.objects.count() == 1
    assert Section.objects.filter(heading="強化上下聯動協作").count() == 1
    assert Section.objects.count() == 31


def test_draft_import_stays_out_of_public_pages(client):
    run(SEED, "--draft")
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.DRAFT
    assert client.get(notice.get_absolute_url()).status_code == 404


def test_a_file_without_body_fails_with_a_reason_and_a_non_zero_exit(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(CommandError) as error:
        run(tmp_path)
    assert error.value.returncode == 1
    out = capsys.readouterr()
    assert "失败 2" in out.out
    assert "empty.txt" in out.err
    assert Notice.objects.count() == 0


def test_unknown_category_and_missing_path_are_refused_before_any_import(tmp_path):
    with pytest.raises(CommandError, match="没有这个分类"):
        run(SEED, "--category", "nonsense")
    with pytest.raises(CommandError, match="找不到"):
        run(tmp_path / "missing.txt")
    assert Notice.objects.count() == 0


def test_a_directory_is_imported_with_a_progress_line_per_file(capsys):
    run(SAMPLE)
    out = capsys.readouterr().out
    assert re.search(r"\[1/\d+\] ", out)
    assert "完成：导入" in out


def test_a_regulation_lists_chapters_in_its_contents_and_anchors_every_article(client):
    run(SAMPLE / "13th-five-year-plan" / "law-001.md")
    law = Notice.objects.get()
    assert law.sections.filter(kind="chapter").count() == 6
    assert law.sections.filter(kind="article").count() == 44
    page = client.get(law.get_absolute_url()).content.decode()
    toc = page[page.index('class="toc"') : page.index("</nav>", page.index('class="toc"'))]
    assert "第一章" in toc and "第一节" in toc
    assert "第一条" not in toc
    assert 'id="art-44"' in page


def test_a_text_file_is_read_as_text_even_with_markup_in_it(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(
        "国务院办公厅关于<b>规范</b>网页<p>标签写法的通知\n国办发〔2030〕99号\n\n"
        "各省、自治区、直辖市人民政府：\n现就有关事项通知如下。\n\n国务院办公厅\n2030年1月5日\n",
        encoding="utf-8",
    )
    run(path)
    assert Notice.objects.get().title == "国务院办公厅关于<b>规范</b>网页<p>标签写法的通知"


def test_a_big5_text_file_imports_in_traditional_script(tmp_path):
    path = tmp_path / "notice.txt"
    text = SEED.read_text(encoding="utf-8")
    path.write_bytes(text.encode("big5", errors="ignore"))
    run(path)
    assert Notice.objects.get().title.startswith("國家發展改革委關")


UNNUMBERED = (
    "国务院办公厅关于做好{season}防汛工作的通知\n\n"
    "各省、自治区、直辖市人民政府：\n请认真做好防汛工作。\n\n国务院办公厅\n2030年5月{day}日\n"
)


def test_a_notice_without_a_doc_number_imported_twice_is_kept_once(tmp_path, capsys):
    first = tmp_path / "first.txt"
    first.write_text(UNNUMBERED.format(season="汛期", day=6), encoding="utf-8")
    # The same notice copied the other way: in traditional script, empty lines between lines.
    again = tmp_path / "again.txt"
    again.write_text(
        "\n\n".join(
            "國務院辦公廳關於做好汛期防汛工作的通知\n\n各省、自治區、直轄市人民政府：\n"
            "請認真做好防汛工作。\n\n國務院辦公廳\n2030年5月6日".split("\n")
        ),
        encoding="utf-8",
    )
    run(first)
    run(again)
    assert Notice.objects.count() == 1
    assert "跳过" in capsys.readouterr().out
    run(again, "--update")
    assert Notice.objects.get().title == "國務院辦公廳關於做好汛期防汛工作的通知"


def test_notices_without_a_doc_number_differ_by_title_or_date(tmp_path):
    for name, season, day in (("a", "汛期", 6), ("b", "汛期", 7), ("c", "夏季", 6)):
        (tmp_path / f"{name}.txt").write_text(
            UNNUMBERED.format(season=season, day=day), encoding="utf-8"
        )
    run(tmp_path)
    assert Notice.objects.count() == 3


FILES = Path(__file__).resolve().parent / "data" / "files"


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_a_word_document_or_pdf_of_the_seed_imports_whole(suffix):
    run(FILES / f"notice-fagai-diqu-2016-1771.{suffix}")
    notice = Notice.objects.get()
    assert notice.doc_number == "發改地區[2016]1771號"
    assert notice.sections.filter(kind="chapter").count() == 6
    assert notice.sections.filter(kind="section").count() == 25
    assert notice.sections.get(number=25, kind="section").heading == "強化上下聯動協作"


def test_a_saved_web_page_imports_its_notice_and_none_of_the_page():
    run(FILES / "notice-fagai-diqu-2016-1771.saved-page.html")
    notice = Notice.objects.get()
    assert notice.title.startswith("國家發展改革委關于印發貫徹落實")
    assert notice.doc_number == "發改地區[2016]1771號"
    assert notice.sections.filter(kind="section").count() == 25
    text = "\n".join(
        [notice.title, notice.preamble, notice.body_intro, notice.addressees]
        + [f"{s.heading}{s.text}" for s in notice.sections.all()]
    )
    for chrome in (
        "政务公开",
        "互动交流",
        "搜索",
        "分享到",
        "微博",
        "上一篇",
        "网站标识码",
        "无障碍",
    ):
        assert chrome not in text, chrome


def test_each_imported_file_is_kept_with_its_notice():
    run(SEED)
    notice = Notice.objects.get()
    assert notice.source_file.name.startswith("sources/")
    assert notice.source_file.read() == SEED.read_bytes()


def test_an_import_failing_midway_keeps_neither_the_notice_nor_its_file(
    monkeypatch, settings, tmp_path
):
    from django.db import DatabaseError

    from documents import services

    settings.MEDIA_ROOT = tmp_path

    def failing(ids):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "index_notices", failing)
    with pytest.raises(CommandError):
        run(SEED)
    assert Notice.objects.count() == 0
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
