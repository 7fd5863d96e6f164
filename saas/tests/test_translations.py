"""French is the default language: every string has a French translation, compiled."""

from pathlib import Path

import polib
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def test_every_french_string_is_translated():
    po = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    assert len(po) > 50
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogues_match_their_sources():
    for language in ("fr", "en"):
        folder = LOCALE / language / "LC_MESSAGES"
        po = polib.pofile(str(folder / "django.po"))
        mo = polib.mofile(str(folder / "django.mo"))
        compiled = {entry.msgid: entry.msgstr for entry in mo}
        expected = {
            e.msgid: e.msgstr for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags
        }
        assert {k: compiled.get(k) for k in expected} == expected, f"recompile {language}"
