"""Programme events for outgoing webhooks, taken where the apps below save them.

The apps under this one cannot import it (an arrow only points down), so the API listens to
the rows their services save — inside the service's transaction — and queues one delivery per
subscribed endpoint, sent after commit. Payloads carry ids and codes, never names or
addresses: a client who needs more asks the REST API with its key.

`survey.answered` follows the same road: the surveys app (below this one) knows nothing of
webhooks; the API listens to the `SurveyResponse` its `survey_answer` service creates. For an
aggregated-only survey the payload names the survey only — no participant, pair, meeting or
role (the stored answer has none either).
"""

from typing import Any

from django.db.models.signals import post_save

from tenant_apps.api.models import WebhookEndpoint
from tenant_apps.api.services import webhook_event_emit
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import SurveyResponse

Event = WebhookEndpoint.Event


def _status_changed(created: bool, update_fields: Any) -> bool:
    return created or (update_fields is not None and "status" in update_fields)


def _on_participant(sender: Any, instance: Participant, created: bool, **kwargs: Any) -> None:
    if instance.status == Participant.Status.ACTIVE and _status_changed(
        created, kwargs.get("update_fields")
    ):
        webhook_event_emit(
            event=Event.PARTICIPANT_REGISTERED,
            data={"participant_id": instance.pk, "role": instance.role},
        )


def _on_match(sender: Any, instance: Match, created: bool, **kwargs: Any) -> None:
    if not _status_changed(created, kwargs.get("update_fields")):
        return
    data = {
        "pair_id": instance.pk,
        "mentee_id": instance.mentee_id,
        "mentor_id": instance.mentor_id,
        "source": instance.source,
    }
    if instance.status == Match.Status.ACTIVE:
        webhook_event_emit(event=Event.PAIR_CREATED, data=data)
    elif instance.status == Match.Status.ENDED:
        webhook_event_emit(event=Event.PAIR_ENDED, data=data)


def _on_meeting(sender: Any, instance: Meeting, created: bool, **kwargs: Any) -> None:
    if instance.status == Meeting.Status.HELD and _status_changed(
        created, kwargs.get("update_fields")
    ):
        webhook_event_emit(
            event=Event.MEETING_HELD,
            data={
                "meeting_id": instance.pk,
                "pair_id": instance.match_id,
                "outcome_source": instance.outcome_source,
            },
        )


def _on_survey_response(
    sender: Any, instance: SurveyResponse, created: bool, **kwargs: Any
) -> None:
    if not created:  # later saves only take data away (anonymisation, erasure)
        return
    survey = instance.survey
    data: dict[str, Any] = {"survey_id": survey.pk, "kind": survey.kind}
    if survey.is_anonymous or instance.participant_id is None:
        data["is_anonymous"] = True
    else:
        data.update(
            {
                "is_anonymous": False,
                "participant_id": instance.participant_id,
                "role": instance.role,
                "pair_id": instance.match_id,
                "meeting_id": instance.meeting_id,
            }
        )
    webhook_event_emit(event=Event.SURVEY_ANSWERED, data=data)


def connect() -> None:
    post_save.connect(_on_participant, sender=Participant, dispatch_uid="api-webhook-participant")
    post_save.connect(_on_match, sender=Match, dispatch_uid="api-webhook-match")
    post_save.connect(_on_meeting, sender=Meeting, dispatch_uid="api-webhook-meeting")
    post_save.connect(
        _on_survey_response, sender=SurveyResponse, dispatch_uid="api-webhook-survey-answered"
    )
