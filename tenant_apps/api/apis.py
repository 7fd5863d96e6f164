"""The programme's REST API, `/api/v1/` on the programme's host. Thin views: reads through
`tenant_apps.api.selectors`, writes through the services of the app that owns the data, with
one `api.write` audit row per use of a write key, in the same transaction."""

import hashlib
import json
from collections.abc import Callable
from typing import Any, cast

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from tenant_apps.api.authentication import ApiKeyAuthentication, ApiKeyRateThrottle, HasApiKeyScope
from tenant_apps.api.models import ApiKey
from tenant_apps.api.selectors import (
    api_meetings,
    api_pairs,
    api_participants,
    api_statistics,
    api_survey_results,
    api_surveys,
)
from tenant_apps.api.services import api_key_write_record, participant_settings_update
from tenant_apps.matching.models import Match
from tenant_apps.matching.services import match_create_manual, match_end
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_deactivate, participant_invite
from tenant_apps.programs.models import Question
from tenant_apps.surveys.models import Audience, Survey

# The two roles of a pair (a manager is neither); named PairRoleEnum in the OpenAPI schema.
PAIR_ROLES = [(Participant.Role.MENTEE, _("Mentee")), (Participant.Role.MENTOR, _("Mentor"))]


class ApiPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    ordering = "id"


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    # A declared field: DRF's metaclass takes it out of the class (no clash with `.fields`).
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
    429: ErrorSerializer,
}
ERROR_EXAMPLE = OpenApiExample(
    "Error",
    value={"code": "invalid", "message": "Invalid input.", "fields": {"email": ["…"]}},
    response_only=True,
    status_codes=["400"],
)


