"""The parser on real documents from /work/shared/corpus, copied into tests/data/.

Every expectation here was written down by reading the document itself (chapter and article
counts, first and last labels, doc numbers, dates), not taken from the parser's output.
"""

import datetime
from pathlib import Path

import pytest

from documents.parsing import parse_notice

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True, scope="session")
def plain_static_storage():
    """Stands in for the project conftest's fixture: the parser needs no Django settings."""
    yield


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
    assert "no doc number found" in rule.warnings
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
