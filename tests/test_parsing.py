"""The raw-text parser on the reference seed, and its building blocks (numerals, dates, noise).

Pure Python: runs with ``-p no:django``.
"""

import datetime
import re
from pathlib import Path

import pytest

from documents.parsing import parse_notice
from documents.parsing.dates import is_date_line, parse_date
from documents.parsing.html import html_to_text, looks_like_html
from documents.parsing.noise import clean_lines, remove_inline_noise
from documents.parsing.numerals import chinese_to_int
from documents.parsing.structure import build_units, match_label, split_heading

DATA = Path(__file__).parent / "data"
SEED = DATA / "notice-fagai-diqu-2016-1771.txt"
CJK_SPACE_CJK = re.compile(r"[\u4e00-\u9fff][ \u00a0]+[\u4e00-\u9fff]")

SEED_SECTIONS = [
    ("(一)", "指導思想"),
    ("(二)", "基本原則"),
    ("(三)", "主要目標"),
    ("(四)", "深入推進實施區域發展總體戰略"),
    ("(五)", "重點實施好三大戰略"),
    ("(六)", "全力實施脫貧攻堅"),
    ("(七)", "扶持特殊類型地區發展"),
    ("(八)", "加快城市群建設發展"),
    ("(九)", "拓展藍色經濟空間"),
    ("(十)", "構建生態安全屏障"),
    ("(十一)", "加強區域政策頂層設計"),
    ("(十二)", "提高區域政策的精準性"),
    ("(十三)", "發揮區域規劃指導約束作用"),
    ("(十四)", "優化規劃政策實施與評價機制"),
    ("(十五)", "推進區域協同發展"),
    ("(十六)", "促進產業有序轉移與承接"),
    ("(十七)", "加大對口支援和幫扶工作力度"),
    ("(十八)", "深化內地和港澳、大陸和臺灣地區合作發展"),
    ("(十九)", "積極參與國際區域合作"),
    ("(二十)", "建立健全區際利益平衡機制"),
    ("(二十一)", "支持發揮平臺創新示范作用"),
    ("(二十二)", "推動區域治理法治化"),
    ("(二十三)", "加強統籌協調指導"),
    ("(二十四)", "加大督促落實力度"),
    ("(二十五)", "強化上下聯動協作"),
]
SEED_CHAPTERS = [
    ("一、", "總體要求", 3),
    ("二、", "優化經濟發展空間格局", 7),
    ("三、", "完善創新區域政策", 4),
    ("四、", "加強區域合作互動", 5),
    ("五、", "健全區域協調發展機制", 3),
    ("六、", "切實加強組織領導", 3),
]


@pytest.fixture(scope="module")
def seed():
    return parse_notice(SEED.read_text(encoding="utf-8"))


def all_text(notice) -> str:
    """Every piece of text the parser returned, in reading order."""
    parts = [
        notice.title,
        notice.doc_number,
        notice.addressees,
        notice.preamble,
        *notice.attachments,
        notice.signatory,
        notice.body_title,
        notice.body_intro,
    ]

    def walk(units):
        for unit in units:
            parts.extend([unit.label, unit.heading, unit.text])
            walk(unit.children)

    walk(notice.units)
    return "\n".join(parts)


# The seed notice, field by field.


def test_seed_header_fields(seed):
    assert seed.title == (
        "國家發展改革委關于印發貫徹落實區域發展戰略促進區域協調發展的指導意見的通知"
    )
    assert seed.doc_number == "發改地區[2016]1771號"
    assert seed.issuing_bodies == ["國家發展改革委"]
    assert seed.addressees == "各省、自治區、直轄市人民政府,國務院有關部委、直屬機構"
    assert seed.source == "未知"
    assert seed.published_date == datetime.date(2016, 10, 19)
    assert seed.index_number == ""


def test_seed_covering_notice(seed):
    assert seed.preamble == (
        "《關于貫徹落實區域發展戰略促進區域協調發展的指導意見》已經國務院同意,"
        "現印發你們,請認真貫徹執行。"
    )
    assert seed.attachments == ["關于貫徹落實區域發展戰略促進區域協調發展的指導意見"]
    assert seed.signatory == "國家發展改革委"
    assert seed.issued_date == datetime.date(2016, 8, 16)


def test_seed_duplicated_date_line_is_dropped(seed):
    assert "2016年8月16日" not in all_text(seed)


