"""The parser on real documents from /work/shared/corpus, copied into tests/data/.

Every expectation here was written down by reading the document itself (chapter and article
counts, first and last labels, doc numbers, dates), not taken from the parser's output.
"""

import datetime
from pathlib import Path

import pytest

from documents.parsing import parse_notice
from documents.textfiles import read_file

DATA = Path(__file__).parent / "data"


def parse(name: str):
    return parse_notice((DATA / name).read_text(encoding="utf-8"))


def flatten(units):
    for unit in units:
        yield unit
        yield from flatten(unit.children)


def of_kind(notice, kind):
    return [unit for unit in flatten(notice.units) if unit.kind == kind]


# Regulations and department rules (LawRefBook markdown): 章 / 节 / 条.


def test_law_with_chapters_sections_and_articles():
    law = parse("law-001.md")
    assert law.title == "重大行政决策程序暂行条例"
    assert law.doc_number == "中华人民共和国国务院令第713号"
    assert law.issuing_bodies == ["国务院"]
    assert law.issued_date == datetime.date(2019, 4, 20)
    assert "2019年9月1日施行" in law.preamble
    chapters = law.units
    assert [c.label for c in chapters] == [f"第{n}章" for n in "一二三四五六"]
    assert chapters[0].heading == "总则"
    assert chapters[1].heading == "决策草案的形成"
    assert chapters[5].heading == "附则"
    # 第二章 has four 节 and 第三章 two; the other chapters hold their articles directly.
    assert [len(of_kind_in(c, "section")) for c in chapters] == [0, 4, 2, 0, 0, 0]
    assert [s.heading for s in chapters[1].children] == [
        "决策启动",
        "公众参与",
        "专家论证",
        "风险评估",
    ]
    articles = of_kind(law, "article")
    assert len(articles) == 44
    assert [a.number for a in articles] == list(range(1, 45))
    assert (articles[0].label, articles[-1].label) == ("第一条", "第四十四条")
    assert articles[-1].text == "本条例自2019年9月1日起施行。"
    assert [a.label for a in chapters[0].children] == [f"第{n}条" for n in "一二三四五六七八九"]
    assert chapters[1].children[0].children[0].label == "第十条"


def of_kind_in(unit, kind):
    return [u for u in flatten(unit.children) if u.kind == kind]


def test_article_items_are_items_not_sections():
    law = parse("law-001.md")
    third = of_kind(law, "article")[2]
    assert third.text == "本条例所称重大行政决策事项(以下简称决策事项)包括："
    assert [i.label for i in third.children] == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    assert {i.kind for i in third.children} == {"item"}
    assert all(i.heading == "" for i in third.children)
    assert third.children[0].text.startswith("制定有关公共服务、市场监管、社会管理")


def test_rule_with_letter_spaced_chapter_titles_and_no_header():
    rule = parse("law-004.md")
    assert rule.title == "道路交通安全违法行为处理程序规定"
    assert rule.doc_number == ""
    assert rule.issued_date is None
    assert "没有识别出发文字号" in rule.warnings
    assert [c.heading for c in rule.units] == [
        "总则",
        "管辖",
        "调查取证",
        "行政强制措施适用",
        "行政处罚",
        "执法监督",
        "其他规定",
        "附则",
    ]
    assert [s.heading for s in of_kind(rule, "section")] == [
        "一般规定",
        "交通技术监控",
        "行政处罚的决定",
        "行政处罚的执行",
    ]
    articles = of_kind(rule, "article")
    assert len(articles) == 83
    assert (articles[0].label, articles[-1].label) == ("第一条", "第八十三条")
    assert [u.kind for u in rule.units[0].children] == ["article"] * 3


def test_rule_with_articles_only():
    rule = parse("law-006.md")
    assert rule.title == "市场监督管理投诉举报处理暂行办法"
    assert rule.doc_number == "国家市场监督管理总局令第20号"
    assert rule.issuing_bodies == ["国家市场监督管理总局"]
    assert rule.issued_date == datetime.date(2019, 11, 30)
    assert {u.kind for u in rule.units} == {"article"}
    assert len(rule.units) == 40
    assert (rule.units[0].label, rule.units[-1].label) == ("第一条", "第四十条")
    assert rule.units[-1].text.endswith("同时废止。")


