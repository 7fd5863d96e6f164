"""The video app's two entry points for the apps that need a room (tenant_apps.meetings):
`room_create` and `room_delete`, against the fake. And the boundary: video never imports
meetings, and nothing outside video talks to the Whereby client."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from tenant_apps.video.services import room_create, room_delete, room_name_prefix

ROOT = Path(settings.BASE_DIR)


def test_room_create_makes_one_locked_room_and_adopts_it_when_asked(whereby_fake):
    # given a prefix unique to what the room is for
    prefix = room_name_prefix(schema_name="p_0123456789ab", key="m7s0")
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)

    # when the room is created, then asked for again by a retry that may have made it
    room = room_create(room_name_prefix=prefix, end_date=end)
    again = room_create(room_name_prefix=prefix, end_date=end, adopt_existing=True)

    # then one locked room exists, with our prefix and the end asked for, found again
    (meeting,) = whereby_fake.live_meetings()
    assert meeting.is_locked
    assert room.room_name.startswith(f"/{prefix}")
    assert abs(room.end_date - end) < timedelta(seconds=2)
    assert again.meeting_id == room.meeting_id == meeting.meeting_id

    # and room_delete deletes it (twice is fine)
    room_delete(video_meeting_id=room.meeting_id)
    room_delete(video_meeting_id=room.meeting_id)
    assert whereby_fake.live_meetings() == []


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, at the top or inside a function."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_video_never_imports_meetings_even_inside_a_function():
    # given every module of the video app (its tests included)
    modules = sorted((ROOT / "tenant_apps" / "video").rglob("*.py"))

    # when their imports are listed, function-level ones included
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules
        for name in _imports(path)
        if name.startswith("tenant_apps.meetings")
    ]

    # then none is of meetings (meetings → video only)
    assert modules and found == []


def test_only_the_video_app_talks_to_the_whereby_client():
    # given every module of the platform outside the video app (tests apart)
    modules = [
        path
        for package in ("saas", "tenants", "shared_apps", "tenant_apps")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "tests" not in path.parts and not path.is_relative_to(ROOT / "tenant_apps" / "video")
    ]

    # when their imports are listed
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules
        for name in _imports(path)
        if name == "tenant_apps.video.client"
    ]

    # then none reaches the client: they call room_create / room_delete (video.services)
    assert found == []
