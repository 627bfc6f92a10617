"""
Each page's queries, pinned: the same number on a small site and on one with a hundred times
as many conditions, members and experiences (written in bulk, then `recount_figures`, as a
bulk loader does), for a visitor and for a logged-in member. The figures the pages show are
stored (experiences/figures.py, members/figures.py), so no page counts rows per request.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diseasemaps.answers.models import AnswerRevision, Question
from diseasemaps.conditions.models import Condition, index_letter_for
from diseasemaps.experiences.models import Experience, render_experience_markdown
from diseasemaps.members import pseudonyms
from diseasemaps.members.models import HealthDataConsent, MemberCondition, MemberProfile, User
from diseasemaps.pages.figures import recount_figures
from diseasemaps.search.services import rebuild_search_index
from tests.factories import TreatmentFactory, published_question

pytestmark = pytest.mark.django_db


# At 1×: conditions, members (each living with the question's condition), posts on it, and
# more questions on the condition answered by the question's reviewer.
CONDITIONS, MEMBERS, EXPERIENCES, QUESTIONS = 3, 5, 6, 2

# Queries per page. A visitor: home (reviewed answers, largest communities); A–Z (letters,
# count, the page, its aliases); a condition (the condition, its aliases, its questions, recent
# posts, their treatments, their replies); a question (the question, its sources, the
# condition's treatments, a page of posts, their treatments, their replies); a reviewer (the
# profile, the count of their answers, a page of them); a search (the rate limiter's count,
# the page of matches ranked and counted, their documents). A member adds the session and the
# account and their unread notifications (every page), the two read limits and whether they
# follow it (condition and question pages); on the question page, one query reads what is
# theirs (following, unread, waiting posts: pages.editions.viewer_state).
VISITOR = {"home": 2, "a-z": 4, "condition": 6, "question": 6, "reviewer": 3, "search": 3}
MEMBER = {"home": 5, "a-z": 7, "condition": 12, "question": 11, "reviewer": 6, "search": 6}


def _add(scale: int, question, batch: str) -> None:
    """`scale` × the small site's rows, in bulk."""
    condition = question.condition
    names = [f"{chr(ord('A') + n % 26)}-condition {batch}-{n}" for n in range(CONDITIONS * scale)]
    Condition.objects.bulk_create(
        Condition(
            name=name,
            slug=f"condition-{batch}-{n}",
            summary="A condition.",
            index_letter=index_letter_for(name),
        )
        for n, name in enumerate(names)
    )
    users = User.objects.bulk_create(
        User(email=f"member-{batch}-{n}@example.org") for n in range(MEMBERS * scale)
    )
    profiles = []
    for user in users:
        profile = MemberProfile(user=user)
        profile.set_display_name(pseudonyms.clean(f"Member{batch}x{user.pk}"))
        profiles.append(profile)
    MemberProfile.objects.bulk_create(profiles)
    consents = HealthDataConsent.objects.bulk_create(
        HealthDataConsent(
            user=user,
            condition=condition,
            purpose=HealthDataConsent.Purpose.MEMBER_CONDITION,
            notice_version="2026-01-01",
        )
        for user in users
    )
    MemberCondition.objects.bulk_create(
        MemberCondition(user=user, condition=condition, consent=consent, is_counted=True)
        for user, consent in zip(users, consents, strict=True)
    )
    body = "What happened to me after the diagnosis, and what helped."
    posts = Experience.objects.bulk_create(
        Experience(
            condition=condition,
            question=question,
            author=users[n % len(users)],
            written_as=MemberCondition.Relationship.LIVING_WITH,
            status=Experience.Status.APPROVED,
            approved_at=timezone.now(),
            body=body,
            body_html=render_experience_markdown(body),
        )
        for n in range(EXPERIENCES * scale)
    )
    treatment = condition.treatments.first()
    Experience.treatments.through.objects.bulk_create(
        Experience.treatments.through(experience=post, treatment=treatment) for post in posts[::2]
    )
    reviewed = Question.objects.bulk_create(
        Question(condition=condition, title=f"What about {batch} {n}?", slug=f"about-{batch}-{n}")
        for n in range(QUESTIONS * scale)
    )
    live = AnswerRevision.objects.bulk_create(
        AnswerRevision(
            question=reviewed_question,
            number=1,
            state=AnswerRevision.State.APPROVED,
            reviewer=question.live_revision.reviewer,
            review_kind=AnswerRevision.ReviewKind.FULL,
            approved_at=timezone.now(),
            reviewed_on=question.live_revision.reviewed_on,
            updated_on=question.live_revision.updated_on,
            next_review_on=question.live_revision.next_review_on,
            short_answer="A short answer.",
            body="The answer.",
            body_html="<p>The answer.</p>",
        )
        for reviewed_question in reviewed
    )
    for reviewed_question, revision in zip(reviewed, live, strict=True):
        reviewed_question.live_revision = revision
    Question.objects.bulk_update(reviewed, ["live_revision"])
    recount_figures()
    rebuild_search_index()


def _counts(client, question, reviewer_slug: str) -> dict[str, int]:
    urls = {
        "home": reverse("pages:home"),
        "a-z": reverse("conditions:index"),
        "condition": question.condition.get_absolute_url(),
        "question": question.get_absolute_url(),
        "reviewer": reverse("answers:reviewer", kwargs={"slug": reviewer_slug}),
        "search": reverse("search:results") + "?q=Dermatofibrosarcoma",
    }
    counts = {}
    for name, url in urls.items():
        client.get(url)  # once before, so that nothing made once per process is counted
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(queries.captured_queries)
    return counts


def test_every_page_runs_the_same_queries_at_one_and_at_a_hundred_times_the_data(
    client, member_client, settings
):
    settings.DISEASEMAPS_PAGE_CACHE_SECONDS = 0  # the pages as they are made, not as stored
    question = published_question(condition__name="Dermatofibrosarcoma Protuberans")
    TreatmentFactory(condition=question.condition, name="Mohs surgery")
    _add(1, question, "small")
    slug = question.live_revision.reviewer.reviewer_profile.slug
    small = {
        "visitor": _counts(client, question, slug),
        "member": _counts(member_client, question, slug),
    }

    _add(99, question, "large")
    question.refresh_from_db()
    assert question.visible_experience_count == EXPERIENCES * 100
    assert Condition.objects.get(pk=question.condition_id).member_count == MEMBERS * 100
    large = {
        "visitor": _counts(client, question, slug),
        "member": _counts(member_client, question, slug),
    }

    assert small == large == {"visitor": VISITOR, "member": MEMBER}
    # At 100× both lists come in pages.
    search = client.get(reverse("search:results"), {"q": "Dermatofibrosarcoma"}).content.decode()
    assert "best first · page 1 of 11" in search
    reviewer = client.get(reverse("answers:reviewer", kwargs={"slug": slug})).content.decode()
    assert "Page 1 of 9" in reviewer
    assert large["visitor"]["question"] <= 8