# gov.cn State Council documents: plain text as pasted, and HTML as scraped.


def test_opinion_issued_directly_has_its_units_before_the_signature():
    opinion = parse("govcn-001.txt")
    assert opinion.title == "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见"
    assert opinion.doc_number == "国发〔2019〕5号"
    assert opinion.issuing_bodies == ["国务院"]
    assert opinion.addressees == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    assert opinion.preamble.startswith("在市场监管领域全面推行“双随机、一公开”监管，是党中央")
    assert opinion.preamble.endswith("（此件公开发布）")
    assert opinion.signatory == "国务院"
    assert opinion.issued_date == datetime.date(2019, 1, 27)
    assert opinion.published_date is None
    assert (opinion.body_title, opinion.body_intro, opinion.attachments) == ("", "", [])
    assert [(c.label, c.heading) for c in opinion.units] == [
        ("一、", "总体要求"),
        ("二、", "主要目标"),
        ("三、", "重点任务"),
        ("四、", "保障措施"),
    ]
    assert [len(c.children) for c in opinion.units] == [0, 0, 7, 3]
    # Run-in principles (坚持全面覆盖。…) are paragraphs of 一、, not units.
    assert opinion.units[0].text.count("\n") == 4
    assert opinion.units[0].text.split("\n")[1].startswith("坚持全面覆盖。")
    # （一）统筹建设监管工作平台。 is a heading on its own line; its text is the next paragraph.
    first_task = opinion.units[2].children[0]
    assert (first_task.label, first_task.heading) == ("（一）", "统筹建设监管工作平台")
    assert first_task.text.startswith("各省（区、市）人民政府要以国家企业信用信息公示系统")
    assert opinion.units[3].children[-1].label == "（三）"


def test_printed_and_issued_plan_without_an_attachment_line():
    notice = parse("govcn-006.txt")
    assert notice.title == "国务院办公厅关于印发“无废城市”建设试点工作方案的通知"
    assert notice.doc_number == "国办发〔2018〕128号"
    assert notice.preamble.startswith("《“无废城市”建设试点工作方案》已经国务院同意")
    assert notice.signatory == "国务院办公厅"
    assert notice.issued_date == datetime.date(2018, 12, 29)
    assert notice.body_title == "“无废城市”建设试点工作方案"
    assert notice.body_intro.startswith("“无废城市”是以创新、协调、绿色、开放、共享的新发展理念")
    assert [c.heading for c in notice.units] == ["总体要求", "主要任务", "实施步骤", "保障措施"]
    assert [len(c.children) for c in notice.units] == [5, 6, 4, 4]
    task = notice.units[1].children[1]
    assert task.heading == "实施工业绿色生产，推动大宗工业固体废物贮存处置总量趋零增长"
    assert task.text.startswith("全面实施绿色开采")


def test_opinion_with_an_attached_indicator_table():
    opinion = parse("govcn-003.txt")
    assert opinion.doc_number == "国办发〔2019〕4号"
    assert opinion.attachments == ["三级公立医院绩效考核指标"]
    assert opinion.issued_date == datetime.date(2019, 1, 16)
    assert [c.label for c in opinion.units] == ["一、", "二、", "三、", "四、", "五、", "附件"]
    assert [len(c.children) for c in opinion.units[:5]] == [3, 4, 4, 3, 5]
    table = opinion.units[5]
    assert (table.kind, table.heading) == ("part", "三级公立医院绩效考核指标")
    # Table rows (TAB-separated cells) stay text; the notes under 注： are items 1.…12.
    assert table.text.startswith("一级指标\t二级指标\t三级指标\t指标性质\t指标说明")
    assert [i.label for i in table.children] == [f"{n}." for n in range(1, 13)]


