"""Reading the text files that editors import: Chinese sites still serve GBK pages."""

from pathlib import Path

ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312.


class UndecodableText(ValueError):
    pass


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 or GB18030, or raise UndecodableText with a readable message."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UndecodableText("无法识别文件编码（需要 UTF-8 或 GB18030）")


def read_text(path: Path) -> str:
    return decode_text(Path(path).read_bytes())
