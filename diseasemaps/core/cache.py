"""
The shared cache on Redis: Django's backend, with one redis-py client kept per connection pool.

Django's backend makes a new `redis.Redis` for every cache call, and each one builds redis-py's
table of response callbacks (about 170 entries): 0.1 to 0.2 ms a call, paid several times per
request (the session, the rate limits, the page cache). A client holds no connection of its own
(they are the pool's) and may be shared by threads; redis-py's pool starts afresh in a forked
process. Settings use this backend whenever CACHE_URL points at Redis.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
