"""Chinese numerals as used in numbering and dates: 一百零一 → 101, 二〇一六 → 2016.

Policy texts write ordinals in Chinese (第二十五条, (十一)) and dates either positionally
(二〇一六年) or with units (八月十六日); both readings live here.
"""

import re

DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10000, "萬": 10000}

# A character class for regexes that must match a Chinese (or Arabic) number.
NUMERAL_CLASS = "〇零○一二三四五六七八九十百千两兩0-9０-９"
NUMERAL_RE = re.compile(f"[{NUMERAL_CLASS}]+")


def chinese_to_int(text: str) -> int | None:
    """Read a Chinese or Arabic numeral (二十五, 一百零一, 十一, 〇, 25); None if it is not one."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        # str.isdigit accepts full-width digits too; int() reads them.
        try:
            return int(text)
        except ValueError:
            return None
    if any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    if not any(ch in UNITS for ch in text):
        # Positional form, as in years: 二〇一六 → 2016.
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = 0
    section = 0
    digit = None
    for ch in text:
        if ch in DIGITS:
            if digit is not None and DIGITS[ch] != 0 and digit != 0:
                return None  # two digits in a row inside a unit form: 二三十 is not a number
            digit = DIGITS[ch]
        else:
            unit = UNITS[ch]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section = 0
            else:
                # A bare 十 means 一十 (十一 = 11); after 零 too (一百零十 is not written).
                section += (digit if digit else 1) * unit
            digit = None
    return total + section + (digit or 0)