def test_seed_attached_document(seed):
    assert seed.body_title == "關于貫徹落實區域發展戰略促進區域協調發展的指導意見"
    assert seed.body_intro.startswith("黨中央、國務院高度重視促進區域協調發展工作。近年來,在區域")
    assert seed.body_intro.endswith("有關工作部署,提出以下指導意見。")
    assert "\n" not in seed.body_intro


def test_seed_has_six_chapters_with_headings(seed):
    assert [(u.kind, u.label, u.number, u.heading, len(u.children)) for u in seed.units] == [
        ("chapter", label, number, heading, count)
        for number, (label, heading, count) in enumerate(SEED_CHAPTERS, start=1)
    ]
    assert all(u.text == "" for u in seed.units)


def test_seed_sections_run_on_across_chapters(seed):
    sections = [s for chapter in seed.units for s in chapter.children]
    assert [(s.label, s.heading) for s in sections] == SEED_SECTIONS
    assert [s.number for s in sections] == list(range(1, 26))
    assert {s.kind for s in sections} == {"section"}
    assert all(not s.children for s in sections)


def test_seed_section_text_excludes_label_and_heading(seed):
    first = seed.units[0].children[0]
    assert first.text.startswith("全面貫徹黨的十八大和十八屆三中、四中、五中全會精神")
    assert first.text.endswith("為國民經濟持續健康發展和全面建成小康社會作出新貢獻。")
    last = seed.units[-1].children[-1]
    assert last.text.endswith("形成區域協調發展合力,實現互利共贏。")


def test_seed_basic_principles_keeps_all_its_paragraphs(seed):
    principles = seed.units[0].children[1]
    paragraphs = principles.text.split("\n")
    assert [p[:9] for p in paragraphs] == [
        "市場導向,政府推動",
        "統籌協調,分類指導",
        "改革創新,開放合作",
        "問題導向,循序漸進",
    ]
    assert seed.units[0].children[2].text.startswith("到2020年,區域協調發展新格局基本形成")


def test_seed_noise_is_gone(seed):
    text = all_text(seed)
    for noise in ("(di)", "(hao)", "股吧", "000061", "相關文章", "十三五政策及新聞", "點擊"):
        assert noise not in text
    assert not CJK_SPACE_CJK.search(text)
    assert "區域良性互動格局" in seed.body_intro
    assert "重要農產品的價格形成機制" in seed.units[4].children[0].text


def test_seed_keeps_parenthesised_body_text(seed):
    text = all_text(seed)
    for kept in (
        "歐美國家(地區)的開放合作",
        "產業結構單一地區(城市)加快",
        "創新型(試點)省份",
        "跨省(區、市)的區域規劃",
        "示范區(園區)",
    ):
        assert kept in text


def test_seed_to_dict_is_json_ready(seed):
    data = seed.to_dict()
    assert data["issued_date"] == "2016-08-16"
    assert data["published_date"] == "2016-10-19"
    assert data["units"][0]["children"][0]["heading"] == "指導思想"
    assert data["units"][0]["children"][0]["children"] == []


def test_seed_sample_data_copy_is_the_same_text():
    sample = (
        Path(__file__).parent.parent / "documents" / "sample_data" / "regional-economy" / SEED.name
    )
    assert sample.read_bytes() == SEED.read_bytes()


def test_seed_parses_the_same_from_simplified_script():
    from documents.parsing import to_simplified

    notice = parse_notice(to_simplified(SEED.read_text(encoding="utf-8")))
    assert notice.doc_number == "发改地区[2016]1771号"
    assert notice.addressees == "各省、自治区、直辖市人民政府,国务院有关部委、直属机构"
    assert notice.body_title == "关于贯彻落实区域发展战略促进区域协调发展的指导意见"
    assert [u.heading for u in notice.units][0] == "总体要求"
    assert sum(len(u.children) for u in notice.units) == 25
    assert notice.warnings == []


# Chinese numerals.


@pytest.mark.parametrize(
    "written, value",
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十五", 25),
        ("一百", 100),
        ("一百零一", 101),
        ("一百一十", 110),
        ("两百", 200),
        ("〇", 0),
        ("零", 0),
        ("二〇一六", 2016),
        ("一九八一", 1981),
        ("25", 25),
        ("１２", 12),
    ],
)
def test_chinese_numerals(written, value):
    assert chinese_to_int(written) == value


@pytest.mark.parametrize("written", ["", "地區", "十a", "二三十"])
def test_non_numerals_read_as_none(written):
    assert chinese_to_int(written) is None


# Dates.


