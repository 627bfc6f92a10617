from django.test import RequestFactory

from diseasemaps.core.ratelimit import RateLimit, client_ip, request_key


def test_attempts_over_the_limit_are_refused(db):
    limit = RateLimit("test-form", limit=3, period=60)
    results = [limit.hit("ip:1.2.3.4") for _ in range(5)]
    assert results == [False, False, False, True, True]


def test_each_key_has_its_own_count(db):
    limit = RateLimit("test-form", limit=1, period=60)
    assert limit.hit("ip:1.1.1.1") is False
    assert limit.hit("ip:2.2.2.2") is False
    assert limit.hit("ip:1.1.1.1") is True


def test_scopes_do_not_share_counts(db):
    RateLimit("a", limit=1, period=60).hit("k")
    assert RateLimit("b", limit=1, period=60).hit("k") is False


def test_reset_starts_a_new_window(db):
    limit = RateLimit("test-form", limit=1, period=60)
    limit.hit("k")
    limit.reset("k")
    assert limit.hit("k") is False


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.1"


def test_with_one_trusted_proxy_the_last_forwarded_address_is_the_client(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    # 6.6.6.6 was written by the client itself and cannot be trusted.
    assert client_ip(request) == "203.0.113.7"


def test_with_two_trusted_proxies_the_client_is_second_from_the_right(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"


def test_a_short_forwarded_header_falls_back_to_the_remote_address(settings):
    settings.DISEASEMAPS_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.1"


def test_request_key_names_the_member_when_logged_in(member):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    request.user = member
    assert request_key(request) == f"user:{member.pk}"
