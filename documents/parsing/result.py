"""The parser's output: plain dataclasses, JSON-ready through ``to_dict``."""

import datetime
from dataclasses import dataclass, field


@dataclass
class ParsedUnit:
    """One numbered unit (编/章/节/条, 一、, (一), 1., （1）, ①, 1.2.1) and its sub-units."""

    kind: str  # "part" | "chapter" | "section" | "article" | "item"
    label: str  # the number as written: "一、", "(一)", "第一条", "1.", "①", "1.2.1"
    number: int  # ordinal value: (二十五) → 25
    heading: str  # "指导思想" for "(一)指导思想。全面贯彻…"; "" when the unit has none
    text: str  # the unit's own paragraphs joined with "\n", without label, heading or children
    children: list["ParsedUnit"] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The unit and its children as plain dicts and lists."""
        return {
            "kind": self.kind,
            "label": self.label,
            "number": self.number,
            "heading": self.heading,
            "text": self.text,
            "children": [child.to_dict() for child in self.children],
        }


@dataclass
class ParsedNotice:
    """Every field read from a notice's raw text, with the numbered tree and warnings."""

    title: str
    doc_number: str  # 发文字号 as written, e.g. 發改地區[2016]1771號
    issuing_bodies: list[str]  # 发文机关, lead body first
    addressees: str  # 主送机关, without the trailing colon
    preamble: str  # the covering notice's own text
    attachments: list[str]  # 附件 titles
    signatory: str  # 落款
    issued_date: datetime.date | None  # 成文日期
    published_date: datetime.date | None  # 发布日期
    source: str  # 来源
    body_title: str  # the attached document's own title
    body_intro: str  # the attached document's text before its first numbered unit
    units: list[ParsedUnit]
    warnings: list[str]
    index_number: str = ""  # 索引号, from a policy library's metadata table

    def to_dict(self) -> dict:
        """The notice as plain JSON types: dates as YYYY-MM-DD or None, units recursively."""
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "issuing_bodies": list(self.issuing_bodies),
            "addressees": self.addressees,
            "preamble": self.preamble,
            "attachments": list(self.attachments),
            "signatory": self.signatory,
            "issued_date": _iso(self.issued_date),
            "published_date": _iso(self.published_date),
            "source": self.source,
            "body_title": self.body_title,
            "body_intro": self.body_intro,
            "units": [unit.to_dict() for unit in self.units],
            "warnings": list(self.warnings),
            "index_number": self.index_number,
        }


def _iso(date: datetime.date | None) -> str | None:
    return date.isoformat() if date else None
