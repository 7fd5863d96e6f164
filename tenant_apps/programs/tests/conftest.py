import pytest
from django_tenants.utils import tenant_context


def _forget_media_root() -> None:
    # django-tenants' storage caches MEDIA_ROOT and fails to clear it on setting changes.
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def media(world, settings, tmp_path):
    """Uploaded files go to a temporary folder; programme A's branding is restored after."""
    from tenant_apps.programs.models import ProgramSettings

    settings.MEDIA_ROOT = str(tmp_path)
    _forget_media_root()
    with tenant_context(world.program_a):
        before = ProgramSettings.objects.get(id=1)
    yield tmp_path
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(
            primary_color=before.primary_color, logo=before.logo
        )
    _forget_media_root()
