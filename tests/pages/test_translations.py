"""Simplified Chinese is first-class: every message of the project has a reviewed translation."""

from __future__ import annotations

import ast
import dataclasses
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
CHINESE = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


@dataclasses.dataclass
class Entry:
    msgid: str = ""
    flags: frozenset[str] = frozenset()
    strings: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def translations(self) -> list[str]:
        return [text for key, text in self.strings.items() if key.startswith("msgstr")]


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` entries are left out); a small parser, no dependency."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key = Entry(), None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry.flags = frozenset(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                key = match.group(1)
                entry.strings[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry.strings[key] += ast.literal_eval(line)
        if "msgid" in entry.strings:
            entry.msgid = entry.strings["msgid"]
            entries.append(entry)
    return entries


def test_the_chinese_catalog_translates_every_message():
    entries = [entry for entry in read_po(CHINESE) if entry.msgid]  # the header has an empty msgid
    assert len(entries) > 100
    untranslated = [entry.msgid for entry in entries if not all(entry.translations)]
    assert untranslated == [], "Translate these in locale/zh_Hans/LC_MESSAGES/django.po"


def test_the_chinese_catalog_has_no_fuzzy_entry():
    entries = read_po(CHINESE)
    fuzzy = [entry.msgid or "(header)" for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == [], "Review these (and drop the fuzzy flag) in locale/zh_Hans/LC_MESSAGES/django.po"


def compiled_catalog(language: str) -> dict:
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog


def test_the_compiled_chinese_catalog_matches_the_po_file():
    catalog = compiled_catalog("zh_Hans")
    stale = []
    for entry in read_po(CHINESE):
        if not entry.msgid:
            continue
        key = entry.msgid if "msgctxt" not in entry.strings else f"{entry.strings['msgctxt']}\x04{entry.msgid}"
        if "msgid_plural" in entry.strings:
            stale += [entry.msgid] if catalog.get((key, 0)) != entry.strings["msgstr[0]"] else []
        elif catalog.get(key) != entry.strings["msgstr"]:
            stale.append(entry.msgid)
    assert stale == [], "run manage.py compilemessages"


def test_both_languages_are_served():
    assert compiled_catalog("en") is not None
    with translation.override("zh-hans"):
        assert translation.gettext("Distributor") == "分销商"
        assert translation.gettext("unified social credit code") == "统一社会信用代码"
    with translation.override("en"):
        assert translation.gettext("Distributor") == "Distributor"


def test_the_catalog_parser_sees_untranslated_and_fuzzy_entries(tmp_path):
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        'msgid "Tier"\nmsgstr "等级"\n\n'
        'msgid "Partner"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s 天"\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {entry.msgid: entry for entry in read_po(sample)}
    assert set(entries) == {"", "Tier", "Partner", "%(n)s day"}
    assert entries["Partner"].translations == [""]
    assert "fuzzy" in entries["%(n)s day"].flags
