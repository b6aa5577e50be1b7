"""Script folding: traditional to simplified Chinese, with OpenCC.

OpenCC converts by phrase, not character by character, so ambiguous characters come out right
(乾隆 stays 乾隆, 乾淨 becomes 干净). The converter is built once per process.
"""

from functools import cache

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Return text in simplified script (traditional characters converted, others kept)."""
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    """Return text in traditional script."""
    return _converter("s2t").convert(text) if text else text