class ProgrammeApi(viewsets.GenericViewSet):
    """Key authentication, scope, rate limit, cursor pages, ETags."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKeyScope]
    throttle_classes = [ApiKeyRateThrottle]
    pagination_class: type[ApiPagination] | None = ApiPagination

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200 and response.data is not None:
            body = json.dumps(response.data, sort_keys=True, default=str).encode()
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
            wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
            if etag in wanted or "*" in wanted:
                not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
                not_modified["ETag"] = etag
                return super().finalize_response(request, not_modified, *args, **kwargs)
        return response

    def write(self, operation: str, change: Callable[[], Any]) -> Any:
        """Run a write and its `api.write` row in one transaction."""
        with transaction.atomic():
            result = change()
            key = cast(ApiKey, self.request.auth)  # the key ApiKeyAuthentication found
            api_key_write_record(key=key, method=self.request.method or "", operation=operation)
        return result

    def page(self, rows: Any, output: type[serializers.Serializer]) -> Response:
        """One cursor page of `rows`, each written by `output`."""
        return self.get_paginated_response(output(self.paginate_queryset(rows), many=True).data)


def validated(serializer: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """`data` as `serializer` checks it; otherwise a 400 naming the fields in error."""
    checked = serializer(data=data)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


# --- Participants ------------------------------------------------------------------------------


class ParticipantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.CharField(source="display_email")
    name = serializers.CharField(source="display_name")
    role = serializers.ChoiceField(choices=Participant.Role.choices)
    status = serializers.ChoiceField(choices=Participant.Status.choices)
    capacity = serializers.IntegerField()
    is_available = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ParticipantFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Participant.Status.choices, required=False)
    role = serializers.ChoiceField(choices=Participant.Role.choices, required=False)
    updated_since = serializers.DateTimeField(required=False)


class ParticipantCreateInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=PAIR_ROLES)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class ParticipantUpdateInput(serializers.Serializer):
    capacity = serializers.IntegerField(min_value=1, max_value=10, required=False)
    is_available = serializers.BooleanField(required=False)


def page_example(item: dict[str, Any]) -> OpenApiExample:
    """The example of a list answer: one page holding `item`."""
    return OpenApiExample(
        "A page",
        value={"next": None, "previous": None, "results": [item]},
        response_only=True,
    )


PARTICIPANT_EXAMPLE = {
    "id": 42,
    "email": "camille.martin@example.com",
    "name": "Camille Martin",
    "role": "mentee",
    "status": "invited",
    "capacity": 2,
    "is_available": True,
    "created_at": "2026-09-01T08:00:00Z",
    "updated_at": "2026-09-01T08:00:00Z",
}


def _participant(pk: Any) -> Participant:
    return get_object_or_404(api_participants(), pk=pk)


class ParticipantApi(ProgrammeApi):
    lookup_value_converter = "int"
    lookup_url_kwarg = "participant"

    def get_queryset(self) -> Any:
        filters = validated(ParticipantFilter, self.request.query_params)
        return api_participants(
            status=filters.get("status", ""),
            role=filters.get("role", ""),
            updated_since=filters.get("updated_since"),
        )

    @extend_schema(
        operation_id="participants_list",
        summary="List the programme's participants",
        parameters=[
            OpenApiParameter("status", enum=Participant.Status.values),
            OpenApiParameter("role", enum=Participant.Role.values),
            OpenApiParameter("updated_since", type=str, description="ISO 8601 date-time"),
        ],
        responses={200: ParticipantOutput(many=True), **ERRORS},
        examples=[
            page_example(PARTICIPANT_EXAMPLE),
        ],
    )
    def list(self, request: Request) -> Response:
        return self.page(self.get_queryset(), ParticipantOutput)

    @extend_schema(
        operation_id="participants_retrieve",
        summary="One participant",
        responses={200: ParticipantOutput, **ERRORS},
        examples=[OpenApiExample("Participant", value=PARTICIPANT_EXAMPLE, response_only=True)],
    )
    def retrieve(self, request: Request, participant: int) -> Response:
        return Response(ParticipantOutput(_participant(participant)).data)

    @extend_schema(
        operation_id="participants_invite",
        summary="Invite a person (they receive the invitation email)",
        request=ParticipantCreateInput,
        responses={201: ParticipantOutput, **ERRORS},
        examples=[
            OpenApiExample(
                "Invitation",
                value={
                    "email": "camille.martin@example.com",
                    "role": "mentee",
                    "first_name": "Camille",
                    "last_name": "Martin",
                },
                request_only=True,
            ),
            OpenApiExample("Invited", value=PARTICIPANT_EXAMPLE, response_only=True),
            ERROR_EXAMPLE,
        ],
    )
    def create(self, request: Request) -> Response:
        data = validated(ParticipantCreateInput, request.data)
        participant = self.write("participants.invite", lambda: participant_invite(**data))
        return Response(
            ParticipantOutput(_participant(participant.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        operation_id="participants_update",
        summary="Change a participant's capacity or availability",
        request=ParticipantUpdateInput,
        responses={200: ParticipantOutput, **ERRORS},
        examples=[
            OpenApiExample(
                "Change", value={"capacity": 3, "is_available": True}, request_only=True
            ),
            OpenApiExample("Changed", value=PARTICIPANT_EXAMPLE, response_only=True),
        ],
    )
    def partial_update(self, request: Request, participant: int) -> Response:
        pk = participant
        person = _participant(pk)
        data = validated(ParticipantUpdateInput, request.data)
        self.write(
            "participants.update",
            lambda: participant_settings_update(participant=person, **data),
        )
        return Response(ParticipantOutput(_participant(pk)).data)

    @extend_schema(
        operation_id="participants_deactivate",
        summary="Deactivate a participant (access ends at once)",
        request=None,
        responses={200: ParticipantOutput, **ERRORS},
        examples=[
            OpenApiExample(
                "Deactivated",
                value={**PARTICIPANT_EXAMPLE, "status": "deactivated"},
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, participant: int) -> Response:
        pk = participant
        person = _participant(pk)
        self.write("participants.deactivate", lambda: participant_deactivate(participant=person))
        return Response(ParticipantOutput(_participant(pk)).data)


# --- Pairs -------------------------------------------------------------------------------------


class PairOutput(serializers.Serializer):
    id = serializers.IntegerField()
    mentee_id = serializers.IntegerField()
    mentor_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Match.Status.choices)
    # A declared field: DRF's metaclass takes it out of the class (no clash with Field.source).
    source = serializers.ChoiceField(choices=Match.Source.choices)  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class PairFilter(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(Match.Status.ACTIVE, _("Active")), (Match.Status.ENDED, _("Ended"))],
        required=False,
    )


class PairCreateInput(serializers.Serializer):
    mentee_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    mentor_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class PairEndInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


PAIR_EXAMPLE = {
    "id": 7,
    "mentee_id": 42,
    "mentor_id": 12,
    "status": "active",
    "source": "manual",
    "created_at": "2026-09-02T08:00:00Z",
    "activated_at": "2026-09-02T08:00:00Z",
    "ended_at": None,
}


def _active_participant(pk: int, field: str) -> Participant:
    participant = api_participants().filter(pk=pk).first()
    if participant is None:
        message = _("No participant has this id.")
        raise serializers.ValidationError({field: [message]})
    return participant


class PairApi(ProgrammeApi):
    lookup_value_converter = "int"
    lookup_url_kwarg = "match"

    @extend_schema(
        operation_id="pairs_list",
        summary="List the pairs (active and ended)",
        parameters=[OpenApiParameter("status", enum=["active", "ended"])],
        responses={200: PairOutput(many=True), **ERRORS},
        examples=[
            page_example(PAIR_EXAMPLE),
        ],
    )
    def list(self, request: Request) -> Response:
        filters = validated(PairFilter, request.query_params)
        return self.page(api_pairs(status=filters.get("status", "")), PairOutput)

    @extend_schema(
        operation_id="pairs_create",
        summary="Pair a mentee with a mentor by hand (active at once)",
        request=PairCreateInput,
        responses={201: PairOutput, **ERRORS},
        examples=[
            OpenApiExample("Pair", value={"mentee_id": 42, "mentor_id": 12}, request_only=True),
            OpenApiExample("Paired", value=PAIR_EXAMPLE, response_only=True),
            ERROR_EXAMPLE,
        ],
    )
    def create(self, request: Request) -> Response:
        data = validated(PairCreateInput, request.data)
        mentee = _active_participant(data["mentee_id"], "mentee_id")
        mentor = _active_participant(data["mentor_id"], "mentor_id")
        match = self.write(
            "pairs.create", lambda: match_create_manual(mentee=mentee, mentor=mentor)
        )
        return Response(PairOutput(match).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="pairs_end",
        summary="End an active pair",
        request=PairEndInput,
        responses={200: PairOutput, **ERRORS},
        examples=[
            OpenApiExample(
                "Reason", value={"reason": "Mentee left the company"}, request_only=True
            ),
            OpenApiExample(
                "Ended",
                value={**PAIR_EXAMPLE, "status": "ended", "ended_at": "2026-12-01T08:00:00Z"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, match: int) -> Response:
        pair = get_object_or_404(api_pairs(), pk=match)
        data = validated(PairEndInput, request.data)
        pair = self.write("pairs.end", lambda: match_end(match=pair, reason=data["reason"]))
        return Response(PairOutput(pair).data)


# --- Meetings, statistics ----------------------------------------------------------------------


class MeetingOutput(serializers.Serializer):
    """Never a room: the join page alone knows it."""

    id = serializers.IntegerField()
    pair_id = serializers.IntegerField(source="match_id")
    status = serializers.ChoiceField(choices=Meeting.Status.choices)
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    time_zone = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MeetingFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)


class MeetingApi(ProgrammeApi):
    @extend_schema(
        operation_id="meetings_list",
        summary="List the meetings (no video room)",
        parameters=[OpenApiParameter("status", enum=Meeting.Status.values)],
        responses={200: MeetingOutput(many=True), **ERRORS},
        examples=[
            page_example(
                {
                    "id": 3,
                    "pair_id": 7,
                    "status": "held",
                    "starts_at": "2026-09-10T08:00:00Z",
                    "ends_at": "2026-09-10T09:00:00Z",
                    "time_zone": "Europe/Paris",
                    "created_at": "2026-09-03T08:00:00Z",
                    "updated_at": "2026-09-10T09:05:00Z",
                }
            ),
        ],
    )
    def list(self, request: Request) -> Response:
        filters = validated(MeetingFilter, request.query_params)
        return self.page(api_meetings(status=filters.get("status", "")), MeetingOutput)


COUNTS = serializers.DictField(child=serializers.IntegerField())


class OneObjectSchema(AutoSchema):
    """The statistics are one object, although the router calls the action `list`."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class StatisticsApi(ProgrammeApi):
    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(
        operation_id="statistics_retrieve",
        summary="The programme's counts",
        responses={
            200: inline_serializer(
                "Statistics",
                {
                    "participants": inline_serializer(
                        "ParticipantCounts",
                        {
                            "total": serializers.IntegerField(),
                            "by_role": serializers.DictField(child=serializers.IntegerField()),
                            "by_status": serializers.DictField(child=serializers.IntegerField()),
                        },
                    ),
                    "pairs": inline_serializer(
                        "PairCounts",
                        {"by_status": serializers.DictField(child=serializers.IntegerField())},
                    ),
                    "meetings": inline_serializer(
                        "MeetingCounts",
                        {"by_status": serializers.DictField(child=serializers.IntegerField())},
                    ),
                },
            ),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "Counts",
                value={
                    "participants": {
                        "total": 120,
                        "by_role": {"mentee": 80, "mentor": 38, "manager": 2},
                        "by_status": {"active": 110, "invited": 10},
                    },
                    "pairs": {"by_status": {"active": 70, "ended": 5}},
                    "meetings": {"by_status": {"held": 200, "confirmed": 12}},
                },
                response_only=True,
            )
        ],
    )
    def list(self, request: Request) -> Response:
        return Response(api_statistics())


