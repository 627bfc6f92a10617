import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from diseasemaps.answers.models import Question
from diseasemaps.core.demo import DEMO_STAFF_PASSWORD, demo_totp_codes
from diseasemaps.members.models import User

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list]:
    """Every row of every table of ours, to compare before and after."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "admin", "contenttypes"}:
            continue
        rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def test_loading_the_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    first = _snapshot()
    call_command("load_demo_content", verbosity=0)
    assert _snapshot() == first
    assert len(first["answers.AnswerRevision"]) == 1
    assert len(first["experiences.Experience"]) == 2


def test_the_demo_page_shows_the_seed_figures_computed_from_the_database(client, settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    question = Question.objects.published().get(condition__slug="dfsp")
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert "What is the standard approach to treating Dermatofibrosarcoma Protuberans?" in html
    assert (
        "2 people with Dermatofibrosarcoma Protuberans (DFSP) have shared their first-person "
        "experience on this question at DiseaseMaps." in html
    )
    assert "172 members of the DiseaseMaps community living with this condition" in html
    assert 'Last updated: <time datetime="2026-05-08">8 May 2026</time>' in html
    assert "Imatinib mesylate" in html
    # The figure is the template's, never typed into the reviewed text.
    assert "172" not in question.live_revision.body


def test_demo_staff_can_log_in_when_debug_is_on(client, settings):
    settings.DEBUG = True
    call_command("load_demo_content", verbosity=0)
    email = "editor@demo.diseasemaps.example"
    response = client.post(
        reverse("account_login"), {"login": email, "password": DEMO_STAFF_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")  # staff use a second factor
    code = next(code for spec, _, code in demo_totp_codes() if spec.email == email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_with_debug_off_no_staff_login_is_made_and_the_content_still_loads(client, capsys):
    call_command("load_demo_content")
    assert "DEBUG is off" in capsys.readouterr().err
    assert not [u for u in User.objects.all() if u.has_usable_password()]
    assert not User.objects.filter(is_staff=True).exists()
    question = Question.objects.published().get(condition__slug="dfsp")
    assert client.get(question.get_absolute_url()).status_code == 200