def test_joint_notice_with_chinese_numeral_date():
    notice = parse("govcn-014.txt")
    assert (
        notice.title
        == "国务院办公厅、中央军委办公厅关于加强对侵华日军遗弃化学武器调查和管理工作的通知"
    )
    assert notice.doc_number == "国办发〔1996〕25号"
    assert notice.issuing_bodies == ["国务院办公厅", "中央军委办公厅"]
    assert notice.addressees.endswith("甘肃省人民政府，沈阳、北京、兰州、济南、南京、广州军区")
    assert notice.signatory == "国务院办公厅\u3000中央军委办公厅"
    assert notice.issued_date == datetime.date(1996, 6, 29)
    assert [c.label for c in notice.units] == ["一、", "二、", "三、"]
    assert notice.units[1].text.endswith("上述调查取证工作中的情况，要及时上报。")


def test_reply_with_two_numbered_attachments_as_parts():
    reply = parse("govcn-018.txt")
    assert reply.doc_number == "国办函〔2004〕80号"
    assert reply.addressees == "湖北省人民政府"
    assert reply.attachments == [
        "国土资源部关于湖北省巴东县官渡口镇马鬃山村地质险情调研情况的报告",
        "湖北省巴东县官渡口镇马鬃山村地质险情调查专家组意见",
    ]
    assert reply.issued_date == datetime.date(2004, 11, 4)
    first, second = reply.units
    assert (first.kind, first.label, first.number) == ("part", "附件1", 1)
    assert first.heading == "关于湖北省巴东县官渡口镇马鬃山村地质险情调研情况的报告"
    assert first.text.startswith("国务院：\n为落实曾培炎副总理")
    assert [(c.label, c.heading) for c in first.children] == [
        ("一、", "基本情况"),
        ("二、", "地质险情成因分析"),
        ("三、", "处理情况"),
        ("四、", "建议意见"),
    ]
    assert (second.label, second.number, second.children) == ("附件2", 2, [])
    assert second.heading == "湖北省巴东县官渡口镇马鬃山村地质险情调查意见"


def test_forwarded_request_and_its_table():
    notice = parse("govcn-040.txt")
    assert notice.title == "国务院办公厅转发国家教委关于内地西藏班（校）扩大规模有关问题请示的通知"
    assert notice.issuing_bodies == ["国务院办公厅"]
    assert notice.signatory == "国务院办公厅"  # the mangled &sp; after it is dropped
    assert notice.issued_date == datetime.date(1996, 7, 17)
    request, table = notice.units
    assert request.heading == "关于内地西藏班（校）扩大规模有关问题的请示"
    assert [len(c.children) for c in request.children] == [2, 4, 3]
    assert (table.label, table.heading) == ("附：", "内地西藏初中班（校）扩大招生计划表")


def test_approval_with_coordinate_tables():
    reply = parse("govcn-034.txt")
    assert reply.title == (
        "国务院关于授权香港特别行政区实施管辖的深圳湾口岸港方口岸区范围和土地使用期限的批复"
    )
    assert reply.doc_number == "国函〔2006〕132号"
    assert reply.addressees == "广东省人民政府、香港特别行政区政府"
    assert reply.issued_date == datetime.date(2006, 12, 30)
    assert reply.attachments == [
        "深圳湾口岸港方口岸区的查验区界址点坐标",
        "深圳湾公路大桥部分桥面界址点坐标",
    ]
    assert [u.label for u in reply.units] == ["一、", "二、", "附件1.", "附件2："]
    assert reply.units[0].heading == ""  # a 32-character sentence is not a heading
    assert "1\t15172.500\t103655.000" in reply.units[2].text


def test_circular_with_a_130_item_attachment():
    circular = parse("govcn-044.txt")
    assert circular.attachments == ["国务院第五次大督查发现的典型经验做法（共130项）"]
    assert circular.body_title == "国务院第五次大督查发现的典型经验做法（共130项）"
    assert [u.number for u in circular.units] == list(range(1, 131))
    assert {u.kind for u in circular.units} == {"item"}
    assert circular.units[0].text == "北京市大力推进外国人来华工作许可制度改革。"
    assert circular.units[-1].text == "新疆生产建设兵团狠抓土地利用监管，高质量支持边疆建设。"


