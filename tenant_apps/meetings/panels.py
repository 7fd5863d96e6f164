"""Extension point of the meeting page for the apps above meetings (which cannot be imported
from here): a *panel provider* registered in an AppConfig.ready() —

    from tenant_apps.meetings.panels import meeting_panels_register
    meeting_panels_register(provider)

`provider(meeting, participant)` returns None or `{"template": "<app>/<file>.html", ...}`; the
meeting page includes that template with the dict as `panel`, after the agreed next steps (the
mentoring app shows the pair's goals there, to revisit them at each meeting). A provider reads
a fixed number of queries."""

from collections.abc import Callable
from typing import Any

from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant

PanelProvider = Callable[[Meeting, Participant], dict[str, Any] | None]

_providers: list[PanelProvider] = []


def meeting_panels_register(provider: PanelProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def meeting_panels(*, meeting: Meeting, participant: Participant) -> list[dict[str, Any]]:
    panels = [provider(meeting, participant) for provider in _providers]
    return [panel for panel in panels if panel]