# --- Surveys' aggregated results ---------------------------------------------------------------


class SurveyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Survey.Kind.choices)
    title = serializers.CharField()
    audience = serializers.ChoiceField(choices=Audience.choices)
    is_anonymous = serializers.BooleanField(
        help_text="Answers only shown aggregated to the managers (no participant id anywhere)."
    )
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ShareOutput(serializers.Serializer):
    value = serializers.CharField(help_text="The score, the choice's value, yes/no or NPS group")
    # A declared field: DRF's metaclass takes it out of the class (no clash with Field.label).
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class RoleFigureOutput(serializers.Serializer):
    role = serializers.ChoiceField(choices=PAIR_ROLES)
    suppressed = serializers.BooleanField()
    responses = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)


class QuestionResultOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, as above
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    suppressed = serializers.BooleanField(
        help_text="Fewer than `min_group` answers: no figure (the dashboard's “< 5”)."
    )
    responses = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    nps = serializers.IntegerField(allow_null=True, min_value=-100, max_value=100)
    distribution = ShareOutput(many=True)
    by_role = RoleFigureOutput(many=True)


class SurveyResultsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Survey.Kind.choices)
    title = serializers.CharField()
    is_anonymous = serializers.BooleanField()
    min_group = serializers.IntegerField(help_text="Below this many answers, no figure is given.")
    invited = serializers.IntegerField()
    answered = serializers.IntegerField(allow_null=True)
    responses = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()
    questions = QuestionResultOutput(many=True)


