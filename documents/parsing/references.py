"""References from one document to others, as the text writes them.

Policy documents cite each other in three ways: a quoted title with its number
(《国务院关于投资体制改革的决定》（国发〔2004〕20号）), a number alone (按照国办发〔1993〕71号文件)
and a quoted title alone (《中华人民共和国土地管理法》). ``find_references`` reads them from a
text, each with its place in the text and what the sentence does with the cited document:
cite it, repeal it (…同时废止) or amend it (…修改为). Resolving a reference to an archived
notice is the archive's business (documents.citations); this module only reads text.
"""

import re
import unicodedata
from dataclasses import dataclass

from .docnumber import normalize_doc_number
from .script import to_simplified

_DIGITS = r"[0-9０-９]"
_YEAR = rf"[〔［\[【（(]\s*{_DIGITS}{{4}}\s*[〕］\]】）)]"
_SERIAL = rf"第?\s*{_DIGITS}{{1,5}}\s*[号號]"
_CODE_RUN = r"[\u4e00-\u9fff]{1,16}"
# The forms of a document number. Each ``run`` is the characters before the number's year or
# serial, cut to the code below (按照国办发 → 国办发); the last form has its code after the year.
_NUMBERS = [
    re.compile(rf"(?P<run>{_CODE_RUN}){_YEAR}\s*{_SERIAL}"),  # 国办发明电〔2015〕18号
    re.compile(rf"(?P<run>{_CODE_RUN}令)第{_DIGITS}{{1,5}}[号號]"),  # 国务院令第588号
    re.compile(rf"(?P<run>{_CODE_RUN}令){_DIGITS}{{4}}年{_SERIAL}"),  # 交通运输部令2016年第57号
    re.compile(rf"(?P<run>{_CODE_RUN})第{_DIGITS}{{1,5}}[号號]令"),  # 公安部第69号令
    re.compile(rf"(?P<run>{_CODE_RUN}?)[〇零一二三四五六七八九]{{4}}年第?{_DIGITS}{{1,5}}[号號]"),
    re.compile(rf"{_YEAR}\s*[\u4e00-\u9fff]{{1,8}}?{_SERIAL}"),  # 〔1996〕武司字第82号
]
# Words that come before a code in a sentence, never inside one: the code starts after the last.
_BEFORE_CODE = re.compile(
    "中华人民共和国|根据|按照|依据|依照|参照|遵照|贯彻|落实|执行|关于|转发|印发|收悉|精神|规定|文件|"
    "[按据照及与或的是为对将在于以由即要请了等并见号號件和年月日]"
)
_TITLE = re.compile(r"《(?P<title>[^《》\n]{1,200})》")
# What may follow a title in brackets: its number, a short name for what follows, or both
# （国发〔2016〕67号）, （以下简称《规划》）, （国发〔2004〕20号，以下简称《决定》）.
_BRACKET_AFTER_TITLE = re.compile(r"\s*[（(](?P<inside>[^（）()]{1,80}?)[）)]")
_SHORT_NAME = re.compile(r"(?:以下)?简称《(?P<short>[^《》]{1,40})》")
# A number before the title it gave the document: 原国家质量技术监督局令第51号公布的《…》.
_TITLE_AFTER_NUMBER = re.compile(r"\s*(?:公布|发布|印发|颁布)的(?=《)")

# What a sentence does with a document it names after the reference.
_REPEALS = re.compile(
    r"^(?:[、，,和及与以上等各份件均一并同时予以自即日起即行])*(?:废止|废除|停止执行|不再执行)"
)
_AMENDS = re.compile(r"^[^。；;]{0,24}?(?:修改为|作如下修改|修改如下|修订为|修正为)")
_OTHER_DOCUMENTS = re.compile(
    r"《[^《》]*》|[（(][^（）()]*[）)]|\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|(?:公布|发布|印发|颁布)的"
)
# A covering notice hands on what it names: 《…》已经国务院同意，现印发给你们 / 现转发给你们.
_PRINTED = re.compile(r"[^《》。；\n]*?(?:印发|转发|批转|颁发|发)给你们")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")


_TITLE_MARKS = re.compile(r"[\s《》〈〉“”‘’\"'「」『』]")


def title_key(title: str) -> str:
    """A title folded for matching a quoted title to a notice's: simplified script, full-width
    forms folded, without spaces, title marks or quotation marks (《关于印发〈X〉的通知》 and
    关于印发《X》的通知 are one title)."""
    return _TITLE_MARKS.sub("", to_simplified(unicodedata.normalize("NFKC", title or ""))).lower()


class Effect:
    CITES = "cites"
    REPEALS = "repeals"
    AMENDS = "amends"