@pytest.mark.parametrize(
    "written, date",
    [
        ("2016年8月16日", (2016, 8, 16)),
        ("2016-10-19", (2016, 10, 19)),
        ("2016.10.19", (2016, 10, 19)),
        ("二〇一六年八月十六日", (2016, 8, 16)),
        ("一九九六年六月二十九日", (1996, 6, 29)),
        ("2019年04月17日", (2019, 4, 17)),
        ("二〇〇四年十一月四日", (2004, 11, 4)),
        ("日期:2016-10-19 點擊:次", (2016, 10, 19)),
    ],
)
def test_dates_are_read(written, date):
    assert parse_date(written) == datetime.date(*date)


@pytest.mark.parametrize("written", ["8月16日", "2016年8月", "2016年13月1日", "十六日", "1771號"])
def test_incomplete_or_impossible_dates_are_not_guessed(written):
    assert parse_date(written) is None


def test_date_lines():
    assert is_date_line("2016年8月16日")
    assert is_date_line("  二〇〇四年十一月四日 ")
    assert not is_date_line("2016年8月16日印發")


# Noise.


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("發改地(di)區[2016]1771號(hao)", "發改地區[2016]1771號"),
        ("地(guān)係", "地係"),
        ("重要農產品(000061,股吧)的價格", "重要農產品的價格"),
        ("重要农产品（000061，股吧）的价格", "重要农产品的价格"),
        ("區域 良性互動", "區域良性互動"),
        ("到 2020 年,區域", "到2020年,區域"),
        ("(二)基本原則。 市場導向", "(二)基本原則。市場導向"),
        ("政策指導, 加快", "政策指導,加快"),
        ("歐美國家(地區)的開放", "歐美國家(地區)的開放"),
        ("單一地區(城市)加快", "單一地區(城市)加快"),
        ("創新型(試點)省份", "創新型(試點)省份"),
        ("条件(a)成立", "条件(a)成立"),
        ("Open Government Data 开放", "Open Government Data 开放"),
        ("R-160.000 L-96.753", "R-160.000 L-96.753"),
        ("國務院辦公廳\u3000中央軍委辦公廳", "國務院辦公廳\u3000中央軍委辦公廳"),
    ],
)
def test_inline_noise(raw, clean):
    assert remove_inline_noise(raw) == clean


def test_menu_chrome_and_trailer_lines_are_dropped():
    raw = "\n".join(
        [
            "- 區域經濟政策",
            "- 一帶一路政策",
            "首页 > 政策 > 政策库",
            "标题一行的通知",
            "扫一扫在手机打开当前页",
            "正文。",
            "2016年8月16日",
            "2016年8月16日",
            "【打印】【关闭】",
            "上一条：别的通知",
            "相关文章推荐：",
            "别的文章标题",
        ]
    )
    assert clean_lines(raw) == ["标题一行的通知", "正文。", "2016年8月16日"]


def test_dash_lines_inside_the_text_are_kept():
    assert clean_lines("标题\n正文\n- 列表项") == ["标题", "正文", "- 列表项"]


# Labels and the unit tree.


@pytest.mark.parametrize(
    "line, kind, label, number",
    [
        ("一、总体要求", "chapter", "一、", 1),
        ("(二十五)强化", "section", "(二十五)", 25),
        ("（一百零一）内容", "section", "（一百零一）", 101),
        ("第一百零一条 内容", "article", "第一百零一条", 101),
        ("第三章 附则", "chapter", "第三章", 3),
        ("第二节 公众参与", "section", "第二节", 2),
        ("第一编 总则", "part", "第一编", 1),
        ("第十條　為了", "article", "第十條", 10),
        ("1.问题导向", "item", "1.", 1),
        ("（3）内容", "item", "（3）", 3),
        ("②内容", "item", "②", 2),
        ("1.2.1 范围", "item", "1.2.1", 1),
        ("## 第一章 总则", "chapter", "第一章", 1),
    ],
)
def test_labels(line, kind, label, number):
    found = match_label(line)
    assert (found.kind, found.label, found.number) == (kind, label, number)


@pytest.mark.parametrize(
    "line", ["第十条规定的情形", "2019年底前完成", "(地區)", "十三五规划", "表\t1.a"]
)
def test_not_labels(line):
    assert match_label(line) is None


