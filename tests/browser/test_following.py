"""
The follow journey in a real browser: a member follows a condition from its page and asks for
e-mail at once, a moderator approves a post in the admin, the member sees the unread count and
the notification, and the e-mail's unsubscribe link, opened without logging in and confirmed,
stops those e-mails.
"""

import re

import pytest
from django.core import mail

from diseasemaps.community.models import Follow, Frequency, Kind
from diseasemaps.community.services import frequencies_of
from diseasemaps.core.services import Role
from tests.experiences.test_services import share, sharer
from tests.factories import MemberFactory, StaffFactory, published_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_get_notified_after_approval_and_unsubscribe_from_the_email(
    logged_in_page, page, live_server
):
    question = published_question(title="How long is the follow-up after surgery?")
    condition = question.condition
    follower = MemberFactory()
    moderator = StaffFactory(roles=[Role.MODERATOR])
    post = share(sharer(condition), question)

    # The member follows the condition from its page: one click, no script needed.
    member_page = logged_in_page(follower)
    member_page.goto(condition.get_absolute_url())
    member_page.get_by_role("button", name="Follow this condition").click()
    assert "You follow" in member_page.locator(".messages").inner_text()
    assert member_page.get_by_role("button", name="Unfollow this condition").is_visible()
    assert Follow.objects.filter(user=follower, condition=condition).exists()

    # ... and asks for new experiences by e-mail at once, from their account.
    member_page.goto("/members/me/")
    member_page.get_by_role("link", name="E-mail choices").click()
    member_page.locator(f"input[name={Kind.NEW_EXPERIENCE}][value=at_once]").check()
    member_page.get_by_role("button", name="Save my choices").click()
    assert "saved" in member_page.locator(".messages").inner_text()

    # A moderator approves the post in the admin.
    mail.outbox.clear()
    admin_page = logged_in_page(moderator)
    admin_page.goto(f"/admin/experiences/experience/{post.pk}/change/")
    admin_page.get_by_label("Decision:").select_option("approve")
    admin_page.get_by_role("button", name="Save", exact=True).click()
    assert "changed successfully" in admin_page.locator(".messagelist").inner_text()

    # The member sees the unread count in the header, and the notification.
    member_page.goto("/")
    header_link = member_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Notifications"
    )
    assert " ".join(header_link.inner_text().split()) == "Notifications 1 unread"
    header_link.click()
    notification = member_page.locator(".notification").first
    assert question.title in notification.inner_text()
    notification.get_by_role("link").click()
    assert "It went well" in member_page.locator("main").inner_text()
    assert "unread" not in member_page.get_by_role("navigation", name="Main").inner_text()
    assert member_page.problems.messages == []

    # The e-mail names nothing, and carries the unsubscribe link.
    (message,) = [m for m in mail.outbox if m.to == [follower.email]]
    assert message.subject == "Someone shared a new experience on DiseaseMaps"
    assert condition.name not in message.body
    assert question.title not in message.body
    link = re.search(r"https?://\S+/community/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"

    # Opened in a browser with no session: it asks first, then unsubscribes.
    path = "/" + link.split("/", 3)[3]
    page.goto(path)
    assert frequencies_of(follower)[Kind.NEW_EXPERIENCE] == Frequency.AT_ONCE
    page.get_by_role("button", name="Unsubscribe").click()
    assert "You are unsubscribed" in page.locator("h1").inner_text()
    assert frequencies_of(follower)[Kind.NEW_EXPERIENCE] == Frequency.NEVER
    assert page.problems.messages == []
