# syntax=docker/dockerfile:1.7
# Binôme application image: one image, four commands (docker-compose.yml and
# infra/terraform/modules/app run each of them):
#   web      gunicorn -c infra/docker/gunicorn.conf.py saas.wsgi:application   (default CMD)
#   worker   celery -A saas worker -l info
#   beat     celery -A saas beat -l info --schedule /tmp/celerybeat-schedule --enable-remote-control
#   migrate  sh -c "python infra/docker/check_environment.py && python manage.py migrate_schemas --noinput && python manage.py migrations_check"
# (migrate_schemas picks its executor from TENANT_MIGRATION_PROCESSES: see docs/operations.md)

ARG PYTHON_IMAGE=python:3.11.15-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# ---------------------------------------------------------------------------------------------
# Builder: dependencies from the lock file, translations compiled, static files collected.
# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

COPY --from=uv /uv /usr/local/bin/uv

# msgfmt, for compilemessages.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached while pyproject.toml and uv.lock do not change). The project is
# not a package ([tool.uv] package = false): syncing installs the locked dependencies only.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev

COPY . .

ENV PATH=/opt/venv/bin:$PATH

# Build-time settings: a throwaway key, database and Redis URLs nothing connects to. Neither
# command opens a connection; none of these values reaches the final image's environment.
RUN DJANGO_SETTINGS_MODULE=saas.settings.production \
    DJANGO_SECRET_KEY=build-only-not-a-secret \
    DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    BASE_DOMAIN=build.invalid \
    sh -c "python manage.py compilemessages && python manage.py collectstatic --noinput"

# ---------------------------------------------------------------------------------------------
# Runtime: the virtualenv and the application, owned by root, run by an unprivileged user.
# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=saas.settings.production \
    MEDIA_ROOT=/var/lib/binome/media

RUN groupadd --system --gid 10001 binome \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin binome \
    && install --directory --owner=10001 --group=10001 --mode=0750 /var/lib/binome/media

WORKDIR /app

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

USER 10001:10001

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "/app/infra/docker/healthcheck.py"]

CMD ["gunicorn", "-c", "infra/docker/gunicorn.conf.py", "saas.wsgi:application"]