SURVEY_EXAMPLE = {
    "id": 3,
    "kind": "pair_end",
    "title": "Fin de l'accompagnement",
    "audience": "both",
    "is_anonymous": True,
    "is_active": True,
    "created_at": "2026-09-01T08:00:00Z",
    "updated_at": "2026-09-01T08:00:00Z",
}
SURVEY_RESULTS_EXAMPLE = {
    "id": 3,
    "kind": "pair_end",
    "title": "Fin de l'accompagnement",
    "is_anonymous": True,
    "min_group": 5,
    "invited": 40,
    "answered": 31,
    "responses": 31,
    "suppressed": False,
    "questions": [
        {
            "key": "retour-fin-recommandation",
            "label": "Recommanderiez-vous ce programme à un·e collègue ?",
            "kind": "nps",
            "suppressed": False,
            "responses": 31,
            "mean": 8.4,
            "nps": 42,
            "distribution": [
                {"value": "detractors", "label": "Detractors (0–6)", "count": 4},
                {"value": "passives", "label": "Passives (7–8)", "count": 10},
                {"value": "promoters", "label": "Promoters (9–10)", "count": 17},
            ],
            "by_role": [
                {"role": "mentee", "suppressed": False, "responses": 27, "mean": 8.5},
                {"role": "mentor", "suppressed": True, "responses": None, "mean": None},
            ],
        },
        {
            "key": "retour-fin-commentaire",
            "label": "Un commentaire ? (facultatif)",
            "kind": "text",
            "suppressed": True,
            "responses": None,
            "mean": None,
            "nps": None,
            "distribution": [],
            "by_role": [],
        },
    ],
}


class SurveyApi(ProgrammeApi):
    """The programme's surveys and their aggregated results: counts, means and NPS only —
    never one person's answer, never a free text, no figure below `min_group` answers."""

    lookup_value_converter = "int"
    lookup_url_kwarg = "survey"

    @extend_schema(
        operation_id="surveys_list",
        summary="List the programme's surveys",
        responses={200: SurveyOutput(many=True), **ERRORS},
        examples=[page_example(SURVEY_EXAMPLE)],
    )
    def list(self, request: Request) -> Response:
        return self.page(api_surveys(), SurveyOutput)

    @extend_schema(
        operation_id="surveys_results",
        summary="A survey's aggregated results per question (no individual answer)",
        responses={200: SurveyResultsOutput, **ERRORS},
        examples=[
            OpenApiExample("Results", value=SURVEY_RESULTS_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request: Request, survey: int) -> Response:
        found = get_object_or_404(api_surveys(), pk=survey)
        return Response(SurveyResultsOutput(api_survey_results(survey=found)).data)