def test_plan_with_three_levels():
    notice = parse("govcn-046.txt")
    assert notice.title == "国务院办公厅关于印发《政府网站集约化试点工作方案》的通知"
    assert notice.doc_number == "国办函〔2018〕71号"
    assert notice.issued_date == datetime.date(2018, 10, 27)
    assert notice.body_title == "政府网站集约化试点工作方案"
    assert [c.heading for c in notice.units] == [
        "总体要求",
        "试点范围",
        "试点任务",
        "工作进度",
        "保障措施",
    ]
    principles = notice.units[0].children[1]
    assert principles.heading == "基本原则"
    assert [(i.label, i.heading) for i in principles.children] == [
        ("1.", "问题导向"),
        ("2.", "开放融合"),
        ("3.", "集约节约"),
        ("4.", "平稳有序"),
    ]
    last = notice.units[4].children[-1]
    assert last.text.endswith("可参照本方案推进本地区本部门政府网站集约化工作。")


def test_sections_run_on_to_twenty_seven_across_chapters_in_html():
    opinion = parse("govcn-002.html")
    assert opinion.title == (
        "国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见"
    )
    assert opinion.doc_number == "国办发〔2019〕6号"
    assert opinion.issued_date == datetime.date(2019, 1, 22)
    assert len(opinion.units) == 8
    sections = of_kind(opinion, "section")
    assert [s.number for s in sections] == list(range(1, 28))
    assert (sections[0].label, sections[-1].label) == ("（一）", "（二十七）")
    assert opinion.units[-1].heading == "优化监管考核机制"
    assert "<" not in opinion.preamble and "&nbsp;" not in opinion.preamble


def test_items_numbered_continuously_across_groups_in_html():
    opinion = parse("govcn-004.html")
    assert opinion.doc_number == "国发〔2019〕3号"
    tasks = opinion.units[3]
    assert tasks.heading == "主要任务"
    assert [len(group.children) for group in tasks.children] == [5, 4, 4, 3, 5]
    items = of_kind(opinion, "item")
    assert [i.number for i in items] == list(range(1, 22))
    assert items[0].heading == "拓展两个市场"


def test_items_restart_under_each_chapter_in_html():
    letter = parse("govcn-017.html")
    assert letter.doc_number == "国办函〔2004〕71号"
    assert letter.addressees == "四川省人民政府"
    assert len(letter.units) == 11
    assert letter.units[-1].label == "十一、"
    assert [[i.label for i in c.children] for c in letter.units if c.children] == [
        ["1.", "2."],
        ["1.", "2.", "3."],
    ]
    assert letter.units[2].heading == "关于水稻良种补贴问题"


# Traditional script (machine conversions of the texts above).


def test_traditional_joint_notice():
    notice = parse("govcn-014.zh-hant.txt")
    assert notice.doc_number == "國辦發〔1996〕25號"
    assert notice.issuing_bodies == ["國務院辦公廳", "中央軍委辦公廳"]
    assert notice.title.startswith("國務院辦公廳、中央軍委辦公廳關於加強對侵華日軍遺棄化學武器")
    assert notice.issued_date == datetime.date(1996, 6, 29)
    assert [c.label for c in notice.units] == ["一、", "二、", "三、"]


def test_traditional_plan_reads_like_the_simplified_one():
    traditional = parse("govcn-046.zh-hant.txt")
    simplified = parse("govcn-046.txt")
    assert traditional.doc_number == "國辦函〔2018〕71號"
    assert traditional.addressees == "各省、自治區、直轄市人民政府，國務院各部委、各直屬機構"
    assert traditional.body_title == "政府網站集約化試點工作方案"
    assert traditional.issued_date == simplified.issued_date
    shape = [[len(s.children) for s in c.children] for c in traditional.units]
    assert shape == [[len(s.children) for s in c.children] for c in simplified.units]
    assert traditional.units[0].children[0].heading == "指導思想"


# A pasted policy-library page: metadata table, breadcrumb and page chrome around the notice.


