"""Dates as written in notices: 2016年8月16日, 2016-10-19, 2016.10.19, 二〇一六年八月十六日.

A date is only read when year, month and day are all written: a year is never guessed.
"""

import datetime
import re

from .numerals import chinese_to_int

_CN = "〇零○Ｏ一二三四五六七八九十"
_DATE = (
    r"(?P<y>\d{4}|[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*"
    rf"(?P<m>\d{{1,2}}|[{_CN}]{{1,2}})\s*月\s*(?P<d>\d{{1,2}}|[{_CN}]{{1,3}})\s*[日号號]"
    r"|(?P<y2>\d{4})\s*(?P<sep>[-./])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<d2>\d{1,2})(?!\d)"
)
DATE_RE = re.compile(_DATE)
# A line holding nothing but a date (signature blocks, duplicated date lines).
DATE_LINE_RE = re.compile(rf"^\s*(?:{_DATE})\s*$")


def _to_date(year: str, month: str, day: str) -> datetime.date | None:
    y, m, d = chinese_to_int(year), chinese_to_int(month), chinese_to_int(day)
    if y is None or m is None or d is None:
        return None
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _match_to_date(match: re.Match) -> datetime.date | None:
    if match["y"]:
        return _to_date(match["y"], match["m"], match["d"])
    return _to_date(match["y2"], match["m2"], match["d2"])


def parse_date(text: str) -> datetime.date | None:
    """Return the first complete, valid date written in text, or None."""
    for match in DATE_RE.finditer(text or ""):
        date = _match_to_date(match)
        if date:
            return date
    return None


def is_date_line(line: str) -> bool:
    """True when the line is a date and nothing else."""
    match = DATE_LINE_RE.match(line)
    return bool(match) and _match_to_date(match) is not None