@dataclass(frozen=True)
class FoundReference:
    """A reference as written: where it is in the text (``start``, ``end``), the text itself,
    the quoted title and the document number (each "" when the text gives none), what its
    sentence does with the cited document (``Effect``), the sentence, the short name the text
    gives the document for later mentions (（以下简称《决定》）: later 《决定》 mean it), and
    whether the text itself prints or forwards it (a covering notice's 现将《…》印发给你们)."""

    start: int
    end: int
    text: str
    title: str
    doc_number: str
    effect: str = Effect.CITES
    sentence: str = ""
    short_name: str = ""
    printed: bool = False  # the document the text prints or forwards (现将《…》印发给你们)

    @property
    def doc_number_normalized(self) -> str:
        return normalize_doc_number(self.doc_number)


def find_references(text: str) -> list[FoundReference]:
    """Every reference in ``text``, in order: quoted titles with the number in brackets after
    them or before them (…令第51号公布的《…》), and the numbers that stand alone."""
    if not text:
        return []
    titles = {}  # start → [start, end, title, number, short name]
    taken = []  # spans read as part of a title's reference, brackets included
    for match in _TITLE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue  # a short name inside a bracket: （以下简称《决定》）
        reference = [match.start(), match.end(), match["title"].strip(), "", ""]
        after = _BRACKET_AFTER_TITLE.match(text, match.end())
        if after:
            inside = after["inside"].strip()
            number = _number_at_start(inside)
            short = _SHORT_NAME.search(inside)
            if number:
                reference[1] = text.index(number, after.start()) + len(number)
                reference[3] = number
                if text[reference[1] :].lstrip().startswith(("）", ")")):
                    reference[1] = after.end()
            if short:
                reference[4] = short["short"].strip()
            if number or short:
                taken.append((match.start(), after.end()))
        titles[match.start()] = reference
    numbers = []
    for start, end in _numbers(text):
        if any(a <= start < b for a, b in taken):
            continue
        follows = _TITLE_AFTER_NUMBER.match(text, end)
        title = titles.get(follows.end()) if follows else None
        if title and not title[3]:
            title[0], title[3] = start, text[start:end]
        else:
            numbers.append([start, end, "", text[start:end], ""])
    found = sorted([*titles.values(), *numbers])
    return [
        FoundReference(
            start,
            end,
            text[start:end],
            title,
            number,
            _effect(text, end),
            _sentence(text, start, end),
            short,
            bool(_PRINTED.match(text, end)),
        )
        for start, end, title, number, short in found
    ]


def _numbers(text: str) -> list[tuple[int, int]]:
    """The spans of the document numbers in ``text``, code included, in order."""
    spans = []
    for pattern in _NUMBERS:
        for match in pattern.finditer(text):
            start = _code_start(match)
            if start is not None and not any(a < match.end() and start < b for a, b in spans):
                spans.append((start, match.end()))
    return sorted(spans)


def _number_at_start(text: str) -> str:
    """The document number that ``text`` (a bracket's content) starts with, as written, or ""."""
    spans = _numbers(text)
    return text[: spans[0][1]] if spans and spans[0][0] == 0 else ""


def _code_start(match: re.Match) -> int | None:
    """Where the code of a number begins: after the last word of the sentence before it (None
    when nothing is left of the run: a bracketed year after an ordinary word is no number)."""
    if "run" not in match.re.groupindex:
        return match.start()
    run = unicodedata.normalize("NFKC", match["run"])
    cut = 0
    for word in _BEFORE_CODE.finditer(run):
        cut = word.end()
    # 原国家质量技术监督局令第51号: the body as it was named then (a code may end in 原: 工信部原).
    if run.startswith("原", cut) and len(run) - cut > 3:
        cut += 1
    if cut >= len(run):
        return None
    return match.start() + cut


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds ``start:end``, with its final stop."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    return text[begin : stop.end() if stop else len(text)].strip()


def _effect(text: str, end: int) -> str:
    """Whether the sentence repeals or amends what it cites right before ``end``."""
    stop = _SENTENCE_END.search(text, end)
    rest = text[end : stop.start() if stop else len(text)]
    # Other documents named in the same breath (《A》、2014年…令第62号公布的《B》同时废止): skip
    # their titles, numbers and dates.
    rest = _OTHER_DOCUMENTS.sub("", rest)
    for pattern in _NUMBERS:
        rest = pattern.sub("", rest)
    if _REPEALS.match(rest):
        return Effect.REPEALS
    if _AMENDS.match(rest):
        return Effect.AMENDS
    return Effect.CITES