def test_items_restart_under_each_section():
    lines = ["（一）甲。", "1.子一", "2.子二", "（二）乙。", "1.子三", "（1）细", "①更细"]
    intro, units = build_units(lines, warnings := [])
    assert intro == [] and warnings == []
    assert [u.label for u in units] == ["（一）", "（二）"]
    assert [c.label for c in units[0].children] == ["1.", "2."]
    item = units[1].children[0]
    assert item.children[0].label == "（1）"
    assert item.children[0].children[0].label == "①"


def test_decimal_numbering_nests_by_depth():
    lines = ["1 总则", "1.1 范围", "1.2 引用", "1.2.1 国家标准", "1.2.2 行业标准", "1.3 术语"]
    lines += ["2 要求", "2.1 一般要求"]
    intro, units = build_units(lines, [])
    assert intro == []
    assert [(u.label, u.heading, u.kind) for u in units] == [
        ("1", "总则", "chapter"),
        ("2", "要求", "chapter"),
    ]
    assert [u.label for u in units[0].children] == ["1.1", "1.2", "1.3"]
    assert [c.label for c in units[0].children[1].children] == ["1.2.1", "1.2.2"]
    assert units[0].children[1].children[1].number == 2


def test_a_number_before_a_sentence_is_text_not_a_unit():
    intro, units = build_units(["1 总则", "3个工作日内完成审核，逾期视为同意。"], [])
    assert [u.label for u in units] == ["1"]
    assert units[0].text == "3个工作日内完成审核，逾期视为同意。"


PLAN = """某某市突发事件总体应急预案
目  录
1 总则
1.1 编制目的……………1
1.2 编制依据……………1
2 组织体系……………2
2.1 领导机构……………2
3 附则……………………3
1 总则
1.1 编制目的
为提高政府保障公共安全和处置突发事件的能力，制定本预案。
1.2 编制依据
依据《中华人民共和国突发事件应对法》等法律法规。
2 组织体系
2.1 领导机构
市人民政府是本市突发事件应急管理工作的最高行政领导机构。
（1）负责值守应急；
（2）负责信息汇总。
3 附则
本预案自发布之日起施行。
"""


def test_a_plan_with_a_table_of_contents_has_each_unit_once():
    plan = parse_notice(PLAN)
    assert plan.title == "某某市突发事件总体应急预案"
    assert [(u.label, u.heading) for u in plan.units] == [
        ("1", "总则"),
        ("2", "组织体系"),
        ("3", "附则"),
    ]
    assert [u.label for u in plan.units[0].children] == ["1.1", "1.2"]
    assert [u.label for u in plan.units[1].children[0].children] == ["（1）", "（2）"]
    assert "目" not in plan.preamble and plan.units[2].text == "本预案自发布之日起施行。"


def test_backwards_number_is_text_with_a_warning():
    intro, units = build_units(["一、甲", "二、乙", "三、丙", "二、丁", "四、戊"], warnings := [])
    assert [u.label for u in units] == ["一、", "二、", "三、", "四、"]
    assert units[2].text == "二、丁"
    assert warnings


def test_amount_at_paragraph_start_is_not_a_decimal_label():
    intro, units = build_units(["一、投资", "1.5亿元用于建设。"], [])
    assert units[0].children == []
    assert units[0].text == "1.5亿元用于建设。"


# HTML.


def test_html_paragraphs_entities_and_tables():
    markup = (
        "<tbody><tr><td><p>标题&amp;甲</p><p>国务院&nbsp;&nbsp;</p><br>"
        "<table><tr><td><p>甲</p><p>乙</p></td><td>丙</td></tr></table></td></tr></tbody>"
    )
    assert looks_like_html(markup)
    lines = html_to_text(markup).split("\n")
    assert lines == ["标题&甲", "国务院\u00a0\u00a0", "", "甲 乙\t丙", ""]


def test_attachment_title_starting_with_a_year_keeps_it():
    notice = parse_notice(
        "国务院关于同意组建协调委员会的批复\n国函〔2006〕48号\n民航总局：\n同意组建。\n"
        "附件：2008年北京奥运会首都国际机场协调委员会组建方案\n国务院\n二〇〇六年五月二十三日\n"
    )
    assert notice.attachments == ["2008年北京奥运会首都国际机场协调委员会组建方案"]
    assert notice.issued_date == datetime.date(2006, 5, 23)


