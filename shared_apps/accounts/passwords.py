"""Password validators for a French-speaking public (in AUTH_PASSWORD_VALIDATORS, next to
Django's own, whose common-password list is English).

- FrenchCommonPasswordValidator: refuses a password that is, once spaces, digits and symbols
  around it are set aside, little more than one of the most common French passwords or the
  words they are made of ("motdepasse123", "Azerty2024!", "m0tdep@sse").
- OrganisationNameValidator: refuses a password built on the name of the programme or of its
  organisation (what an attacker tries first on a programme's site), or on "Binôme".
"""

import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

WORDS_FILE = Path(__file__).parent / "data" / "common_passwords_fr.txt"
# Fewer letters than this besides a common word or a name, and the password is that word.
MIN_OTHER_LETTERS = 6
LEET = str.maketrans(
    {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s", "$": "s", "7": "t"}
)


def _plain(text: str) -> str:
    """Lower case, accents removed, spaces and separators dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in letters if not ch.isspace() and ch not in "-_.'’")


def _core(plain: str) -> str:
    """Without the digits and symbols around it ("motdepasse" in "2024motdepasse!!")."""
    start, end = 0, len(plain)
    while start < end and not plain[start].isalpha():
        start += 1
    while end > start and not plain[end - 1].isalpha():
        end -= 1
    return plain[start:end]


def _candidates(password: str) -> set[str]:
    plain = _plain(password)
    core = _core(plain)
    return {plain, core, core.translate(LEET)}


def _is_mostly(candidates: set[str], word: str) -> bool:
    for candidate in candidates:
        if word and word in candidate:
            rest = candidate.replace(word, "", 1)
            if sum(ch.isalpha() for ch in rest) < MIN_OTHER_LETTERS:
                return True
    return False


@cache
def common_words() -> tuple[str, ...]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    words = {_plain(line) for line in lines if line.strip() and not line.startswith("#")}
    return tuple(sorted(words, key=len, reverse=True))


def _refuse_mostly(password: str, words: Iterable[str], message: str, code: str) -> None:
    """Refuse a password that is mostly one of `words` (accents, case, leetspeak and the digits
    or symbols around it do not count)."""
    candidates = _candidates(password)
    if any(_is_mostly(candidates, word) for word in words):
        raise ValidationError(message, code=code)


class FrenchCommonPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        message = _(
            "This password is one of the most used in France, with only digits or "
            "symbols added. Choose a sentence of several words instead."
        )
        _refuse_mostly(password, common_words(), message, code="password_too_common_fr")

    def get_help_text(self) -> str:
        return _("Your password cannot be a common French password such as “motdepasse123”.")


def _organisation_names() -> list[str]:
    """The current programme's name and its organisation's (nothing on the console)."""
    tenant = getattr(connection, "tenant", None)
    names = ["binome"]
    for name in (getattr(tenant, "name", ""), getattr(getattr(tenant, "client", None), "name", "")):
        if name and getattr(tenant, "schema_name", "") != settings.PUBLIC_SCHEMA_NAME:
            names.append(_plain(str(name)))
    return [name for name in names if len(name) >= 4]


class OrganisationNameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        message = _(
            "This password is built on the name of the programme or of its "
            "organisation: it is among the first an attacker would try."
        )
        _refuse_mostly(password, _organisation_names(), message, code="password_organisation_name")

    def get_help_text(self) -> str:
        return _("Your password cannot be built on the name of the programme or organisation.")
