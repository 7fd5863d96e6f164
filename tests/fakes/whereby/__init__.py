"""The local fake of Whereby Embedded: `FakeWhereby` in tests, `python -m tests.fakes.whereby`
in the local stack. See server.py."""

from tests.fakes.whereby.server import FakeWhereby, webhook_signature

__all__ = ["FakeWhereby", "webhook_signature"]
