"""The accessibility statement (RGAA, article 47 of law 2005-102): what it says about every site
of the platform. A programme's site adds who runs it and whom to contact.

`AXE_CHECKED_PAGES` is the number of distinct pages the browser tests check with axe-core
(tests/e2e): the test suite counts them and fails when this number is not kept up to date."""

import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

RGAA_VERSION = "4.1.2"
STATEMENT_DATE = datetime.date(2026, 11, 30)
AXE_CHECKED_PAGES = 57  # kept equal to the suite's count by tests/e2e (see the module docstring)
PHONE_WIDTH, DESKTOP_WIDTH = 390, 1280
DEFENSEUR_FORM_URL = "https://formulaire.defenseurdesdroits.fr/"
DEFENSEUR_DELEGATES_URL = "https://www.defenseurdesdroits.fr/carte-des-delegues"


def known_non_conformities() -> list[str]:
    return [
        _(
            "No audit against the 106 RGAA criteria has been carried out yet: automated checks "
            "find about a third of possible defects."
        ),
        _(
            "The video room of a meeting is provided by Whereby and embedded in the meeting "
            "page: its accessibility depends on Whereby."
        ),
        _(
            "A programme's logo is uploaded by its manager: its text alternative is the "
            "programme's name, and the contrast inside the image is not checked."
        ),
        _(
            "Downloaded files (CSV and XLSX exports, calendar invitations) are not checked for "
            "accessibility."
        ),
    ]


def statement_context(*, organisation: str, service: str, contacts: list[str]) -> dict[str, Any]:
    """What the statement's template needs; `contacts` are email addresses, first the one of
    whoever runs the service."""
    return {
        "organisation": organisation,
        "service": service,
        "contacts": contacts,
        "rgaa_version": RGAA_VERSION,
        "statement_date": STATEMENT_DATE,
        "axe_checked_pages": AXE_CHECKED_PAGES,
        "phone_width": PHONE_WIDTH,
        "desktop_width": DESKTOP_WIDTH,
        "non_conformities": known_non_conformities(),
        "defenseur_form_url": DEFENSEUR_FORM_URL,
        "defenseur_delegates_url": DEFENSEUR_DELEGATES_URL,
    }


def platform_contact() -> str:
    contact: str = settings.PLATFORM_CONTACT_EMAIL
    return contact
