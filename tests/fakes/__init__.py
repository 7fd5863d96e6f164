"""Loopback fakes of the external services, for the tests and the local run only (never in the
production image: .dockerignore leaves `tests/` out of the build context).

- `tests.fakes.whereby`: Whereby Embedded (REST API, room pages, signed webhooks); also run by
  `dev.py run` and docker compose (`python -m tests.fakes.whereby`);
- `tests.fakes.tem`: Scaleway Transactional Email's send endpoint;
- `tests.fakes.sentry`: a Sentry transport that keeps the envelopes instead of sending them.

No module here is named `test_*`: pytest collects none of them.
"""
