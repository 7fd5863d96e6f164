from django.conf import settings

from tenant_apps.video.services import schema_from_room_name
from tenants.models import Program


def program_for_room(*, room_name: str) -> Program | None:
    """The ready programme a room belongs to, from the schema name in the room's prefix (public
    schema; the prefix holds no personal data). None for anything else: no prefix, an unknown
    schema, the public schema (it has no programme tables), a spare, paused, archived or
    failed programme."""
    schema_name = schema_from_room_name(room_name)
    if schema_name is None or schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return Program.objects.filter(schema_name=schema_name, status=Program.Status.READY).first()
