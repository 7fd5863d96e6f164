"""The Celery application of bench/jobs.py: the project's own (saas.celery: tenant-aware,
same settings, same tasks) with the bench's queue as the default one, and counters in Redis
that tell the bench when every task sent has finished.

    celery -A bench.jobs_worker worker -Q $BENCH_JOBS_QUEUE -c 1

Every process that imports it (the bench, which plays beat, and each worker) counts in Redis,
under `bench:jobs:<BENCH_JOBS_RUN>:`: `published` (after_task_publish: the beat tasks, the
tasks they fan out, the emails those queue, retries), `done` (task_postrun, whatever the
outcome), `errors` (task_failure), `ready` (worker_ready), and per task name the count and the
seconds spent (`names`, `seconds`).
"""

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from celery import signals  # noqa: E402

from saas.celery import app  # noqa: E402

QUEUE = os.environ.get("BENCH_JOBS_QUEUE", "bench_jobs")
RUN = os.environ.get("BENCH_JOBS_RUN", "0")
PREFIX = f"bench:jobs:{RUN}:"
counters = redis.Redis.from_url(
    os.environ.get("BENCH_JOBS_REDIS_URL", "redis://127.0.0.1:6379/5"), decode_responses=True
)

app.conf.task_default_queue = QUEUE
app.conf.task_default_exchange = QUEUE
app.conf.task_default_routing_key = QUEUE
app.conf.worker_hijack_root_logger = False

_started: dict[str, float] = {}


@signals.after_task_publish.connect(weak=False)
def _published(sender: str | None = None, **kwargs: Any) -> None:
    counters.incr(PREFIX + "published")


@signals.task_prerun.connect(weak=False)
def _prerun(task_id: str = "", **kwargs: Any) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect(weak=False)
def _postrun(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    spent = time.perf_counter() - _started.pop(task_id, time.perf_counter())
    name = getattr(task, "name", "?")
    with counters.pipeline() as pipe:
        pipe.hincrby(PREFIX + "names", name, 1)
        pipe.hincrbyfloat(PREFIX + "seconds", name, spent)
        pipe.incr(PREFIX + "done")
        pipe.execute()


@signals.task_failure.connect(weak=False)
def _failure(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    counters.incr(PREFIX + "errors")
    counters.rpush(PREFIX + "failures", f"{getattr(sender, 'name', '?')}: {exception!r}"[:500])


@signals.worker_ready.connect(weak=False)
def _ready(**kwargs: Any) -> None:
    counters.incr(PREFIX + "ready")