def test_policy_library_page_uses_its_metadata_table():
    page = parse("policy-library-page-govcn-001.txt")
    assert page.index_number == "000014349/2019-00007"
    assert page.title == "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见"
    assert page.doc_number == "国发〔2019〕5号"
    assert page.issuing_bodies == ["国务院"]
    assert page.issued_date == datetime.date(2019, 1, 27)
    assert page.published_date == datetime.date(2019, 2, 15)
    assert page.addressees == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    assert [c.label for c in page.units] == ["一、", "二、", "三、", "四、"]
    assert page.preamble.endswith("（此件公开发布）")
    texts = page.preamble + "".join(u.text for u in of_kind(page, "section"))
    for chrome in ("扫一扫", "打印", "上一条", "下一条", "首页", "索引号"):
        assert chrome not in texts
    assert page.warnings == []


def test_metadata_table_with_one_pair_per_line():
    page = parse_notice(
        "索引号：000014349/2019-00002\n发文机关：国务院办公厅\n成文日期：2019年01月09日\n"
        "发文字号：国办发〔2019〕3号\n发布日期：2019年01月22日\n"
        "标题：国务院办公厅关于开展城镇小区配套幼儿园治理工作的通知\n"
        "国务院办公厅关于开展\n城镇小区配套幼儿园治理工作的通知\n国办发〔2019〕3号\n\n"
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
        "城镇小区配套建设幼儿园是城镇公共服务设施建设的重要内容。\n"
        "一、总体要求\n以习近平新时代中国特色社会主义思想为指导。\n"
    )
    assert page.index_number == "000014349/2019-00002"
    assert page.title == "国务院办公厅关于开展城镇小区配套幼儿园治理工作的通知"
    assert page.doc_number == "国办发〔2019〕3号"
    assert page.issued_date == datetime.date(2019, 1, 9)
    assert page.published_date == datetime.date(2019, 1, 22)
    assert page.units[0].heading == "总体要求"


def test_state_council_order_header():
    order = parse_notice(
        "中华人民共和国国务院令\n第706号\n"
        "《国务院关于修改部分行政法规的决定》已经2018年9月5日国务院第23次常务会议通过，现予公布，"
        "自公布之日起施行。\n总理\u3000李克强\n2018年9月18日\n"
        "国务院关于修改部分行政法规的决定\n为了依法推进简政放权，国务院决定对部分行政法规予以修改。\n"
        "一、将《中华人民共和国外资银行管理条例》第七条修改。\n"
    )
    assert order.doc_number == "中华人民共和国国务院令第706号"
    assert order.issuing_bodies == ["国务院"]
    assert order.signatory == "总理\u3000李克强"
    assert order.issued_date == datetime.date(2018, 9, 18)
    assert order.title == "国务院关于修改部分行政法规的决定"
    assert order.body_title == "国务院关于修改部分行政法规的决定"
    assert [u.label for u in order.units] == ["一、"]


@pytest.mark.parametrize(
    "number", ["国令第706号", "国办发明电〔2018〕15号", "劳社部发[2008]3号", "国发〔2019〕5号"]
)
def test_doc_number_forms_under_a_title(number):
    notice = parse_notice(
        f"国务院关于某项工作的通知\n{number}\n各省人民政府：\n现将有关事项通知如下。\n"
    )
    assert notice.doc_number == number
    assert notice.addressees == "各省人民政府"


@pytest.mark.parametrize(
    "name, printed",
    [
        ("govcn-006.html", "“无废城市”建设试点工作方案"),  # 印发, the plan follows
        ("govcn-046.html", "政府网站集约化试点工作方案"),  # 印发《…》
        ("govcn-015.html", "关于我国地震重点监视防御区的确定和加强防震减灾工作意见的报告"),  # 转发
        ("govcn-040.html", "关于内地西藏班（校）扩大规模有关问题的请示"),  # 转发, then an 附 table
    ],
)
def test_a_covering_notice_has_what_it_prints_or_forwards_as_its_attachment(name, printed):
    document = read_file(DATA / "corpus" / name)
    notice = parse_notice(document.text, html=document.html)
    assert notice.attachments == [printed]
