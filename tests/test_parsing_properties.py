"""Properties of the parser: it never raises, and it never loses a sentence of the body.

The second property builds notices from random paragraphs and numbered units, adds scraping
noise (menu, pinyin glosses, stock tickers, stray spaces, a duplicated date line, a trailer) and
checks that every character of the clean text comes out of the parser, in order.
"""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.parsing import parse_notice, to_simplified, to_traditional
from documents.parsing.numerals import chinese_to_int
from tests.test_parsing import all_text

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# What counts as body text: ideographs, letters and digits. Punctuation and spaces are not
# compared, because a heading's full stop (指导思想。) is consumed as the heading boundary.
BODY_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
WORDS = [
    "发展",
    "改革",
    "区域",
    "协调",
    "推进",
    "机制",
    "建设",
    "政策",
    "市场",
    "创新",
    "完善",
    "加强",
    "服务",
    "管理",
    "体系",
    "统筹",
    "合作",
    "开放",
    "生态",
    "保护",
    "基础",
    "设施",
    "城市",
    "农村",
    "企业",
    "资源",
    "环境",
    "经济",
    "社会",
    "公共",
]
CN_NUMBERS = "一二三四五六七八九十"


def cn(number: int) -> str:
    """Write 1…99 in Chinese numerals (十一, 二十五)."""
    tens, ones = divmod(number, 10)
    text = (CN_NUMBERS[tens - 1] if tens > 1 else "") + ("十" if tens else "")
    text += CN_NUMBERS[ones - 1] if ones else ""
    assert chinese_to_int(text) == number
    return text


phrase = st.lists(st.sampled_from(WORDS), min_size=2, max_size=5).map("".join)
sentence = st.builds(
    lambda parts, year: "，".join(parts[:-1] + [f"到{year}年" + parts[-1]]) + "。",
    st.lists(phrase, min_size=2, max_size=3),
    st.integers(min_value=2016, max_value=2030),
)
paragraph = st.lists(sentence, min_size=1, max_size=3).map("".join)
section = st.tuples(phrase, st.lists(paragraph, min_size=1, max_size=3))
chapter = st.tuples(phrase, st.lists(section, min_size=0, max_size=3))


@st.composite
def notices(draw):
    """A notice as (raw text with noise, clean body pieces in reading order)."""
    covering_units = draw(st.booleans())  # units in the notice itself, or in an attachment
    title = "国家发展改革委关于" + draw(phrase) + "的通知"
    number = f"发改地区〔{draw(st.integers(2000, 2030))}〕{draw(st.integers(1, 3000))}号"
    addressees = "各省、自治区、直辖市人民政府"
    preamble = draw(st.lists(paragraph, min_size=1, max_size=2))
    body_title = "关于" + draw(phrase) + "的指导意见"
    intro = draw(st.lists(paragraph, min_size=0, max_size=2))
    chapters = draw(st.lists(chapter, min_size=1, max_size=3))

    unit_lines: list[str] = []
    unit_pieces: list[str] = []
    running = 0
    for c_index, (heading, sections) in enumerate(chapters, start=1):
        unit_lines.append(f"{cn(c_index)}、{heading}")
        unit_pieces.append(heading)
        for s_heading, paragraphs in sections:
            running += 1
            unit_lines.append(f"({cn(running)}){s_heading}。{paragraphs[0]}")
            unit_lines.extend(paragraphs[1:])
            unit_pieces.extend([s_heading, *paragraphs])

    signature = ["国家发展改革委", "2016年8月16日", "2016年8月16日"]
    lines = [f"- 菜单{n}" for n in range(draw(st.integers(0, 3)))]
    lines += [title, number, "来源:未知 日期:2016-10-19 点击:次", addressees + ":", *preamble]
    if covering_units:
        lines += [*unit_lines, *signature]
        pieces = [title, number, addressees, *preamble, *unit_pieces]
    else:
        lines += [f"附件:{body_title}", *signature, body_title, *intro, *unit_lines]
        pieces = [title, number, addressees, *preamble, body_title, "国家发展改革委"]
        pieces += [body_title, *intro, *unit_pieces]
    lines += ["相关文章推荐:", "别的文章的标题"]
    rng = draw(st.randoms(use_true_random=False))
    raw = "\n".join(add_noise(rng, line) for line in lines)
    if draw(st.booleans()):
        raw, pieces = to_traditional(raw), [to_traditional(p) for p in pieces]
    return raw, pieces


def add_noise(rng, line: str) -> str:
    """Sprinkle a line with pinyin glosses, stock tickers and stray spaces between characters."""
    if line.startswith("- ") or not line:
        return line
    out = []
    for index, char in enumerate(line):
        out.append(char)
        if not "\u4e00" <= char <= "\u9fff" or index == len(line) - 1:
            continue
        roll = rng.randint(0, 40)
        if roll == 0:
            out.append(rng.choice(["(di)", "(hao)", "(guān)", "(qū)"]))
        elif roll == 1:
            out.append("(000061,股吧)")
        elif roll == 2:
            out.append(" ")
    return "".join(out)


def body_chars(text: str) -> str:
    # Folded to simplified: OpenCC may convert a phrase differently alone than in context.
    return to_simplified("".join(BODY_CHAR.findall(text)))


def is_subsequence(needle: str, haystack: str) -> bool:
    remaining = iter(haystack)
    return all(char in remaining for char in needle)


@SETTINGS
@given(notices())
def test_body_text_survives_noise_in_order(case):
    raw, pieces = case
    notice = parse_notice(raw)
    produced = all_text(notice)
    assert is_subsequence(body_chars("".join(pieces)), body_chars(produced))
    for noise in ("(di)", "(hao)", "(guān)", "股吧", "菜单", "相关文章", "相關文章", "别的文章"):
        assert noise not in produced
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", produced)
    assert notice.issued_date is not None and notice.issued_date.isoformat() == "2016-08-16"
    assert not any("解析出错" in warning for warning in notice.warnings)


@SETTINGS
@given(notices())
def test_generated_structure_is_recovered(case):
    raw, _ = case
    notice = parse_notice(raw)
    chapters = notice.units
    assert [u.number for u in chapters] == list(range(1, len(chapters) + 1))
    sections = [s for c in chapters for s in c.children]
    assert [s.number for s in sections] == list(range(1, len(sections) + 1))
    assert {s.kind for s in sections} <= {"section"}


ODD_LINES = st.sampled_from(
    [
        "一、",
        "(一)",
        "（十一）",
        "第一条",
        "第一章",
        "1.",
        "1.1",
        "①",
        "附件",
        "附件：",
        "附：",
        "2016年8月16日",
        "二〇一六年八月十六日",
        "国发〔2019〕5号",
        "来源:未知 日期:2016-10-19",
        "索引号：\t000014349",
        "标题：",
        "<p>",
        "</td>",
        "&nbsp;",
        "相关文章推荐:",
        "- 菜单",
        "首页 > 政策",
        "# 标题",
        "## 第二章",
        "<!-- INFO END -->",
        "各省人民政府：",
        "\t",
        "",
    ]
)
random_lines = st.lists(
    st.one_of(
        ODD_LINES, st.text(max_size=40), st.tuples(ODD_LINES, st.text(max_size=20)).map("".join)
    ),
    max_size=30,
).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), random_lines))
def test_never_raises_on_arbitrary_text(text):
    notice = parse_notice(text)
    assert not any("解析出错" in warning for warning in notice.warnings)
    data = notice.to_dict()
    assert set(data) >= {"title", "units", "warnings", "issued_date"}
