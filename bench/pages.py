"""CPU per request of the signed-in pages, in-process — not a test. The production settings
(as bench/scale.py gives them to gunicorn) on the world of bench/world.py, Redis cache, one
participant of the world signed in through the login page; the Django test client calls the
WSGI handler directly (no gunicorn, no network, no load generator), so what is measured is the
application's own CPU: middleware, ORM, templates, cache clients.

    .venv/bin/python bench/pages.py [--requests 300] [--rounds 3]
    .venv/bin/python bench/pages.py --profile /rendez-vous/     # cProfile of one page, by tottime
    .venv/bin/python bench/pages.py --profile /profil/ --sort cumulative
    .venv/bin/python bench/pages.py --profile /profil/ --dump /tmp/profil.pstats  # for pstats
    .venv/bin/python bench/pages.py --queries /binome/[id]/     # the SQL of one request of a page

Reference points in the same run: `/healthz` (answered by the 3rd middleware), an anonymous
and a signed-in `/favicon.ico` (a view that does nothing: the signed-in floor). Best of
--rounds rounds of --requests requests each. Uses DATABASE_URL's server (the world database,
seeded first if missing) and Redis at REDIS_URL (default redis://127.0.0.1:6379/6). Last line:

    pages floor_ms=<signed-in favicon> mean_ms=<mean of the participant pages> ratio=<floor / mean>
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale import SECRET_KEY, production_environment  # noqa: E402

PAGES = ("/espace/", "/binome/[id]/", "/binome/[id]/messages/", "/rendez-vous/", "/profil/")


def best_ms(client: Any, path: str, *, requests: int, rounds: int) -> float:
    """The least CPU milliseconds per request of `path` over `rounds` rounds."""
    for _ in range(20):  # warm: templates compiled, caches filled
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        best = min(best, (time.process_time() - started) / requests)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="", help="cProfile this page instead")
    parser.add_argument("--sort", default="tottime", help="--profile's order (or cumulative)")
    parser.add_argument("--queries", default="", help="print the SQL of one request of this page")
    parser.add_argument("--dump", default="", help="with --profile: also write the pstats file")
    parser.add_argument("--programmes", type=int, default=1000)
    args = parser.parse_args()

    from bench import world

    database_url = world.world_ensure(args.programmes)
    base_domain = world.world_info(database_url).get("base_domain", world.BASE_DOMAIN)
    out = Path(tempfile.mkdtemp(prefix="pages-"))
    os.environ.update(
        production_environment(
            database_url=database_url,
            base_domain=base_domain,
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
            static_root=out / "static",
            media_root=out / "media",
            workers=1,
            threads=1,
        )
    )
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)
    logging.disable(logging.CRITICAL)  # one JSON line per request would be measured too

    sample = world.world_samples(database_url, 1, roles=("mentee",))[0]

    def client() -> Client:
        return Client(secure=True, HTTP_HOST=sample.host, HTTP_X_FORWARDED_PROTO="https")

    anonymous, signed_in = client(), client()
    response = signed_in.post("/connexion/", {"username": sample.email, "password": world.PASSWORD})
    assert response.status_code == 302, response.status_code
    found = re.search(r'href="/binome/(\d+)/"', signed_in.get("/binome/").content.decode())
    pair = found.group(1) if found else ""
    pages = [p.replace("[id]", pair) for p in PAGES if pair or "[id]" not in p]

    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        path = args.queries.replace("[id]", pair or "0")
        best_ms(signed_in, path, requests=1, rounds=1)
        with CaptureQueriesContext(connection) as captured:
            signed_in.get(path)
        for number, query in enumerate(captured.captured_queries, 1):
            print(f"{number:3} {query['time']:>6}s  {query['sql']}")
        return

    if args.profile:
        path = args.profile.replace("[id]", pair or "0")
        best_ms(signed_in, path, requests=1, rounds=1)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            signed_in.get(path)
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(40)
        if args.dump:
            profile.dump_stats(args.dump)
        return

    rows = [
        ("anonymous", "/healthz", best_ms(anonymous, "/healthz", **vars_of(args))),
        ("anonymous", "/favicon.ico", best_ms(anonymous, "/favicon.ico", **vars_of(args))),
        ("signed in", "/favicon.ico", best_ms(signed_in, "/favicon.ico", **vars_of(args))),
    ]
    rows += [("signed in", page, best_ms(signed_in, page, **vars_of(args))) for page in pages]
    for who, path, ms in rows:
        print(f"  {who:10} {path:28} {ms:6.2f} ms CPU", file=sys.stderr)
    floor = rows[2][2]
    mean = sum(ms for _, _, ms in rows[3:]) / len(rows[3:])
    print(f"pages floor_ms={floor:.2f} mean_ms={mean:.2f} ratio={floor / mean:.3f}")


def vars_of(args: argparse.Namespace) -> dict[str, int]:
    return {"requests": args.requests, "rounds": args.rounds}


if __name__ == "__main__":
    main()
