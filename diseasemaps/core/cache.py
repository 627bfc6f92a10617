"""
The shared cache on Redis: Django's backend, with one Redis client per connection pool, a
leaner read of many keys (a visitor's hit on a stored page is one) and a quicker read of what
it stored.

Django makes a new `redis.Redis` for every cache operation, and each one builds its table of
several hundred command callbacks (about 60 µs, as long as the round trip to Redis itself).
A client holds no connection of its own (it takes one from the pool for each command) and is
safe to share between threads, so each pool's client is made once per process.
"""

import pickle

from django.core.cache.backends import redis

# Every pickle of protocol 2 or later starts with the PROTO opcode.
PICKLE_START = b"\x80"


class RedisSerializer(redis.RedisSerializer):
    """
    Django's, which stores integers as they are (for INCR) and everything else pickled, but
    reads a pickle without first trying it as an integer: the failed int() raised an exception
    and formatted a repr of the value on every read of a stored page.
    """

    def loads(self, data):
        if data[:1] == PICKLE_START:
            return pickle.loads(data)  # noqa: S301 (only what this cache stored)
        return super().loads(data)


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, servers, serializer=None, **options):
        super().__init__(servers, serializer=serializer or RedisSerializer, **options)
        self._clients = {}

    def get_many(self, keys):
        """
        One MGET on a connection from the pool, without the client's layers around each
        command (retries, metrics, events), which cost as much again as the command itself:
        every visitor's hit on a stored page is one of these. A connection that fails is
        dropped and the read made again the client's way, with its retries.
        """
        keys = list(keys)
        if not keys:
            return {}
        pool = self._get_connection_pool(write=False)
        connection = pool.get_connection()
        try:
            connection.send_command("MGET", *keys)
            values = connection.read_response()
        except (self._lib.ConnectionError, self._lib.TimeoutError):
            connection.disconnect()
            return super().get_many(keys)
        except BaseException:
            connection.disconnect()  # it may still hold part of the answer
            raise
        finally:
            pool.release(connection)
        loads = self._serializer.loads
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # The pools live as long as the cache, so their ids are never reused for another.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """settings.CACHES' backend when CACHE_URL names Redis."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
