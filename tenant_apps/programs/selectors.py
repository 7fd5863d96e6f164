from tenant_apps.programs.models import ProgramSettings


def program_settings() -> ProgramSettings:
    return ProgramSettings.objects.get_or_create(id=1)[0]
