"""The end of a covering notice: its signature block (落款: the issuing bodies, then the date)
and the names of issuing bodies, read from the signature or the title."""

import re

from .dates import DATE_RE, is_date_line, parse_date
from .docnumber import is_doc_number_line
from .noise import fold
from .structure import match_label

BODY_SPLIT = re.compile(r"[、，,\s\u3000]+")
_BODY_NAME = re.compile(r"^[\u4e00-\u9fff（）()·—]{2,40}$")


def find_signature(lines: list[str]):
    """The first signature block: issuer line(s) then a date line. (start, end, who, date)."""
    for index, line in enumerate(lines):
        date = None
        signatory_lines: list[str] = []
        if is_date_line(line):
            date = parse_date(line)
        else:
            match = DATE_RE.search(line)
            if match and match.end() == len(line) and signatory_like(line[: match.start()]):
                date = parse_date(line)
                signatory_lines = [line[: match.start()].strip()]
        if not date:
            continue
        start = index
        while not signatory_lines and start > 0 and signatory_like(lines[start - 1]):
            start -= 1
        if signatory_lines:
            return index, index + 1, signatory_lines[0], date
        # Up to three issuer lines stacked above the date (joint issuance).
        start = max(start, index - 3)
        who = " ".join(line.strip() for line in lines[start:index])
        return start, index + 1, re.sub(r"&[a-z]{1,8};", "", who).strip(), date
    return None


def signatory_like(line: str) -> bool:
    line = line.strip()
    folded = fold(line)
    return bool(
        line
        and len(line) <= 40
        and not re.search(r"[。，；,;：:！？]", line)
        and not match_label(line)
        and not folded.startswith("附")
        and not is_date_line(line)
        and not is_doc_number_line(line)
        and "\t" not in line
    )


def issuers_from(title: str, signatory: str, warnings: list[str]) -> list[str]:
    """Issuers named before 关于/转发/印发 in the title, else those in the signature."""
    folded = fold(title)
    match = re.search(r"关于|转发|批转|印发", folded)
    if match and 0 < match.start() <= 60:
        prefix = title[: match.start()]
        bodies = body_names([b for b in BODY_SPLIT.split(prefix) if b], warnings)
        if bodies:
            return bodies
    return body_names([b for b in BODY_SPLIT.split(signatory) if b], warnings)


def body_names(names: list[str], warnings: list[str]) -> list[str]:
    """The names that read as an organ's (Chinese characters, with brackets or ·): a pasted
    spreadsheet formula, a link or a stray word in the title is no issuing body."""
    kept = []
    for name in names:
        if _BODY_NAME.match(name):
            kept.append(name)
        else:
            warnings.append(f"“{name[:40]}”不像发文机关的名称，未采用")
    return kept
