"""`python3 dev.py run` listens on loopback unless HOST asks otherwise (the demo password is
published in the README)."""

from saas.cli import server_address


def test_run_listens_on_loopback_by_default():
    assert server_address({}) == "127.0.0.1:8000"
    assert server_address({"PORT": "8123"}) == "127.0.0.1:8123"


def test_host_opens_another_interface_on_request():
    assert server_address({"HOST": "0.0.0.0", "PORT": "8123"}) == "0.0.0.0:8123"
    assert server_address({"HOST": "::1"}) == "[::1]:8000"
