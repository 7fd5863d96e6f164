"""`dev.py run` starts the Whereby fake when there is no API key, and points the settings at it;
with a key, it starts nothing."""

import time

import httpx

from saas.cli import whereby_fake


def test_the_local_run_starts_the_fake_on_loopback_and_stops_it():
    # given a local run without WHEREBY_API_KEY
    env = {"PATH": "/usr/bin:/bin", "BASE_DOMAIN": "localhost", "PORT": "8000"}

    # when the fake is started
    with whereby_fake(env):
        base_url = env["WHEREBY_BASE_URL"]
        for _attempt in range(50):
            try:
                health = httpx.get(base_url.removesuffix("/v1") + "/_fake/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        created = httpx.post(
            base_url + "/meetings",
            json={"endDate": "2099-01-01T00:00:00Z"},
            headers={"Authorization": "Bearer local-fake-key"},
        )

    # then it answered on 127.0.0.1 with the key the settings use, and the webhook secret is
    # shared with the platform; after the block it is gone
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
    assert health.status_code == 200
    assert created.status_code == 201
    assert env["WHEREBY_WEBHOOK_SECRET"].startswith("local-only-")
    try:
        httpx.get(base_url.removesuffix("/v1") + "/_fake/health", timeout=1)
        stopped = False
    except httpx.TransportError:
        stopped = True
    assert stopped


def test_with_an_api_key_no_fake_is_started():
    env = {"WHEREBY_API_KEY": "real-key"}
    with whereby_fake(env):
        pass
    assert "WHEREBY_BASE_URL" not in env
