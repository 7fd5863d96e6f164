"""Room URLs — Whereby's and the fake's — and our room names never leave the process in a log
line or a Sentry event (saas.core.observability.scrubbing)."""

import json
import logging

from saas.core.observability.logs import JsonFormatter
from saas.core.observability.scrubbing import VIDEO_ROOM, scrub_data, scrub_text, scrub_url

ROOM_NAME = "/binome--p-0123456789ab--m42s1-72b919c2-17dc-4007-ac7b-56f38b8e29ba"
FAKE_ROOM = f"http://binome.whereby.localhost:8090{ROOM_NAME}?roomKey=Uy4TqsqhB16aevKgu2pQ4Q0R"
REAL_ROOM = f"https://binome.whereby.com{ROOM_NAME}"


def test_room_urls_of_whereby_and_of_the_fake_are_dropped_whole():
    assert scrub_url(FAKE_ROOM) == VIDEO_ROOM
    assert scrub_url(REAL_ROOM) == VIDEO_ROOM
    assert scrub_url("http://127.0.0.1:8090/v1/meetings/52755922") == (
        "http://127.0.0.1:8090/v1/meetings/52755922"
    )


def test_a_room_name_alone_is_filtered_from_text_and_structures():
    text = scrub_text(f"room {ROOM_NAME} ready, then {FAKE_ROOM}.")
    data = scrub_data({"event": {"data": {"room": ROOM_NAME.lstrip("/")}}})

    assert text == f"room {VIDEO_ROOM} ready, then {VIDEO_ROOM}."
    assert data == {"event": {"data": {"room": VIDEO_ROOM}}}
    assert "72b919c2" not in text + json.dumps(data)


def test_the_json_log_line_holds_no_room():
    record = logging.LogRecord(
        "tenant_apps.meetings",
        logging.ERROR,
        __file__,
        1,
        "embed failed for %s",
        (FAKE_ROOM,),
        None,
    )

    line = JsonFormatter().format(record)

    assert "whereby.localhost" not in line and "binome--p-" not in line and "roomKey" not in line
