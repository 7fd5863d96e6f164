"""The users of bench/scale.py, played by locust (headless; started by bench/scale.py, not by
hand). Each simulated person is one account of the world (SCALE_SAMPLES: a JSON file of
[host, email, password, role]), on its own programme's host (the Host header; every host is
served by the one gunicorn on 127.0.0.1), over plain HTTP with `X-Forwarded-Proto: https` as
the load balancer sends it (production settings: secure cookies, HTTPS redirect on).

User classes (named on locust's command line by bench/scale.py):
- `Participant Manager` (9:1) with SCALE_MODE=browse: participants log in, then home, pair
  page, messages, meetings, profile; managers log in (password + authenticator code), then
  dashboard, participant list, pairs, meetings; think times between pages (SCALE_THINK
  "min,max" seconds);
- `Participant` with SCALE_MODE=pages: the same participant pages, logged in, no think time;
- `SignedInFloor` with SCALE_MODE=floor: signed in, `/favicon.ico` (a view that does nothing)
  over and over, no think time: the cost of a signed-in request's middleware alone;
- `Bare`: GET / of bench/bare.py, no think time (the baseline).
"""

import http.cookiejar
import json
import os
import random
import re
import threading
from pathlib import Path

from locust import FastHttpUser, between, constant, task

MODE = os.environ.get("SCALE_MODE", "browse")
THINK = tuple(float(value) for value in os.environ.get("SCALE_THINK", "2,10").split(","))
SAMPLES = json.loads(Path(os.environ["SCALE_SAMPLES"]).read_text()) if MODE != "bare" else []
TOTP_KEY = os.environ.get("SCALE_TOTP_KEY", "")
BARE_PATH = os.environ.get("SCALE_BARE_PATH", "/")  # what the Bare user asks, over and over
_next = {"manager": iter(range(10**9)), "participant": iter(range(10**9))}
_lock = threading.Lock()
_signed_in = [0]

PAIR_LINK_RE = re.compile(r'href="/binome/(\d+)/"')
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """The session and CSRF cookies are `Secure` (`__Host-`): the load balancer's side of the
    connection is HTTPS, ours to gunicorn is plain HTTP on loopback, so send them anyway."""

    def return_ok_secure(self, cookie, request):
        return True


def totp_token() -> str:
    import hmac
    import struct
    import time

    counter = int(time.time() // 30)
    digest = hmac.new(bytes.fromhex(TOTP_KEY), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def next_sample(kind: str) -> list[str]:
    """The next account of this kind (managers, or mentors and mentees), round robin."""
    samples = [s for s in SAMPLES if (s[3] == "manager") == (kind == "manager")]
    with _lock:
        index = next(_next[kind])
    return samples[index % len(samples)]


class Person(FastHttpUser):
    abstract = True
    kind = "participant"
    wait_time = between(*THINK) if MODE == "browse" else constant(0)
    connection_timeout = 30.0
    network_timeout = 30.0

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(LoopbackPolicy())
        self.host_name, self.email, self.password, self.role = next_sample(self.kind)
        self.headers = {"Host": self.host_name, "X-Forwarded-Proto": "https"}
        self.pair_ids: list[str] = []  # of the pair pages linked from /binome/
        self.log_in()
        if MODE in ("pages", "floor"):
            if MODE == "pages":
                self.pair_path()
            self.signed_in()

    def signed_in(self) -> None:
        """Throughput counts from the moment everyone is signed in (a sign-in is an Argon2
        hash: seconds of CPU for the first wave, not what the pages cost)."""
        runner = self.environment.runner
        with _lock:
            _signed_in[0] += 1
            everyone = _signed_in[0] == runner.target_user_count
        if everyone:
            runner.stats.reset_all()

    def get(self, path: str, name: str | None = None):
        """A page of a signed-in person: 200, never a redirect (to the login page)."""
        with self.client.get(
            path,
            headers=self.headers,
            name=name or path,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {response.status_code}")
            else:
                response.success()
            return response

    def post(self, path: str, data: dict, name: str | None = None):
        headers = {
            **self.headers,
            "Origin": f"https://{self.host_name}",
            "Referer": f"https://{self.host_name}{path}",
        }
        with self.client.post(
            path,
            data=data,
            headers=headers,
            name=name or path,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{path}: {response.status_code}, expected a redirect")
            else:
                response.success()
            return response

    def csrf(self, path: str) -> str:
        response = self.get(path)
        found = CSRF_INPUT_RE.search(response.text or "")
        return found.group(1) if found else ""

    def log_in(self) -> None:
        token = self.csrf("/connexion/")
        self.post(
            "/connexion/",
            {"csrfmiddlewaretoken": token, "username": self.email, "password": self.password},
        )
        if self.role == "manager":
            token = self.csrf("/compte/verification/")
            self.post(
                "/compte/verification/", {"csrfmiddlewaretoken": token, "token": totp_token()}
            )

    def pair_path(self) -> str | None:
        if not self.pair_ids:
            response = self.get("/binome/")
            self.pair_ids = sorted(set(PAIR_LINK_RE.findall(response.text or ""))) or ["-"]
        return None if self.pair_ids == ["-"] else f"/binome/{random.choice(self.pair_ids)}/"


class Participant(Person):
    weight = 9

    @task(4)
    def home(self) -> None:
        self.get("/espace/")

    @task(3)
    def pair(self) -> None:
        path = self.pair_path()
        if path:
            self.get(path, name="/binome/[id]/")
        else:
            self.get("/binome/")

    @task(2)
    def messages(self) -> None:
        path = self.pair_path()
        if path:
            self.get(f"{path}messages/", name="/binome/[id]/messages/")

    @task(2)
    def meetings(self) -> None:
        self.get("/rendez-vous/")

    @task(1)
    def profile(self) -> None:
        self.get("/profil/")


class SignedInFloor(Person):
    """SCALE_MODE=floor: a signed-in participant asking `/favicon.ico` over and over, without
    think time — every middleware of a signed-in request (host → programme, session, user,
    second factor, session timeout, security headers) around a view that does nothing: the
    most any signed-in page could serve."""

    @task
    def floor(self) -> None:
        self.get("/favicon.ico", name="signed-in floor")


class Manager(Person):
    weight = 1
    kind = "manager"

    @task(3)
    def dashboard(self) -> None:
        self.get("/espace/", name="/espace/ (manager)")

    @task(3)
    def participants(self) -> None:
        self.get("/gestion/participants/")

    @task(1)
    def pairs(self) -> None:
        self.get("/gestion/binomes/")

    @task(1)
    def meetings(self) -> None:
        self.get("/gestion/rendez-vous/")


class Bare(FastHttpUser):
    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get(BARE_PATH, name="bare")
