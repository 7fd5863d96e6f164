"""A loopback fake of Scaleway Transactional Email's send endpoint, enough of the documented
contract for our client (django-anymail's Scaleway backend): POST
/transactional-email/v1alpha1/regions/{region}/emails with an X-Auth-Token header and a JSON
body; answers 200 with {"emails": [...]} (one per recipient), 401 for a wrong key, 400 for a
body missing a required field, or a status the test chooses."""

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH_PREFIX = "/transactional-email/v1alpha1/regions/"


@dataclass
class FakeTem:
    secret_key: str
    received: list[dict] = field(default_factory=list)
    fail_with: int | None = None  # answer every request with this status
    base_url: str = ""


def _handler(fake: FakeTem) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            region, _, endpoint = self.path.removeprefix(PATH_PREFIX).partition("/")
            if not self.path.startswith(PATH_PREFIX) or endpoint != "emails":
                return self._answer(404, {"message": "not found"})
            if self.headers.get("X-Auth-Token") != fake.secret_key:
                return self._answer(
                    401, {"message": "authentication is denied", "type": "denied_authentication"}
                )
            if fake.fail_with:
                return self._answer(fake.fail_with, {"message": "unavailable"})
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            missing = [k for k in ("project_id", "from", "subject") if not body.get(k)]
            if missing or not (body.get("to") or body.get("cc") or body.get("bcc")):
                return self._answer(
                    400, {"message": f"missing {missing or ['to']}", "type": "invalid_arguments"}
                )
            if not (body.get("text") or body.get("html")):
                return self._answer(
                    400, {"message": "text or html required", "type": "invalid_arguments"}
                )
            fake.received.append({"region": region, **body})
            recipients = [r["email"] for kind in ("to", "cc", "bcc") for r in body.get(kind, [])]
            emails = [
                {
                    "id": str(uuid.uuid4()),
                    "message_id": str(uuid.uuid4()),
                    "project_id": body["project_id"],
                    "mail_from": body["from"]["email"],
                    "mail_rcpt": recipient,
                    "rcpt_to": recipient,
                    "rcpt_type": "to",
                    "subject": body["subject"],
                    "status": "new",
                }
                for recipient in recipients
            ]
            return self._answer(200, {"emails": emails})

    return Handler


@contextmanager
def fake_tem(*, secret_key: str = "tem-secret") -> Iterator[FakeTem]:
    fake = FakeTem(secret_key=secret_key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}{PATH_PREFIX}{{region}}/"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
