"""Customer names and tax ids as deal registration compares them (SPEC §4.8). Pure functions, no database.

Two partners rarely type a customer the same way: ``上海恒通科技有限公司``, ``上海恒通科技``,
``ＨＥＮＧＴＯＮＧ Co., Ltd.`` and ``Hengtong Limited`` must meet. A name is compared in its
*normal form*: NFKC (full-width letters and digits become ASCII), case-folded, with spaces and
punctuation gone and the legal suffixes at its end removed (``有限公司``, ``Co., Ltd.``…, in
any order and repeated: ``Acme Group Co., Ltd.`` is ``acme``). Only suffixes at the end go: a
``集团`` inside a name (``集团控股``) is part of the name. A name that is nothing but a suffix
keeps it (``Limited`` stays ``limited``), so it never matches every other such name.
"""

from __future__ import annotations

import unicodedata

# Latin legal suffixes, as words (the punctuation around them is gone by the time they are compared).
LATIN_SUFFIXES = frozenset(
    {"co", "ltd", "limited", "inc", "incorporated", "llc", "corp", "corporation", "company", "group", "plc"}
)
# Chinese legal suffixes, longest first: ``股份有限公司`` goes whole, not as ``有限公司`` leaving ``股份``.
CHINESE_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "集团公司", "集团", "公司")


def _is_separator(char: str) -> bool:
    """Spaces, punctuation and symbols (``,.()（）·&-/``…): none of them tells two customers apart."""
    category = unicodedata.category(char)
    return char.isspace() or category[0] in "PSZC"


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).casefold()
    cleaned = "".join(" " if _is_separator(char) else char for char in text)
    return cleaned.split()


def _strip_suffixes(words: list[str]) -> list[str]:
    words = list(words)
    while words:
        last = words[-1]
        if last in LATIN_SUFFIXES:
            if len(words) == 1:
                break
            words.pop()
            continue
        suffix = next((suffix for suffix in CHINESE_SUFFIXES if last.endswith(suffix)), None)
        if suffix is None:
            break
        rest = last[: -len(suffix)]
        if not rest and len(words) == 1:
            break
        if rest:
            words[-1] = rest
        else:
            words.pop()
    return words


def normalise_customer(name: str) -> str:
    """The normal form of a customer's name: what two registrations of one customer have in common.

    >>> normalise_customer("上海恒通科技股份有限公司") == normalise_customer("上海恒通科技")
    True
    >>> normalise_customer("ＡＣＭＥ Trading Co., Ltd.")
    'acmetrading'
    """
    # NFKC once more: taking the separators out may leave combining marks side by side, out of canonical order.
    return unicodedata.normalize("NFKC", "".join(_strip_suffixes(_words(name or ""))))


def normalise_tax_id(tax_id: str) -> str:
    """A tax id as compared: NFKC, upper case, without spaces, hyphens or other separators."""
    text = unicodedata.normalize("NFKC", tax_id or "").upper()
    return "".join(char for char in text if not _is_separator(char))
