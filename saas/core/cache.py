"""The Redis cache backend of every environment that has Redis (settings `CACHES`).

Django's `RedisCache` builds a new `redis.Redis` client for every cache operation
(`RedisCacheClient.get_client`), and each client builds its table of ~170 response callbacks:
a signed-in page makes 2–4 cache calls, so the clients cost more CPU than the round trips'
own Python. A `redis.Redis` client holds no connection of its own (the pool lends one per
command) and is safe to share between threads, so one client per connection pool serves
them all. After a fork (gunicorn's preloaded master), redis-py's pool notices the new pid
and opens fresh connections; the shared client follows its pool.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers (the stubs leave them out): which server, and its pool.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache with one client per connection pool (see the module)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
