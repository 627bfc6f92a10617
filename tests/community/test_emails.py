"""
The e-mails: at once or in a summary as each member chooses, subjects that name no condition,
and the one-click unsubscribe (signed, POST without log-in, GET changes nothing).
"""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from diseasemaps.community import notify, services, tasks
from diseasemaps.community.models import Frequency, Kind, Notification
from diseasemaps.community.notify import DIGEST_SUBJECTS, SUBJECTS, Event, deliver
from diseasemaps.members import services as member_services
from tests.factories import ConditionFactory, MemberFactory, published_question

pytestmark = pytest.mark.django_db

CONDITION_NAME = "Dermatofibrosarcoma Protuberans"


@pytest.fixture
def question():
    return published_question(
        condition=ConditionFactory(name=CONDITION_NAME, slug="dfsp", abbreviation="DFSP"),
        title="What is the standard approach to treating DFSP?",
    )


def event(kind=Kind.REPLY, key="reply:1", question=None):
    text = f"Something on {question.title} ({CONDITION_NAME})" if question else "Someone replied"
    return Event(kind=kind, key=key, text=text, url="/x/", detail="What changed: DFSP imaging.")


def unsubscribe_link(message) -> str:
    return re.search(r"https?://\S+/community/unsubscribe/\S+/", message.body).group(0)


def test_each_kind_goes_out_at_once_with_a_subject_that_names_nothing(
    question, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    services.set_frequencies(
        user=member, frequencies={kind.value: Frequency.AT_ONCE for kind in Kind}
    )
    with django_capture_on_commit_callbacks(execute=True):
        for number, kind in enumerate(Kind):
            deliver(event=event(kind, f"e:{number}", question), user_ids=[member.pk])
    assert sorted(m.subject for m in mail.outbox) == sorted(SUBJECTS.values())
    for message in mail.outbox:
        assert message.to == [member.email]
        for secret in (CONDITION_NAME, "DFSP", "dfsp", question.title, "imaging"):
            assert secret not in message.subject
            assert secret not in message.body
        link = unsubscribe_link(message)
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/community/notifications/" in message.body
    assert not Notification.objects.exclude(email_due="").exists()


def test_the_headers_survive_the_queue(settings, question, django_capture_on_commit_callbacks):
    from diseasemaps.core.tasks import message_from_json, message_to_json

    member = MemberFactory()
    message = notify.build_message(
        user=member,
        subject="S",
        template="community/email/notification.txt",
        context={"kind": "reply", "open_url": "u"},
        scope=Kind.REPLY,
    )
    again = message_from_json(message_to_json(message)).message()
    assert again["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert again["List-Unsubscribe"].startswith(f"<{settings.DISEASEMAPS_SITE_URL}/community/")


def test_never_means_on_the_site_only(django_capture_on_commit_callbacks):
    member = MemberFactory()
    services.set_frequencies(user=member, frequencies={Kind.REPLY: Frequency.NEVER})
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event=event(), user_ids=[member.pk])
    assert mail.outbox == []
    assert Notification.objects.get().email_due == ""


def test_the_daily_summary_counts_what_is_new_once_per_member_and_once_per_period(
    question, django_capture_on_commit_callbacks
):
    daily, weekly, other = MemberFactory(), MemberFactory(), MemberFactory()
    services.set_frequencies(user=weekly, frequencies={Kind.NEW_EXPERIENCE: Frequency.WEEKLY})
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            deliver(
                event=event(Kind.NEW_EXPERIENCE, f"experience:{number}", question),
                user_ids=[daily.pk, weekly.pk],
            )
        deliver(event=event(Kind.NEW_ANSWER, "answer:1", question), user_ids=[daily.pk])
    assert mail.outbox == []  # both kinds wait for a summary by default

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests.enqueue(on="2026-12-01").return_value == 1
    (message,) = mail.outbox
    assert message.to == [daily.email]
    assert message.subject == DIGEST_SUBJECTS[Frequency.DAILY]
    assert "3 new experiences on what you follow" in message.body
    assert "1 new reviewed answer on what you follow" in message.body
    assert CONDITION_NAME not in message.body
    assert question.title not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests.enqueue(on="2026-12-02").return_value == 0
    assert len(mail.outbox) == 1
    assert other.email not in {m.to[0] for m in mail.outbox}


def test_the_weekly_summary_goes_on_its_weekday_only(
    settings, question, django_capture_on_commit_callbacks
):
    settings.DISEASEMAPS_WEEKLY_DIGEST_WEEKDAY = 0
    member = MemberFactory()
    services.set_frequencies(user=member, frequencies={Kind.NEW_EXPERIENCE: Frequency.WEEKLY})
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event=event(Kind.NEW_EXPERIENCE, "experience:9", question), user_ids=[member.pk])
        assert tasks.send_daily_digests.enqueue(on="2026-12-01").return_value == 0
        tuesday = datetime.date(2026, 12, 1)
        assert tasks.send_weekly_digests.enqueue(on=tuesday.isoformat()).return_value == 0
        monday = datetime.date(2026, 12, 7)
        assert tasks.send_weekly_digests.enqueue(on=monday.isoformat()).return_value == 1
        assert tasks.send_weekly_digests.enqueue(on="2026-12-14").return_value == 0
    (message,) = mail.outbox
    assert message.subject == DIGEST_SUBJECTS[Frequency.WEEKLY]
    assert "This week" in message.body


