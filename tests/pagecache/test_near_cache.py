"""
Each process's near cache of the stored pages (core.nearcache), on a real Redis of the test's
own: a hit reads nothing from Redis, every change announced on any process drops what showed
it, and a lost or silent subscription never leaves a stale page served.
"""

import os
import signal
import time

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from diseasemaps.answers.models import AnswerRevision
from diseasemaps.core import pagecache
from diseasemaps.core.nearcache import NearCache
from tests.factories import ReviewerFactory, StaffFactory, published_question
from tests.pagecache.test_page_cache import _publish_new_text
from tests.services import redis_server


@pytest.fixture
def own_redis(settings):
    """The default cache on a Redis only this test uses, so that its commands can be counted."""
    with redis_server() as url:
        settings.CACHES = {
            "default": {"BACKEND": "diseasemaps.core.cache.RedisCache", "LOCATION": url}
        }
        yield url, redis.Redis.from_url(url)


def _calls(client: redis.Redis, command: str) -> int:
    return client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)


def _near(url: str, **options) -> NearCache:
    """A near cache as another process would have, on the same Redis and channel."""
    cache = caches["default"]
    return NearCache(
        cache._subscription_connection,
        cache.make_key("nearcache"),
        max_bytes=options.pop("max_bytes", 1_000_000),
        **options,
    )


def _keep(near: NearCache, key: str, value, *labels: str, size: int = 100) -> bool:
    near.get(key)  # subscribes
    return near.put(
        key, value, labels=labels, size=size, expires=time.time() + 60, generation=near.generation
    )


@pytest.mark.django_db
def test_a_visitors_hit_reads_nothing_from_redis_once_the_process_has_the_page(own_redis):
    _url, client = own_redis
    question = published_question(title="How is it treated?")
    address = question.get_absolute_url()
    first = Client().get(address)  # made, stored in Redis and kept by this process
    reads = _calls(client, "mget")
    for _ in range(5):
        again = Client().get(address)
        assert again.content == first.content
    assert _calls(client, "mget") == reads
    assert again["ETag"] == first["ETag"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only  # reason: the publication is committed, as in production
def test_publishing_refreshes_the_page_a_process_keeps(own_redis):
    question = published_question(title="Is it treated with surgery?")
    address = question.get_absolute_url()
    assert "A short answer." in Client().get(address).content.decode()
    # Changed behind the cache's back (no signal, so no announcement): the copy is served.
    AnswerRevision.objects.filter(pk=question.live_revision_id).update(short_answer="Unseen.")
    assert "A short answer." in Client().get(address).content.decode()
    _publish_new_text(question, StaffFactory(roles=["Editor"]), ReviewerFactory(), "New text.")
    assert "New text." in Client().get(address).content.decode()


@pytest.mark.django_db
def test_a_page_made_or_read_elsewhere_is_kept_and_dropped_on_announcement(own_redis):
    url, client = own_redis
    question = published_question()
    address = question.get_absolute_url()
    Client().get(address)
    reads = _calls(client, "mget")
    # Another process's change to this question: announced, so this process reads Redis again.
    pagecache.invalidate(pagecache.tag("question", question.condition.slug, question.slug))
    Client().get(address)
    assert _calls(client, "mget") == reads + 1
    # A change to another question's page leaves this one kept.
    pagecache.invalidate(pagecache.tag("question", "other", "page"))
    Client().get(address)
    assert _calls(client, "mget") == reads + 1


def test_an_announcement_from_another_process_drops_only_what_shows_it(own_redis):
    url, _client = own_redis
    here, there = _near(url), _near(url)
    assert _keep(here, "page-a", "A", "all", "question:a")
    assert _keep(here, "page-b", "B", "all", "question:b")
    caches["default"].announce(["question:a"])  # as pagecache.invalidate on any process
    time.sleep(0.05)
    assert here.get("page-a") is None
    assert here.get("page-b") == "B"
    # Emptying the shared cache empties every copy.
    assert _keep(there, "page-c", "C", "all")
    caches["default"].clear()
    time.sleep(0.05)
    assert here.get("page-b") is None
    assert there.get("page-c") is None


def test_a_value_read_before_an_announcement_another_thread_took_is_not_kept(own_redis):
    url, _client = own_redis
    near = _near(url)
    near.get("page")  # subscribes
    read_before = near.generation  # a thread reads this, then the page from Redis...
    caches["default"].announce(["question:a"])
    time.sleep(0.05)
    near.get("other")  # ...while another thread takes the announcement
    kept = near.put(
        "page", "old", labels=["question:a"], size=10, expires=time.time() + 60,
        generation=read_before,
    )  # fmt: skip
    assert kept is False
    assert near.get("page") is None


def test_a_lost_subscription_empties_the_copy_and_is_made_again(own_redis):
    url, client = own_redis
    near = _near(url)
    assert _keep(near, "page", "P", "all")
    # Redis closes the subscription (a restart, a failover): announcements could be missed.
    assert client.client_kill_filter(_type="pubsub") == 1
    time.sleep(0.05)
    assert near.get("page") is None
    assert len(near) == 0
    # The next read subscribes again, and the copy fills and is told of changes as before.
    assert _keep(near, "page", "P2", "all")
    assert near.get("page") == "P2"
    caches["default"].announce(["all"])
    time.sleep(0.05)
    assert near.get("page") is None


def test_a_redis_that_stops_answering_is_noticed_before_the_copy_is_trusted(own_redis):
    url, client = own_redis
    near = _near(url, check_seconds=0.2)
    assert _keep(near, "page", "P", "all")
    assert near.get("page") == "P"
    # Redis stops answering without closing its connections, as behind a network partition.
    server = client.info("server")["process_id"]
    os.kill(server, signal.SIGSTOP)
    try:
        time.sleep(0.3)
        started = time.monotonic()
        assert near.get("page") is None  # the PING went unanswered: the copy is not used
        assert time.monotonic() - started < 2  # within the 1 s socket timeout
        assert len(near) == 0
    finally:
        os.kill(server, signal.SIGCONT)
    assert _keep(near, "page", "P2", "all")  # subscribed again once Redis answers


def test_the_copy_holds_at_most_its_bytes_and_nothing_past_its_expiry(own_redis):
    url, _client = own_redis
    near = _near(url, max_bytes=250)
    assert _keep(near, "a", "A", "all")
    assert _keep(near, "b", "B", "all")
    near.get("a")  # read last: "b" is the least recently read
    assert _keep(near, "c", "C", "all")
    assert near.get("b") is None
    assert (near.get("a"), near.get("c")) == ("A", "C")
    assert _keep(near, "huge", "H", "all", size=251) is False
    near.put("soon", "S", labels=["all"], size=10, expires=time.time() + 0.1,
             generation=near.generation)  # fmt: skip
    assert near.get("soon") == "S"
    time.sleep(0.15)
    assert near.get("soon") is None