def test_full_html_page_with_chrome():
    page = (
        "<html><head><title>国务院关于某项工作的通知_政府信息公开</title>"
        "<style>p{margin:0}</style></head><body>"
        "<div class='crumb'>首页 &gt; 政策 &gt; 国务院文件</div>"
        "<p>国务院关于加强</p><p>某项工作的通知</p><p>国发〔2019〕5号</p><p><br></p>"
        "<p>各省、自治区、直辖市人民政府：</p><p>现就有关事项通知如下。</p>"
        "<p>一、总体要求</p><p>（一）指导思想。坚持稳中求进。</p>"
        "<p style='text-align:right'>国务院&nbsp;&nbsp;&nbsp;</p>"
        "<p style='text-align:right'>2019年1月27日&nbsp;&nbsp;</p>"
        "<div>扫一扫在手机打开当前页</div><div>【打印】【关闭】</div></body></html>"
    )
    notice = parse_notice(page)
    assert notice.title == "国务院关于加强某项工作的通知"
    assert notice.doc_number == "国发〔2019〕5号"
    assert notice.addressees == "各省、自治区、直辖市人民政府"
    assert notice.preamble == "现就有关事项通知如下。"
    assert notice.signatory == "国务院"
    assert notice.issued_date == datetime.date(2019, 1, 27)
    section = notice.units[0].children[0]
    assert (section.label, section.heading, section.text) == (
        "（一）",
        "指导思想",
        "坚持稳中求进。",
    )
    assert notice.warnings == []


def test_warnings_reach_editors_in_chinese():
    missing = parse_notice("一些没有标题的文字。\n另一段。")
    skipping = parse_notice("关于测试编号的通知\n一、甲\n二、乙\n五、丙\n三、丁")
    warnings = missing.warnings + skipping.warnings
    assert "没有识别出发文字号" in missing.warnings
    assert any("编号" in warning for warning in skipping.warnings)
    assert warnings and not [w for w in warnings if re.search(r"[A-Za-z]{3,}", w)]


def test_a_formula_or_link_before_the_title_is_no_issuing_body():
    notice = parse_notice(
        '=HYPERLINK("http://evil")国务院关于做好防汛工作的通知\n国发〔2030〕9号\n\n'
        "各省、自治区、直辖市人民政府：\n请认真做好防汛工作。\n\n国务院\n2030年5月6日\n"
    )
    assert notice.issuing_bodies == ["国务院"]  # from the signature
    assert any("不像发文机关的名称" in warning for warning in notice.warnings)


@pytest.mark.parametrize(
    "line, cleaned", [("请认真做好工作。 aZ3kQ9xP", "请认真做好工作。"), ("qW8eR4tY1u", "")]
)
def test_anti_copy_strings_of_forum_reposts_are_dropped(line, cleaned):
    assert remove_inline_noise(line).strip() == cleaned


def test_codes_and_names_in_latin_letters_are_kept():
    line = remove_inline_noise("执行 ISO9001、PM2.5 和 H7N9 的规定 WeChat2019 iPhone12 COVID19 x86")
    for code in ("ISO9001", "PM2.5", "H7N9", "WeChat2019", "iPhone12", "COVID19", "x86"):
        assert code in line


NOTICE_OF = (
    "国务院关于做好防汛工作的通知\n国发〔2019〕9号\n\n各省、自治区、直辖市人民政府：\n"
    "请认真做好防汛工作。\n\n国务院\n{date}\n"
)


def test_a_future_issue_date_is_a_warning():
    future = parse_notice(NOTICE_OF.format(date="2099年5月6日"))
    assert "成文日期 2099-05-06 在今天之后，请核对" in future.warnings
    assert parse_notice(NOTICE_OF.format(date="2019年5月6日")).warnings == []


@pytest.mark.parametrize(
    "garble",
    [
        lambda text: text.replace("防汛", "锟斤拷"),  # GBK bytes read as UTF-8, twice over
        lambda text: text.replace("防汛", "\ufffd\ufffd"),
        lambda text: text.encode().decode("latin-1"),  # UTF-8 read as Latin-1
    ],
)
def test_garbled_text_is_a_warning(garble):
    notice = parse_notice(garble(NOTICE_OF.format(date="2019年5月6日")))
    assert any(w.startswith("文本中有乱码") for w in notice.warnings)


@pytest.mark.parametrize(
    "line, heading",
    [
        ("（一）指导思想：全面贯彻党的十九大精神。", "指导思想"),
        ("（二）工作目标：到2025年基本建成。", "工作目标"),
        ("（三）各地区要：加强领导，落实责任。", ""),  # a sentence introducing its list
        ("（四）主要任务包括：一是加强领导。", ""),
    ],
)
def test_a_heading_may_end_at_a_colon(line, heading):
    assert split_heading(match_label(line))[0] == heading
