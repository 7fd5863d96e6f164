"""The Redis cache backend (saas.core.cache): one redis-py client per connection pool instead
of one per cache call, still correct across threads and across gunicorn's fork."""

import os
import threading
import uuid

import pytest

from saas.core.cache import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server (TEST_REDIS_URL)")


def a_cache(url: str | None = None) -> RedisCache:
    return RedisCache(
        url or REDIS_URL or "redis://127.0.0.1:1/0",  # nothing listens on port 1
        {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}", "TIMEOUT": 60},
    )


def test_every_cache_call_shares_one_client_per_pool():
    # given the backend (building a client opens no connection: no server needed)
    client = a_cache()._cache
    # when it is asked for a client to read, then to write, then to read again
    first, writer, again = client.get_client(), client.get_client(write=True), client.get_client()
    # then it is the same redis-py client, on the same pool (one server: reads and writes share it)
    assert first is writer is again
    assert first.connection_pool is client._get_connection_pool(False)


def test_django_builds_a_client_per_call_which_is_what_this_backend_avoids():
    # the reason for the backend: should Django reuse its clients one day, this fails and the
    # subclass can go
    from django.core.cache.backends.redis import RedisCacheClient

    django_client = RedisCacheClient(["redis://127.0.0.1:1/0"])
    assert django_client.get_client() is not django_client.get_client()


@needs_redis
def test_values_round_trip_from_many_threads_at_once():
    # given one cache shared by 8 threads, as gunicorn's gthread workers share it
    cache = a_cache()
    cache.set("counter", 0)
    failures: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for step in range(50):
                key = f"t{number}-{step}"
                cache.set(key, {"thread": number, "step": step})
                assert cache.get(key) == {"thread": number, "step": step}
                cache.incr("counter")
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every value read back is the one written, and no increment was lost
    assert failures == []
    assert cache.get("counter") == 8 * 50
    cache.clear()


@needs_redis
def test_a_forked_worker_talks_to_redis_on_its_own_connections():
    # given a cache used in the parent (gunicorn's master loads the app before forking)
    cache = a_cache()
    cache.set("before-fork", "parent")
    parent_client = cache._cache.get_client()
    # when a forked child uses the same (shared) client
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it read, then leave without running pytest's exit
        try:
            ok = cache.get("before-fork") == "parent"
            cache.set("from-child", os.getpid())
            os.write(write, b"ok" if ok else b"bad")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 10)
    os.waitpid(pid, 0)
    # then the child read and wrote through its own connection (redis-py's pool checks the
    # pid), and the parent's connection still answers
    assert answer == b"ok"
    assert cache.get("from-child") == pid
    assert cache._cache.get_client() is parent_client
    cache.clear()


def test_production_settings_use_this_backend_for_both_caches():
    import json

    from saas.tests.test_production_settings import run_with

    probe = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({a: c['BACKEND'] for a, c in settings.CACHES.items()}))"
    )
    result = run_with({}, "-c", probe)
    assert result.returncode == 0, result.stderr
    backends = json.loads(result.stdout.strip().splitlines()[-1])
    assert backends == {
        "default": "saas.core.cache.RedisCache",
        "global": "saas.core.cache.RedisCache",
    }
