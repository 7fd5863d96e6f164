"""The REST API's patterns (`/api/v1/…`), also the URLconf the OpenAPI schema is generated from.

The router decides the patterns; tenant_apps/api/tests/test_isolation_api.py walks them. The
views authenticate with a key (never a session), so the login and second-factor middleware
step aside for them: an unauthenticated request gets 401 from the API itself."""

from typing import Any

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tenant_apps.api import apis

router = SimpleRouter(use_regex_path=False)
router.register("participants", apis.ParticipantApi, basename="api-participants")
router.register("pairs", apis.PairApi, basename="api-pairs")
router.register("meetings", apis.MeetingApi, basename="api-meetings")
router.register("statistics", apis.StatisticsApi, basename="api-statistics")
router.register("surveys", apis.SurveyApi, basename="api-surveys")

for pattern in router.urls:
    view: Any = pattern.callback  # a DRF view function: its marks are plain attributes
    view.login_required = False
    view.otp_exempt = True

urlpatterns = [path("api/v1/", include(router.urls))]
