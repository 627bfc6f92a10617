"""
A copy, in each process, of what it reads most from the shared cache, kept exact by Redis.

A visitor's hit on a stored page (core.pagecache) read the page and its tags' versions from
Redis on every request: one round trip, which cost a process as much CPU again as serving the
same bytes from a static file. A process now keeps the pages it serves in a `NearCache` of its
own and asks Redis nothing while they stay unchanged.

It stays exact because every change is announced. A value is kept with labels (a page's tags);
whoever changes what a label stands for publishes the label on a Redis channel (`announce`),
and every process subscribes to it. Before each read of its copy, a process takes what waits on
its subscription (a read of its own socket, which costs no round trip) and drops every value
with a label announced. So a change made on one node is seen by the next request on any node,
as it was when every request read Redis.

What could go unseen is guarded against:

- **the subscription is lost** (Redis restarted or failed over, the connection closed): the
  process drops its whole copy and reads from Redis until it has subscribed again, so no
  announcement can be missed unnoticed;
- **Redis stops answering without closing the connection** (a network partition): when its
  subscription has said nothing for `check_seconds`, the process sends a PING on it and waits
  for the answer (the connection's socket timeout) before it trusts its copy again, so such a
  loss goes unseen for at most `check_seconds`;
- **a value read from Redis just before a change and kept just after** (another thread of the
  process took the announcement in between): `put` is given the `generation` read before the
  shared read, and refuses the value if any announcement was taken since;
- **values expire** at the time they were given (a stored page's own timeout), and the copy
  holds at most `max_bytes`, dropping the least recently read first.

Only values that may be shared by everyone belong here (a visitor's page, the members'
edition): it is a copy of the shared cache, not a place for anything personal.
"""

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What `announce` publishes to drop everything (the shared cache was emptied).
EVERYTHING: list[str] = []


class NearCache:
    """
    One process's copy (see the module's docstring). `connect` makes a new Redis connection
    (redis-py's `Connection`, not yet connected) for the subscription to `channel`.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        channel: str,
        *,
        max_bytes: int,
        check_seconds: float = 1.0,
    ):
        self._connect = connect
        self.channel = channel
        self.max_bytes = max_bytes
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[Any, frozenset[str], int, float]] = OrderedDict()
        self._bytes = 0
        self._connection = None
        self._pid = os.getpid()
        self._retry_at = 0.0  # after a failed subscription, none before this (monotonic)
        self._heard_at = 0.0  # when the subscription last said anything (monotonic)
        # Counts the announcements taken (and losses of the subscription): see `put`.
        self.generation = 0

    # --- Reading and keeping ------------------------------------------------------------

    def get(self, key: str) -> Any | None:
        """The value kept for `key`, if the subscription is sound and nothing dropped it."""
        with self._lock:
            if not self._listen():
                return None
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, _labels, _size, expires = entry
            if time.time() >= expires:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return value

    def put(
        self,
        key: str,
        value: Any,
        *,
        labels: Iterable[str],
        size: int,
        expires: float,
        generation: int,
    ) -> bool:
        """
        Keep `value` (about `size` bytes) under `labels` until `expires` (a time.time()), if no
        announcement was taken since `generation` was read: else the value may be from before
        a change the copy has already heard of, and it is not kept. True if it was kept.
        """
        if size > self.max_bytes:
            return False
        with self._lock:
            if generation != self.generation or self._connection is None:
                return False
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (value, frozenset(labels), size, expires)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))
            return True

    def __len__(self) -> int:
        return len(self._entries)

    # --- The subscription -----------------------------------------------------------------

    def _listen(self) -> bool:
        """Take every announcement waiting; False while there is no sound subscription."""
        if self._pid != os.getpid():  # a forked child: the parent's socket is not its own
            self._pid, self._connection = os.getpid(), None
            self._forget()
        try:
            if self._connection is None and not self._subscribe():
                return False
            connection = self._connection
            while connection.can_read(timeout=0):
                self._take(connection.read_response(push_request=True))
            if time.monotonic() - self._heard_at > self.check_seconds:
                # Nothing heard for a while: prove the subscription alive before trusting the
                # copy (a round trip, at most once per check_seconds).
                connection.send_command("PING")
                while not self._take(connection.read_response(push_request=True)):
                    pass
            return True
        except (OSError, RedisError) as error:  # redis-py's errors, timeouts among them
            logger.warning("near cache: subscription to %s lost: %s", self.channel, error)
            self._lose()
            return False

    def _subscribe(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        connection = self._connect()
        try:
            connection.connect()
            connection.send_command("SUBSCRIBE", self.channel)
            self._take(connection.read_response(push_request=True))  # the confirmation
        except BaseException:
            connection.disconnect()
            # A Redis that cannot be reached is tried again in a second, not on every request.
            self._retry_at = time.monotonic() + 1.0
            raise
        self._connection = connection
        return True

    def _take(self, message) -> bool:
        """
        One message of the subscription: an announcement (its values are dropped), the
        SUBSCRIBE's confirmation or a PING's answer. True for the answer to a PING.
        """
        self._heard_at = time.monotonic()
        if not isinstance(message, list) or len(message) != 3:
            return True  # a PING's answer: [b"pong", b""]
        kind, _channel, data = message
        if kind != b"message":
            return False
        self.generation += 1
        try:
            labels = set(json.loads(data))
        except (ValueError, TypeError):
            labels = set()  # not ours to read: drop everything rather than guess
        if not labels:
            self._forget()
            return False
        for key in [key for key, entry in self._entries.items() if entry[1] & labels]:
            self._drop(key)
        return False

    def _lose(self) -> None:
        if self._connection is not None:
            self._connection.disconnect()
        self._connection = None
        self._forget()

    def _forget(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        self._bytes -= self._entries.pop(key)[2]


def announce(client, channel: str, labels: Iterable[str]) -> None:
    """
    Tell every process's copy that what `labels` stand for has changed (EVERYTHING: all of
    it). `client` is a redis-py client.
    """
    client.publish(channel, json.dumps(list(labels)))
