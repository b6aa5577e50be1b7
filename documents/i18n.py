"""The reader's script: the interface in 简体 or 繁體, and the notices' text shown in it.

The interface is translated by Django's i18n (message ids in simplified, ``locale/zh_Hant`` for
traditional). The archive stores each notice as written, in whichever script its source used;
pages show it converted to the reader's script by OpenCC, phrase by phrase.

Conversion is cached per string in each process: a notice's units are the same strings on every
view, so a page view converts only what it has not seen before; an edited unit is a new string
(no invalidation to get wrong). The cache holds at most ``CACHE_SIZE`` strings per direction.
"""

import re
from functools import cache, lru_cache

import opencc
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .parsing.script import to_simplified

TRADITIONAL = "zh-hant"

# The `lang` attribute for each interface language: BCP 47 names the script with a capital.
HTML_LANG = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}

CACHE_SIZE = 20_000

# s2tw, not s2t: the same character-by-character and phrase conversion, but into the character
# forms that readers of traditional script (and the archive's own traditional sources) use —
# 為 群眾 著 裡, not OpenCC's 爲 羣衆 着 裏 — and without s2twp's Taiwan vocabulary (資訊, 軟體),
# which would change the words of an official text. Its Hong Kong 佈 in 發佈 公佈 頒佈 is set
# back to the 布 of official usage; every fix keeps the length, so highlighting still lines up.
_TRADITIONAL_FIXES = {"發佈": "發布", "公佈": "公布", "頒佈": "頒布"}
_FIX_PATTERN = re.compile("|".join(_TRADITIONAL_FIXES))


@cache
def _s2tw() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


# Half-width , : ; ? ! between Chinese characters, as some sources type them (直辖市人民政府,国务院
# 有关部委:): shown full-width, as the rest of the text is (the stored text keeps what the source
# wrote). One character for one: highlighting still lines up.
_HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff”’》）」])([,:;?!])(?=[\u4e00-\u9fff“‘《（「]|$)")
_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def _full_width_punctuation(text: str) -> str:
    return _HALF_WIDTH.sub(lambda match: _FULL_WIDTH[match[1]], text)


@lru_cache(maxsize=CACHE_SIZE)
def show_traditional(text: str) -> str:
    """Text in traditional script, as the 繁體 pages show it."""
    converted = _s2tw().convert(text)
    converted = _FIX_PATTERN.sub(lambda match: _TRADITIONAL_FIXES[match[0]], converted)
    return _full_width_punctuation(converted)


@lru_cache(maxsize=CACHE_SIZE)
def show_simplified(text: str) -> str:
    """Text in simplified script, as the 简体 pages show it."""
    return _full_width_punctuation(to_simplified(text))


def in_reader_script(text: str, language: str | None = None) -> str:
    """Text converted to the script of ``language`` (default: the active language)."""
    if not text:
        return text or ""
    text = str(text)
    if (language or translation.get_language()) == TRADITIONAL:
        return show_traditional(text)
    return show_simplified(text)


def html_lang(language: str | None = None) -> str:
    """The page's ``<html lang>``: zh-Hans or zh-Hant."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return HTML_LANG.get(language, HTML_LANG[settings.LANGUAGE_CODE])


class AdminInDefaultLanguageMiddleware:
    """Keep the admin in the default language (zh-hans) whatever the reader's choice.

    Editors enter and review text as written; an admin half in Django's traditional strings and
    half in our simplified ones would help nobody. Goes right after LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("admin:index")):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
