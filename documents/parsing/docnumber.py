"""Document numbers (发文字号): the same number is written many ways.

发改地区〔2016〕1771号, 發改地區[2016]1771號, 发改地区［2016］第1771号 and 发改地区(2016)1771号
are one number. ``normalize_doc_number`` folds script, brackets, full-width digits, spaces and the
optional 第 before the serial, so that the folded form can be compared, filtered and kept unique.
"""

import re
import unicodedata
from dataclasses import dataclass

from .noise import fold
from .script import to_simplified

# A line that is a document number and nothing else: 国办发〔2019〕3号, 国令第706号,
# 交通运输部令2016年第57号 (spaces allowed inside, as some copies have them).
_OPEN = re.escape("〔［[【（(")
_CLOSE = re.escape("〕］]】）)")
DOC_NUMBER_LINE = re.compile(
    rf"^[^\s，。：:]{{1,24}}?[{_OPEN}]\s*\d{{4}}\s*[{_CLOSE}]\s*第?\s*\d+\s*号$"
    r"|^[^\s，。：:]{0,24}?第\s*\d+\s*号$"
    r"|^[^\s，。：:]{1,24}?\d{4}年第\s*\d+\s*号$"
)

_OPENING = "〔［[【（(〈<｛{"
_CLOSING = "〕］]】）)〉>｝}"
_BRACKETS = str.maketrans({**{c: "[" for c in _OPENING}, **{c: "]" for c in _CLOSING}})

# code [year] serial 号, e.g. 国办发明电[2018]15号; the year bracket is required.
_WITH_YEAR = re.compile(r"^(?P<code>.*?)\[(?P<year>\d{4})\]第?(?P<serial>\d+)号?$")
# code 第 serial 号 without a year, e.g. 国令第706号.
_WITHOUT_YEAR = re.compile(r"^(?P<code>.*?)第?(?P<serial>\d+)号$")


@dataclass(frozen=True)
class DocNumber:
    """A folded document number and its parts (issuer code, year, serial)."""

    normalized: str
    code: str
    year: int | None
    serial: int | None


def normalize_doc_number(text: str) -> str:
    """Fold a document number to one canonical spelling: 发改地区[2016]1771号."""
    if not text:
        return ""
    # NFKC turns full-width digits and letters into ASCII (１７７１ → 1771).
    folded = unicodedata.normalize("NFKC", text)
    folded = to_simplified(folded).translate(_BRACKETS)
    folded = re.sub(r"\s+", "", folded)
    match = _WITH_YEAR.match(folded)
    if match:
        serial = int(match["serial"])
        return f"{match['code']}[{match['year']}]{serial}号"
    return folded


def official_doc_number(text: str) -> str:
    """A document number in the form the issuing bodies print it: 发改地区〔2016〕1771号 for
    發改地區[2016]1771號 or 发改地区［2016］第1771号 (simplified; convert for 繁體)."""
    normalized = normalize_doc_number(text)
    if _WITH_YEAR.match(normalized):
        return normalized.replace("[", "〔").replace("]", "〕")
    return unicodedata.normalize("NFKC", text).strip() if text else ""


def parse_doc_number(text: str) -> DocNumber:
    """Split a document number into its normalized form and parts, where they can be read."""
    normalized = normalize_doc_number(text)
    match = _WITH_YEAR.match(normalized)
    if match:
        return DocNumber(normalized, match["code"], int(match["year"]), int(match["serial"]))
    match = _WITHOUT_YEAR.match(normalized)
    if match:
        return DocNumber(normalized, match["code"], None, int(match["serial"]))
    return DocNumber(normalized, "", None, None)


def is_doc_number_line(line: str) -> bool:
    """Whether a line of a notice is its document number alone."""
    return bool(line) and bool(DOC_NUMBER_LINE.match(fold(line).replace(" ", "")))
