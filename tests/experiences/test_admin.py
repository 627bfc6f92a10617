"""
Moderation in the admin, by staff logged in past two-factor authentication.
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from diseasemaps.experiences import admin as experiences_admin
from diseasemaps.experiences import services
from diseasemaps.experiences.models import (
    Experience,
    Guideline,
    MemberStanding,
    ModerationDecision,
    Report,
    render_experience_markdown,
)
from tests.conftest import mfa_client
from tests.factories import ExperienceFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(moderator):
    return mfa_client(moderator)


def hidden_inputs(html: str) -> dict:
    """The hidden fields of the admin's form (the inlines' management forms, ids)."""
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        if 'type="hidden"' not in tag or "csrfmiddlewaretoken" in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def decide(client, experience, **data):
    url = reverse("admin:experiences_experience_change", args=[experience.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = {**hidden_inputs(page.content.decode()), "moderator_note": "", **data}
    return client.post(url, form)


def pending(**fields):
    return ExperienceFactory(status=Experience.Status.PENDING, approved_at=None, **fields)


def confirm_bulk_approval(client, confirmation):
    """Press "Yes, approve" on the confirmation page: post its form as it stands."""
    html = confirmation.content.decode()
    form = html[html.index('<div id="content-main" class="moderation-confirm">') :]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r'<input type="hidden"[^>]+>', form):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(re.search(r'value="([^"]*)"', tag).group(1))
    assert data.get("confirm") == ["yes"]
    return client.post(reverse("admin:experiences_experience_changelist"), data, follow=True)


def test_a_moderator_approves_a_post_on_its_admin_page(moderator_client, moderator):
    experience = pending()
    response = decide(moderator_client, experience, decision="approve")
    assert response.status_code == 302
    experience.refresh_from_db()
    assert experience.status == Experience.Status.APPROVED
    assert experience.decisions.get().moderator == moderator


def test_a_rejection_in_the_admin_needs_a_guideline(moderator_client):
    experience = pending()
    response = decide(moderator_client, experience, decision="reject")
    assert response.status_code == 200
    assert "Choose the guideline" in response.content.decode()
    experience.refresh_from_db()
    assert experience.status == Experience.Status.PENDING

    decide(
        moderator_client,
        experience,
        decision="reject",
        guideline=Guideline.NO_PROMOTION,
        reason="Advertising.",
    )
    experience.refresh_from_db()
    assert experience.status == Experience.Status.REJECTED
    assert experience.decisions.get().guideline == Guideline.NO_PROMOTION


def test_a_moderator_sets_a_public_note_and_it_is_recorded(moderator_client):
    experience = ExperienceFactory()
    decide(moderator_client, experience, moderator_note="See the reviewed answer above.")
    experience.refresh_from_db()
    assert experience.moderator_note == "See the reviewed answer above."
    assert experience.decisions.get().action == ModerationDecision.Action.NOTE


def test_the_approve_action_works_on_many_posts(
    moderator_client, django_capture_on_commit_callbacks
):
    posts = [pending(), pending()]
    # The action shows the posts first; nothing is approved until the moderator confirms.
    shown = moderator_client.post(
        reverse("admin:experiences_experience_changelist"),
        {"action": "approve", "_selected_action": [p.pk for p in posts]},
    )
    assert shown.status_code == 200
    assert not Experience.objects.visible().exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_bulk_approval(moderator_client, shown)
    assert Experience.objects.visible().count() == 2
    assert len(mail.outbox) == 2


def test_the_queue_puts_someone_at_risk_first(moderator_client):
    reported = ExperienceFactory(body="Reported for spam.")
    services.report_experience(experience=reported, reporter=MemberFactory(), reason="promotion")
    at_risk = ExperienceFactory(body="At risk.")
    services.report_experience(
        experience=at_risk, reporter=MemberFactory(), reason=Report.Reason.AT_RISK
    )
    pending()
    html = moderator_client.get(
        reverse("admin:experiences_experience_changelist") + "?queue=waiting"
    ).content.decode()
    assert html.index(f"Experience {at_risk.pk} ") < html.index(f"Experience {reported.pk} ")
    reports = moderator_client.get(reverse("admin:experiences_report_changelist"))
    assert reports.status_code == 200


def test_moderators_see_pseudonyms_not_email_addresses(moderator_client):
    experience = pending()
    html = moderator_client.get(
        reverse("admin:experiences_experience_change", args=[experience.pk])
    ).content.decode()
    assert experience.author.member_profile.display_name in html
    assert experience.author.email not in html


def test_a_moderator_suspends_a_member_in_the_admin(moderator_client, moderator):
    member = MemberFactory()
    standing = MemberStanding.objects.create(user=member)
    url = reverse("admin:experiences_memberstanding_change", args=[standing.pk])
    moderator_client.post(url, {"is_suspended": "on", "suspension_reason": "Spam, again."})
    standing.refresh_from_db()
    assert standing.is_suspended
    assert ModerationDecision.objects.get(member=member).moderator == moderator


def test_an_editor_cannot_moderate(editor):
    client = mfa_client(editor)
    experience = pending()
    url = reverse("admin:experiences_experience_change", args=[experience.pk])
    assert client.get(url).status_code == 403


def test_the_admin_shows_the_post_as_readers_see_it(moderator_client):
    experience = ExperienceFactory(body="It was **hard**.")
    html = moderator_client.get(
        reverse("admin:experiences_experience_change", args=[experience.pk])
    ).content.decode()
    assert "<strong>hard</strong>" in html


def test_a_moderator_rejects_and_suspends_the_author_in_one_step(moderator_client):
    experience = pending()
    decide(
        moderator_client,
        experience,
        decision="reject",
        guideline=Guideline.NO_PROMOTION,
        reason="Selling supplements, again.",
        suspend_author="on",
    )
    experience.refresh_from_db()
    assert experience.status == Experience.Status.REJECTED
    assert MemberStanding.objects.get(user=experience.author).is_suspended


def test_a_decision_that_fails_leaves_nothing_half_done(moderator_client):
    experience = ExperienceFactory()  # approved, nothing waiting
    decide(moderator_client, experience, decision="approve", moderator_note="A note.")
    experience.refresh_from_db()
    assert experience.moderator_note == ""
    assert not ModerationDecision.objects.exists()


# --- The moderators' list: enough to triage without opening each post --------------------------

LONG_BODY = (
    "I had Mohs surgery on my shoulder in **2019**. The scar is small and I went back to work "
    "after a week.\n\nThe waiting was the hardest part: three weeks between the biopsy and the "
    "appointment, and nobody could tell me how deep it went."
)


def changelist(client, **params):
    return client.get(reverse("admin:experiences_experience_changelist"), params)


def cells(html: str, field: str) -> list[str]:
    """The text of every cell of one column of the list, in order, on one line each."""
    found = re.findall(rf'<td class="field-{field}[^"]*">(.*?)</td>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


def age_post(experience, **delta):
    Experience.objects.filter(pk=experience.pk).update(
        created_at=timezone.now() - datetime.timedelta(**delta)
    )


def test_the_list_shows_pseudonym_excerpt_age_and_open_reports(moderator_client, moderator):
    author = MemberFactory(profile__display_name="QuietHeron7")
    post = pending(author=author, body=LONG_BODY, body_html=render_experience_markdown(LONG_BODY))
    age_post(post, hours=3, minutes=10)
    for reporter in (MemberFactory(), MemberFactory()):
        services.report_experience(experience=post, reporter=reporter, reason="promotion")
    resolved = Report.objects.create(experience=post, reason="other", status="resolved")
    assert resolved.status == Report.Status.RESOLVED

    html = changelist(moderator_client).content.decode()
    assert cells(html, "author_pseudonym") == ["QuietHeron7"]
    assert author.email not in html
    [excerpt] = cells(html, "excerpt")
    assert excerpt.startswith("I had Mohs surgery on my shoulder in 2019. The scar is small")
    assert excerpt.endswith("…")
    assert "**" not in excerpt
    assert "week. The waiting" in excerpt  # paragraphs are joined by a space
    assert len(excerpt) <= 140
    assert cells(html, "age") == ["3 hours ago"]
    assert re.search(r'<time datetime="[^"]+" title="\d{1,2} \w+ \d{4}, \d\d:\d\d">', html)
    assert cells(html, "open_report_count") == ["2"]


def test_the_excerpt_of_a_post_with_an_edit_waiting_is_the_edit(moderator_client):
    post = ExperienceFactory(body="The approved text, as readers see it now.")
    post.set_pending_body("The edit that waits for a moderator.")
    post.save()
    html = changelist(moderator_client).content.decode()
    assert cells(html, "excerpt") == ["The edit that waits for a moderator."]


def test_the_list_names_a_departed_author_and_gives_ages_in_the_largest_unit(moderator_client):
    gone = pending(author=None)
    age_post(gone, days=2, hours=5)
    recent = pending()
    by_age = experiences_admin.ExperienceAdmin.list_display.index("age") + 1  # after the checkbox
    html = changelist(moderator_client, o=str(by_age)).content.decode()  # newest first
    assert cells(html, "age") == ["just now", "2 days ago"]
    assert cells(html, "author_pseudonym") == [
        recent.author.member_profile.display_name,
        "A former member",
    ]


def test_moderators_find_a_members_posts_by_their_pseudonym(moderator_client):
    mine = pending(author=MemberFactory(profile__display_name="LoneCedar3"))
    pending()
    html = changelist(moderator_client, q="lonecedar").content.decode()
    assert cells(html, "author_pseudonym") == ["LoneCedar3"]
    assert f"Experience {mine.pk} " in html


def _busy_queue(count: int) -> None:
    for n in range(count):
        post = pending() if n % 2 else ExperienceFactory()
        services.report_experience(
            experience=post,
            reporter=MemberFactory(),
            reason=Report.Reason.AT_RISK if n % 3 == 0 else Report.Reason.PROMOTION,
        )
        if n % 4 == 0:
            ExperienceFactory(author=post.author, question=post.question).set_pending_body(
                "An edit waiting for a moderator."
            )


# The session, the user, their authenticator, their permissions (2), the conditions to filter
# by, the counts (2) and the page of posts with all it shows: none per post.
LIST_QUERIES = 9


def test_the_list_makes_a_fixed_number_of_queries_however_many_posts(
    moderator_client, django_assert_max_num_queries
):
    _busy_queue(2)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert changelist(moderator_client, queue="waiting").status_code == 200
    _busy_queue(20)
    with django_assert_max_num_queries(LIST_QUERIES):
        html = changelist(moderator_client, queue="waiting").content.decode()
    assert len(cells(html, "author_pseudonym")) == 22


# --- Approving in bulk: the posts are read first ---------------------------------------------


def ask_to_approve(client, posts):
    return client.post(
        reverse("admin:experiences_experience_changelist"),
        {"action": "approve", "_selected_action": [post.pk for post in posts]},
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_bulk_approval_shows_each_post_as_readers_will_see_it_before_anything_changes(
    moderator_client,
):
    new = pending(body="A **new** post.", body_html=render_experience_markdown("A **new** post."))
    edited = ExperienceFactory(body="The old text.")
    edited.set_pending_body("The _edited_ text.")
    edited.save()
    reported = ExperienceFactory(body="A reported post.")
    services.report_experience(experience=reported, reporter=MemberFactory(), reason="other")

    page = ask_to_approve(moderator_client, [new, edited, reported])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Read the posts before approving them" in html
    assert "A <strong>new</strong> post." in html
    assert "The <em>edited</em> text." in html
    assert "The old text." not in html
    assert "A reported post." in html
    assert "A new post: approving publishes it." in html
    assert "approving replaces the text readers see with this one" in html
    assert "approving keeps it, shows it again if it was hidden, and resolves its reports" in html
    assert "Something else" in html  # the open report's reason
    assert new.author.member_profile.display_name in html
    assert 'value="Yes, approve these 3 posts"' in html
    assert not ModerationDecision.objects.exists()
    new.refresh_from_db()
    assert new.status == Experience.Status.PENDING


def test_confirmed_bulk_approval_goes_through_the_same_service_as_one_approval(
    moderator_client, moderator
):
    new = pending()
    edited = ExperienceFactory(body="The old text.")
    edited.set_pending_body("The edited text.")
    edited.save()
    reported = ExperienceFactory()
    services.report_experience(experience=reported, reporter=MemberFactory(), reason="other")

    done = confirm_bulk_approval(
        moderator_client, ask_to_approve(moderator_client, [new, edited, reported])
    )
    assert sorted(messages_of(done)) == sorted(
        f"{post}: approved." for post in (new, edited, reported)
    )
    decisions = {d.experience_id: (d.action, d.moderator) for d in ModerationDecision.objects.all()}
    assert decisions == {
        new.pk: (ModerationDecision.Action.APPROVE, moderator),
        edited.pk: (ModerationDecision.Action.APPROVE_EDIT, moderator),
        reported.pk: (ModerationDecision.Action.KEEP, moderator),
    }
    edited.refresh_from_db()
    assert (edited.body, edited.has_pending_edit) == ("The edited text.", False)
    assert not Report.objects.open().exists()


def test_a_post_changed_after_the_confirmation_page_is_not_approved_unread(moderator_client):
    post = pending(body="What the moderator read, at length.")
    page = ask_to_approve(moderator_client, [post])
    services.edit_experience(
        experience=post,
        editor=post.author,
        body="Something else entirely, written after the moderator looked.",
        audience=post.audience,
    )
    done = confirm_bulk_approval(moderator_client, page)
    assert messages_of(done) == [
        f"{post}: The author changed this post after you opened it. Read it again before approving."
    ]
    post.refresh_from_db()
    assert post.status == Experience.Status.PENDING


def test_a_confirmation_without_the_text_read_approves_nothing(moderator_client):
    post = pending()
    moderator_client.post(
        reverse("admin:experiences_experience_changelist"),
        {"action": "approve", "_selected_action": [post.pk], "confirm": "yes"},
    )
    post.refresh_from_db()
    assert post.status == Experience.Status.PENDING


def test_bulk_approval_leaves_out_posts_where_someone_may_be_at_risk(moderator_client):
    at_risk = pending(body="A post someone is worried about.")
    services.report_experience(
        experience=at_risk, reporter=MemberFactory(), reason=Report.Reason.AT_RISK
    )
    other = pending()
    page = ask_to_approve(moderator_client, [at_risk, other])
    html = page.content.decode()
    assert "Someone may be at risk: decide on this post on its own page" in html
    assert 'value="Yes, approve this post"' in html
    forged = {
        "action": "approve",
        "_selected_action": [at_risk.pk, other.pk],
        f"fingerprint_{at_risk.pk}": at_risk.text_fingerprint,
        f"fingerprint_{other.pk}": other.text_fingerprint,
        "confirm": "yes",
    }
    moderator_client.post(reverse("admin:experiences_experience_changelist"), forged)
    at_risk.refresh_from_db()
    other.refresh_from_db()
    assert (at_risk.status, other.status) == (Experience.Status.PENDING, Experience.Status.APPROVED)
    assert Report.objects.open().get().experience == at_risk


def test_a_post_with_nothing_waiting_is_shown_as_left_alone(moderator_client):
    settled = ExperienceFactory()
    html = ask_to_approve(moderator_client, [settled]).content.decode()
    assert "Nothing on this post waits for a moderator" in html
    assert "Yes, approve" not in html
    assert "None of these posts can be approved here." in html


def test_bulk_approval_is_refused_for_more_posts_than_can_be_read(moderator_client, monkeypatch):
    monkeypatch.setattr(experiences_admin, "BULK_APPROVE_MAX", 2)
    posts = [pending(), pending(), pending()]
    response = moderator_client.post(
        reverse("admin:experiences_experience_changelist"),
        {"action": "approve", "_selected_action": [post.pk for post in posts]},
        follow=True,
    )
    assert messages_of(response) == [
        "Select at most 2 posts to approve at once: each one is shown for you to read first."
    ]
    assert not Experience.objects.visible().exists()


# The list's queries, the conditions to filter by once more (the admin builds its list again to
# run an action), and the open reports of all the selected posts in one query.
CONFIRMATION_QUERIES = LIST_QUERIES + 2


def test_the_confirmation_page_makes_a_fixed_number_of_queries(
    moderator_client, django_assert_max_num_queries
):
    few = [pending() for _ in range(2)]
    with django_assert_max_num_queries(CONFIRMATION_QUERIES):
        ask_to_approve(moderator_client, few)
    many = [pending() for _ in range(15)]
    for post in many[:5]:
        services.report_experience(experience=post, reporter=MemberFactory(), reason="other")
    with django_assert_max_num_queries(CONFIRMATION_QUERIES):
        html = ask_to_approve(moderator_client, many).content.decode()
    assert 'value="Yes, approve these 15 posts"' in html


def test_one_approval_on_the_posts_page_is_refused_if_the_author_changed_it_meanwhile(
    moderator_client,
):
    post = pending(body="What the moderator read on the page.")
    url = reverse("admin:experiences_experience_change", args=[post.pk])
    form = {**hidden_inputs(moderator_client.get(url).content.decode()), "moderator_note": ""}
    services.edit_experience(
        experience=post,
        editor=post.author,
        body="Changed by the author after the page was opened.",
        audience=post.audience,
    )
    response = moderator_client.post(url, {**form, "decision": "approve"}, follow=True)
    assert "The author changed this post after you opened it" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Experience.Status.PENDING
