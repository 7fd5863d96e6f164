"""The local fake of Whereby Embedded: `FakeWhereby` in tests, `python -m tenant_apps.video.fake`
in the local stack. See server.py."""

from tenant_apps.video.fake.server import FakeWhereby, webhook_signature

__all__ = ["FakeWhereby", "webhook_signature"]
