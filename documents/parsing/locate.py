"""Where in the text an editor pasted a parser warning is about: the lines that hold what the
warning quotes (“（三）”, “=HYPERLINK(…)国务院”) or the date it names, so that the preview can
say 第 12 行 and the editor finds the place to correct."""

import re
import unicodedata

_QUOTED = re.compile(r"“([^”]{1,60})”")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MAX_LINES = 5


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def warning_lines(text: str, warning: str) -> list[int]:
    """The numbers (from 1) of the lines of ``text`` that ``warning`` is about, at most
    MAX_LINES; none when it names nothing findable (没有识别出发文字号: the place is missing)."""
    lines = [_folded(line) for line in (text or "").splitlines()]
    wanted = [_folded(quote) for quote in _QUOTED.findall(warning)]
    for year, month, day in _ISO_DATE.findall(warning):
        wanted.append(f"{year}年{int(month)}月{int(day)}日")
    found = []
    for fragment in filter(None, wanted):
        # A label (（三）) is about the lines it starts; any other quote, any line holding it.
        starts = [n for n, line in enumerate(lines, 1) if line.startswith(fragment)]
        holds = [n for n, line in enumerate(lines, 1) if fragment in line]
        found.extend(starts or holds)
    return sorted(set(found))[:MAX_LINES]


def located_warnings(text: str, warnings: list[str]) -> list[tuple[str, list[int]]]:
    """Each warning with the lines it is about."""
    return [(warning, warning_lines(text, warning)) for warning in warnings]
