from tenant_apps.meetings.tests.factories import pair

__all__ = ["pair"]
