import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from diseasemaps.answers import services
from diseasemaps.core.services import Role
from tests.factories import ReviewerFactory, StaffFactory, published_question

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)


def remind(**arguments) -> int:
    """The service, with the e-mails it queues on commit sent as the commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.send_review_reminders(**arguments)


def _live(*, due: datetime.date, reviewer, **question_fields):
    """A live answer due on `due`, last reviewed by `reviewer` (the factory's own one retires)."""
    question = published_question(**question_fields)
    revision = question.live_revision
    revision.reviewer.is_active = False
    revision.reviewer.save()
    revision.next_review_on = due
    revision.reviewer = reviewer
    revision.save()
    return revision


def test_each_reviewer_gets_their_own_due_and_overdue_answers():
    first, second = ReviewerFactory(), ReviewerFactory()
    overdue = _live(due=datetime.date(2026, 11, 1), reviewer=first)
    due = _live(due=datetime.date(2026, 12, 10), reviewer=first)
    _live(due=datetime.date(2027, 6, 1), reviewer=first)  # not yet due
    others = _live(due=datetime.date(2026, 12, 1), reviewer=second)
    sent = remind(today=TODAY, within_days=30)
    assert sent == 2
    by_person = {message.to[0]: message for message in mail.outbox}
    body = by_person[first.email].body
    assert overdue.question.title in body
    assert due.question.title in body
    assert body.index("Overdue:") < body.index(overdue.question.title) < body.index("Due soon:")
    assert "due 1 November 2026" in body
    assert "due 10 December 2026" in body
    assert others.question.title not in body
    assert by_person[first.email].subject == (
        "DiseaseMaps: 2 answers need a medical review (1 overdue)"
    )
    assert others.question.title in by_person[second.email].body


def test_reminder_subjects_never_name_a_condition_or_question():
    reviewer = ReviewerFactory()
    revision = _live(
        due=datetime.date(2026, 11, 1), reviewer=reviewer, condition__name="Rare Syndrome"
    )
    remind(today=TODAY, within_days=30)
    (message,) = mail.outbox
    assert "Rare Syndrome" in message.body
    for private in ("Rare Syndrome", revision.question.title, revision.question.condition.slug):
        assert private not in message.subject


def test_an_answer_whose_reviewer_left_goes_to_every_reviewer():
    departed = ReviewerFactory(is_active=False)
    revision = _live(due=datetime.date(2026, 11, 1), reviewer=departed)
    first, second = ReviewerFactory(), ReviewerFactory()
    StaffFactory(roles=[Role.EDITOR])  # editors get no reminders
    assert remind(today=TODAY, within_days=30) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert all(revision.question.title in m.body for m in mail.outbox)


def test_nothing_due_sends_nothing():
    _live(due=datetime.date(2027, 6, 1), reviewer=ReviewerFactory())
    assert remind(today=TODAY, within_days=30) == 0
    assert mail.outbox == []


def test_the_command_uses_the_reminder_window(settings):
    settings.DISEASEMAPS_REVIEW_REMINDER_DAYS = 400
    reviewer = ReviewerFactory()
    _live(due=datetime.date(2027, 6, 1), reviewer=reviewer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_review_reminders", verbosity=0)
    assert [m.to for m in mail.outbox] == [[reviewer.email]]


@pytest.mark.parametrize(
    ("due", "overdue", "subject"),
    [
        (1, 0, "DiseaseMaps: 1 answer needs a medical review"),
        (0, 1, "DiseaseMaps: 1 answer needs a medical review (1 overdue)"),
        (3, 2, "DiseaseMaps: 5 answers need a medical review (2 overdue)"),
    ],
)
def test_the_subject_gives_counts_only(due, overdue, subject):
    assert services.reminder_subject(due=due, overdue=overdue) == subject
