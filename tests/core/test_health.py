"""/health/: what a load balancer polls. Answered before host checks and HTTPS redirects."""

import socket

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client

pytestmark = pytest.mark.django_db


class UnreachableStorage(FileSystemStorage):
    def exists(self, name):
        raise ConnectionError("the storage does not answer")


def poll(**extra):
    """As a load balancer asks: plain HTTP, by the instance's own address."""
    return Client(HTTP_HOST="10.0.0.7:8000", **extra).get("/health/")


def test_health_is_ok_when_everything_answers_even_by_address_and_over_http(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["diseasemaps.example"]
    response = poll()
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_other_pages_keep_their_host_check_and_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["diseasemaps.example"]
    assert Client(HTTP_HOST="10.0.0.7:8000").get("/").status_code == 400
    assert Client(HTTP_HOST="diseasemaps.example").get("/").status_code == 301


def test_health_names_the_cache_when_it_cannot_be_reached(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "diseasemaps.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = poll()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "unavailable", "storage": "ok"},
    }


def test_health_names_the_storage_when_it_does_not_answer(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.core.test_health.UnreachableStorage"},
    }
    response = poll()
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "storage": "unavailable",
    }


def test_health_costs_no_session_or_user_lookup(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # the database check's SELECT 1, nothing else
        assert poll().status_code == 200