def test_changing_the_choice_moves_what_waits_for_a_summary(question):
    member = MemberFactory()
    deliver(event=event(Kind.NEW_EXPERIENCE, "experience:1", question), user_ids=[member.pk])
    services.set_frequencies(user=member, frequencies={Kind.NEW_EXPERIENCE: Frequency.WEEKLY})
    assert Notification.objects.get().email_due == Frequency.WEEKLY
    services.set_frequencies(user=member, frequencies={Kind.NEW_EXPERIENCE: Frequency.NEVER})
    assert Notification.objects.get().email_due == ""


# --- Unsubscribing ------------------------------------------------------------------------------


def test_the_one_click_post_unsubscribes_without_a_log_in(django_capture_on_commit_callbacks):
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event=event(), user_ids=[member.pk])
    link = unsubscribe_link(mail.outbox[0]).split("testserver", 1)[-1]
    path = "/" + link.split("/", 3)[3]
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert services.frequencies_of(member)[Kind.REPLY] == Frequency.NEVER
    assert services.frequencies_of(member)[Kind.ANSWER_REVIEWED] == Frequency.AT_ONCE


def test_opening_the_link_asks_first_and_changes_nothing():
    member = MemberFactory()
    path = reverse(
        "community:unsubscribe",
        kwargs={"token": services.unsubscribe_token(user=member, scope=Kind.REPLY)},
    )
    client = Client()
    for method in (client.get, client.head):
        response = method(path)
        assert response.status_code == 200
    assert services.frequencies_of(member)[Kind.REPLY] == Frequency.AT_ONCE
    page = client.get(path).content.decode()
    assert "Unsubscribe</button>" in page
    assert f'action="{path}"' in page
    done = client.post(path)
    assert "You are unsubscribed" in done.content.decode()
    assert services.frequencies_of(member)[Kind.REPLY] == Frequency.NEVER


def test_a_summary_link_stops_every_kind_in_that_summary():
    member = MemberFactory()
    services.set_frequencies(user=member, frequencies={Kind.REPLY: Frequency.DAILY})
    path = reverse(
        "community:unsubscribe",
        kwargs={"token": services.unsubscribe_token(user=member, scope=Frequency.DAILY)},
    )
    Client().post(path)
    chosen = services.frequencies_of(member)
    assert chosen[Kind.REPLY] == chosen[Kind.NEW_EXPERIENCE] == chosen[Kind.NEW_ANSWER] == "never"
    assert chosen[Kind.ANSWER_REVIEWED] == Frequency.AT_ONCE


def test_a_changed_or_foreign_link_is_refused():
    member, other = MemberFactory(), MemberFactory()
    token = services.unsubscribe_token(user=member, scope=Kind.REPLY)
    forged = services.unsubscribe_token(user=other, scope=Kind.REPLY)
    tampered = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        forged.split(":")[0] + ":" + token.split(":", 1)[1],
        "not-a-token",
    ]
    from django.core import signing

    tampered.append(signing.dumps({"u": member.pk, "s": "reply"}, salt="another purpose"))
    tampered.append(
        signing.dumps({"u": member.pk, "s": "everything"}, salt=services.UNSUBSCRIBE_SALT)
    )
    for bad in tampered:
        path = reverse("community:unsubscribe", kwargs={"token": bad})
        assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 400
        assert Client().get(path).status_code == 400
    assert services.frequencies_of(member)[Kind.REPLY] == Frequency.AT_ONCE
    assert services.frequencies_of(other)[Kind.REPLY] == Frequency.AT_ONCE


# --- Export and erasure -------------------------------------------------------------------------


def test_follows_notifications_and_choices_are_exported_and_erased(question):
    member = MemberFactory()
    services.follow(user=member, question=question)
    services.follow(user=member, condition=question.condition)
    services.set_frequencies(user=member, frequencies={Kind.REPLY: Frequency.WEEKLY})
    deliver(event=event(), user_ids=[member.pk])
    other = MemberFactory()
    services.follow(user=other, question=question)

    data = member_services.export_data(user=member)
    assert len(data["community.Follow"]) == 2
    assert data["community.Notification"][0]["text"] == "Someone replied"
    assert data["community.EmailPreference"] == [
        {
            "kind": "reply",
            "frequency": "weekly",
            "updated_at": data["community.EmailPreference"][0]["updated_at"],
        }
    ]

    member_services.erase_account(user=member, keep_posts=False)
    from diseasemaps.community.models import EmailPreference, Follow

    assert not Follow.objects.filter(user_id=member.pk).exists()
    assert not Notification.objects.filter(user_id=member.pk).exists()
    assert not EmailPreference.objects.filter(user_id=member.pk).exists()
    assert Follow.objects.filter(user=other).count() == 1
