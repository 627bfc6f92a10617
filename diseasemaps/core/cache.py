"""
The shared cache on Redis: Django's backend, with one Redis client per connection pool, a
leaner read of one key or many (a visitor's hit on a stored page, a member's session), a
leaner transaction (a member's read limits), a quicker read of what it stored, and each
process's near cache of it (core.nearcache), told of changes on a channel.

Django makes a new `redis.Redis` for every cache operation, and each one builds its table of
several hundred command callbacks (about 60 µs, as long as the round trip to Redis itself).
A client holds no connection of its own (it takes one from the pool for each command) and is
safe to share between threads, so each pool's client is made once per process.
"""

import pickle
import threading

from django.core.cache.backends import redis

from diseasemaps.core import nearcache

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

    def get(self, key, default):
        """One key, read as `get_many` reads: each member's session is one."""
        return self.get_many([key]).get(key, default)

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

    def transaction(self, commands):
        """
        The replies to `commands` (tuples such as ("INCR", key)) run in one MULTI/EXEC, the
        same lean way as `get_many`: each member's page counts its reads in one. A connection
        that fails is dropped and the commands sent again through the client's own pipeline,
        with its retries (so, as with those, a transaction whose answer was lost may have run
        twice). An error in a command is raised, as the pipeline raises it.
        """
        pool = self._get_connection_pool(write=True)
        connection = pool.get_connection()
        try:
            connection.send_packed_command(
                connection.pack_commands([("MULTI",), *commands, ("EXEC",)])
            )
            for _ in range(len(commands) + 1):  # MULTI's OK and each command's QUEUED
                connection.read_response()
            replies = connection.read_response()
        except (self._lib.ConnectionError, self._lib.TimeoutError):
            connection.disconnect()
            return self._transaction_through_client(commands)
        except BaseException:
            connection.disconnect()  # it may still hold part of the answer
            raise
        finally:
            pool.release(connection)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return replies

    def _transaction_through_client(self, commands):
        with self.get_client(write=True).pipeline(transaction=True) as pipeline:
            for command in commands:
                pipeline.execute_command(*command)
            return pipeline.execute()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # The pools live as long as the cache, so their ids are never reused for another.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


# Each process's near caches, by the cache they copy: Django makes a cache object per thread,
# and a process's threads share one copy.
_near_caches: dict[tuple, nearcache.NearCache] = {}
_near_caches_lock = threading.Lock()


class RedisCache(redis.RedisCache):
    """settings.CACHES' backend when CACHE_URL names Redis."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def near_cache(self, *, max_bytes: int) -> nearcache.NearCache:
        """This process's near cache of this cache (core.nearcache), holding up to max_bytes."""
        identity = (tuple(self._servers), self.key_prefix, self.version)
        with _near_caches_lock:
            near = _near_caches.get(identity)
            if near is None or near.max_bytes != max_bytes:
                near = _near_caches[identity] = nearcache.NearCache(
                    self._subscription_connection, self._channel(), max_bytes=max_bytes
                )
            return near

    def transaction(self, commands) -> list:
        """The replies to Redis `commands`, run in one MULTI/EXEC (RedisCacheClient)."""
        return self._cache.transaction(commands)

    def announce(self, labels) -> None:
        """Tell every process's near cache that what `labels` stand for has changed."""
        nearcache.announce(self._cache.get_client(write=True), self._channel(), labels)

    def clear(self):
        super().clear()
        self.announce(nearcache.EVERYTHING)

    def _channel(self) -> str:
        return self.make_key("nearcache")

    def _subscription_connection(self):
        """
        A new connection to the primary, with the cache's own options, and a timeout even if
        they set none: a near cache waits for its subscription's answers (core.nearcache).
        """
        pool = self._cache._get_connection_pool(write=True)
        options = dict(pool.connection_kwargs)
        options["socket_timeout"] = options.get("socket_timeout") or 1.0
        options["socket_connect_timeout"] = options.get("socket_connect_timeout") or 1.0
        return pool.connection_class(**options)
