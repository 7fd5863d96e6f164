from tenant_apps.video.services import schema_from_room_name
from tenants.models import Program


def program_for_room(*, room_name: str) -> Program | None:
    """The open programme a room belongs to, from the schema name in the room's prefix (public
    schema; the prefix holds no personal data)."""
    schema_name = schema_from_room_name(room_name)
    if schema_name is None:
        return None
    return Program.objects.filter(schema_name=schema_name, status=Program.Status.READY).first()
