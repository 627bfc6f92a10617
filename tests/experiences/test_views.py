import json
import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diseasemaps.experiences.models import Experience, Reaction, Report
from diseasemaps.experiences.views import SHARE_LIMIT
from diseasemaps.members.models import MemberCondition
from tests.conftest import mfa_client
from tests.factories import (
    ExperienceFactory,
    MemberConditionFactory,
    MemberFactory,
    TreatmentFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

BODY = "I had Mohs surgery over two days and the scar healed well."
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def question(db):
    return published_question(condition__name="Rare Condition", condition__abbreviation="RC")


@pytest.fixture
def author(question):
    return MemberConditionFactory(condition=question.condition).user


@pytest.fixture
def author_client(author):
    client = Client()
    client.force_login(author)
    return client


def share_url(question):
    return reverse("experiences:share", args=[question.condition.slug, question.slug])


def page_text(client, url, **extra) -> str:
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


# --- Sharing ------------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in_before_sharing(client, question):
    response = client.get(share_url(question))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_member_without_the_condition_is_invited_to_add_it_first(member_client, question):
    html = page_text(member_client, share_url(question))
    assert "Add RC to your profile first" in html
    assert "<textarea" not in html


def test_the_invitation_links_to_the_members_conditions_page_and_back(member_client, question):
    html = page_text(member_client, share_url(question))
    conditions_url = reverse("members:conditions")
    back = quote(share_url(question))
    assert f'href="{conditions_url}?condition={question.condition.slug}&amp;next={back}"' in html
    assert "Once it is on your list, you come straight back here to share." in html


def test_preview_shows_the_rendered_post_and_saves_nothing(author_client, question):
    html = page_text(
        author_client,
        share_url(question),
    )
    assert "Share your experience" in html
    assert "local emergency number" in html
    response = author_client.post(
        share_url(question),
        {
            "body": "It was **hard** but <script>x()</script> fine in the end.",
            "audience": "everyone",
            "action": "preview",
        },
    )
    html = response.content.decode()
    assert "<strong>hard</strong>" in html
    assert "<script>x()" not in html
    assert 'value="submit"' in html
    assert not Experience.objects.exists()


def test_the_share_form_says_that_a_preview_comes_before_sharing(author_client, question):
    html = page_text(author_client, share_url(question))
    assert "Sharing takes two steps." in html
    assert "First press “Preview” to see your post as readers will see it" in html
    assert 'aria-describedby="share-steps"' in html
    assert 'value="submit"' not in html  # no "Share" button before the preview
    preview = author_client.post(
        share_url(question), {"body": BODY, "audience": "everyone", "action": "preview"}
    ).content.decode()
    assert "Nothing is shared until you press “Share” below the form." in preview
    assert "Sharing takes two steps." not in preview
    assert ">Preview again</button>" in preview


def test_the_edit_form_names_its_own_button_in_the_steps(author_client, author, question):
    experience = ExperienceFactory(question=question, author=author)
    html = page_text(author_client, reverse("experiences:edit", args=[experience.pk]))
    assert "Then press “Save changes”: nothing is saved before that." in html


def test_each_optional_field_on_the_share_form_says_so_once(author_client, question):
    TreatmentFactory(condition=question.condition, name="Mohs surgery")
    html = page_text(author_client, share_url(question))
    assert html.count("(optional)") == 2
    assert re.search(
        r"<legend>Treatments you had <span class=\"field__optional\">\(optional\)</span></legend>",
        html,
    )
    assert re.search(
        r'<label for="id_years_since_diagnosis">Years since diagnosis '
        r'<span class="field__optional">\(optional\)</span></label>',
        html,
    )
    assert "(optional) (optional)" not in re.sub(r"<[^>]+>", "", html)


def test_sharing_saves_a_post_that_waits_for_a_moderator(author_client, author, question):
    treatment = TreatmentFactory(condition=question.condition)
    response = author_client.post(
        share_url(question),
        {
            "body": BODY,
            "audience": "members",
            "treatments": [treatment.pk],
            "years_since_diagnosis": "4",
            "action": "submit",
        },
    )
    experience = Experience.objects.get()
    assert response.status_code == 302
    assert response["Location"] == experience.get_absolute_url()
    assert (experience.author, experience.question, experience.audience) == (
        author,
        question,
        "members",
    )
    assert experience.status == Experience.Status.PENDING
    assert list(experience.treatments.all()) == [treatment]
    assert experience.years_since_diagnosis == 4


def test_personal_details_are_flagged_and_must_be_confirmed(author_client, question):
    body = "Write to me at jo@example.org or call +44 20 7946 0958, or see www.example.org."
    data = {"body": body, "audience": "everyone", "action": "submit"}
    html = author_client.post(share_url(question), data).content.decode()
    assert "an e-mail address" in html
    assert "a phone number" in html
    assert "a link" in html
    assert "Please remove these details" in html
    assert body.split(" or ")[0] in html  # what was typed is still there
    assert not Experience.objects.exists()

    author_client.post(share_url(question), {**data, "confirm_personal_data": "on"})
    assert Experience.objects.get().body == body


def test_the_rate_limit_keeps_what_the_member_typed(author_client, author, question, settings):
    for _ in range(SHARE_LIMIT.limit):
        SHARE_LIMIT.hit(f"user:{author.pk}")
    response = author_client.post(
        share_url(question), {"body": BODY, "audience": "everyone", "action": "submit"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "the most we allow" in html
    assert BODY in html
    assert not Experience.objects.exists()


def test_a_too_short_post_is_refused_with_the_text_kept(author_client, question):
    html = author_client.post(
        share_url(question), {"body": "Short.", "audience": "everyone", "action": "submit"}
    ).content.decode()
    assert "at least 20 characters" in html
    assert "Short." in html


def test_a_member_shares_on_the_condition_in_general(author_client, question):
    url = reverse("experiences:share-condition", args=[question.condition.slug])
    author_client.post(url, {"body": BODY, "audience": "everyone", "action": "submit"})
    experience = Experience.objects.get()
    assert experience.question is None
    assert experience.condition == question.condition


# --- Editing and deleting -----------------------------------------------------------------------


def test_an_author_edits_and_deletes_their_post(author_client, author, question):
    post = ExperienceFactory(question=question, author=author)
    edit = reverse("experiences:edit", args=[post.pk])
    assert post.body in page_text(author_client, edit)
    author_client.post(
        edit, {"body": "A longer, corrected account.", "audience": "everyone", "action": "submit"}
    )
    post.refresh_from_db()
    assert post.has_pending_edit
    html = page_text(Client(), question.get_absolute_url())
    assert post.body_html.strip() in html
    assert "corrected account" not in html

    author_client.post(reverse("experiences:delete", args=[post.pk]))
    assert not Experience.objects.exists()


def test_no_one_else_can_edit_or_delete_a_post(member_client, question):
    post = ExperienceFactory(question=question)
    assert member_client.get(reverse("experiences:edit", args=[post.pk])).status_code == 404
    assert member_client.post(reverse("experiences:delete", args=[post.pk])).status_code == 404
    assert Experience.objects.filter(pk=post.pk).exists()


# --- Visibility ---------------------------------------------------------------------------------


@pytest.fixture
def posts(question):
    return {
        "approved": ExperienceFactory(question=question, body="Approved and public text."),
        "pending": ExperienceFactory(
            question=question, status="pending", approved_at=None, body="Pending text."
        ),
        "rejected": ExperienceFactory(
            question=question, status="rejected", approved_at=None, body="Rejected text."
        ),
        "hidden": ExperienceFactory(question=question, is_hidden=True, body="Hidden text."),
        "members": ExperienceFactory(
            question=question, audience="members", body="Members only text."
        ),
    }


@pytest.mark.parametrize("who", ["visitor", "crawler", "member", "author", "moderator"])
def test_who_sees_which_posts_on_the_question_page(who, posts, question, member, moderator):
    client = Client()
    extra = {}
    if who == "crawler":
        extra["HTTP_USER_AGENT"] = CRAWLER
    if who == "member":
        client.force_login(member)
    if who == "author":
        for post in posts.values():
            Experience.objects.filter(pk=post.pk).update(author=member)
        client.force_login(member)
    if who == "moderator":
        client = mfa_client(moderator)
    html = page_text(client, question.get_absolute_url(), **extra)
    assert "Approved and public text." in html
    assert "Pending text." not in html
    assert "Rejected text." not in html
    assert "Hidden text." not in html
    if who in ("visitor", "crawler"):
        assert "Members only text." not in html
        assert "A member shared an experience (members only)" in html
        assert posts["members"].author.member_profile.display_name not in html
    else:
        assert "Members only text." in html


def test_the_permalink_is_never_indexed_and_hides_members_only_text_from_visitors(
    client, member_client, posts
):
    url = posts["members"].get_absolute_url()
    response = client.get(url, HTTP_USER_AGENT=CRAWLER)
    assert response["X-Robots-Tag"] == "noindex"
    assert "Members only text." not in response.content.decode()
    assert "A member shared an experience (members only)" in response.content.decode()
    assert "Members only text." in page_text(member_client, url)


def test_a_pending_post_opens_only_for_its_author_and_moderators(posts, member, moderator):
    url = posts["pending"].get_absolute_url()
    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(member)
    assert other.get(url).status_code == 404
    author = Client()
    author.force_login(posts["pending"].author)
    assert "waiting for a moderator" in page_text(author, url)
    staff = mfa_client(moderator)
    assert "Pending text." in page_text(staff, url)


def test_the_author_sees_their_edit_waiting_on_the_permalink(author_client, author, question):
    post = ExperienceFactory(question=question, author=author)
    post.set_pending_body("The edited text waiting.")
    post.save()
    html = page_text(author_client, post.get_absolute_url())
    assert "The edited text waiting." in html
    assert post.body in html


# --- The question page --------------------------------------------------------------------------


def test_the_question_page_shows_the_facets_the_member_made_public(question, member_client):
    experience = ExperienceFactory(question=question, years_since_diagnosis=4)
    MemberConditionFactory(
        user=experience.author,
        condition=question.condition,
        visibility=MemberCondition.Visibility.EVERYONE,
    )
    hidden = ExperienceFactory(question=question)
    MemberConditionFactory(
        user=hidden.author,
        condition=question.condition,
        relationship=MemberCondition.Relationship.CARING_FOR,
        visibility=MemberCondition.Visibility.ONLY_ME,
    )
    html = page_text(Client(), question.get_absolute_url())
    assert "Lives with it" in html
    assert "4 years since diagnosis" in html
    assert "Cares for someone with it" not in html


def test_a_post_says_the_relationship_it_was_written_from_when_the_author_shows_theirs(question):
    post = ExperienceFactory(question=question, written_as=MemberCondition.Relationship.CARING_FOR)
    row = MemberConditionFactory(
        user=post.author,
        condition=question.condition,
        relationship=MemberCondition.Relationship.LIVING_WITH,  # diagnosed since
        visibility=MemberCondition.Visibility.MEMBERS,
    )
    assert "Cares for someone with it" not in page_text(Client(), question.get_absolute_url())
    reader = Client()
    reader.force_login(MemberFactory())
    html = page_text(reader, question.get_absolute_url())
    assert "Cares for someone with it" in html
    assert "Lives with it" not in html
    row.delete()
    assert "Cares for someone with it" not in page_text(reader, question.get_absolute_url())


def test_a_visitor_gets_links_not_forms_and_the_page_sets_no_cookie(client, question):
    ExperienceFactory(question=question)
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in html
    assert "This helped me" in html
    assert f"{reverse('account_login')}?next=" in html


def test_this_helped_me_toggles_without_javascript(member_client, member, question):
    post = ExperienceFactory(question=question)
    url = reverse("experiences:helpful", args=[post.pk])
    next_url = question.get_absolute_url()
    response = member_client.post(url, {"next": next_url})
    assert response["Location"] == next_url
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert 'aria-pressed="true"' in page_text(member_client, next_url)
    member_client.post(url, {"next": next_url})
    post.refresh_from_db()
    assert post.helpful_count == 0
    assert not Reaction.objects.exists()


@pytest.mark.parametrize("where", ["question", "condition", "permalink"])
def test_the_this_helped_me_form_carries_the_csrf_token_that_django_checks(member, question, where):
    post = ExperienceFactory(question=question)
    url = {
        "question": question.get_absolute_url(),
        "condition": question.condition.get_absolute_url(),
        "permalink": post.get_absolute_url(),
    }[where]
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = page_text(client, url)
    form = re.search(
        rf'<form method="post" action="{reverse("experiences:helpful", args=[post.pk])}"'
        r".*?</form>",
        html,
        re.S,
    )
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group())
    assert token is not None, "the form has no CSRF token: Django refuses the click"
    helpful = reverse("experiences:helpful", args=[post.pk])
    assert client.post(helpful, {"next": url}).status_code == 403  # checks are on
    response = client.post(helpful, {"next": url, "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.helpful_count == 1


def test_this_helped_me_never_redirects_off_the_site(member_client, question):
    post = ExperienceFactory(question=question)
    response = member_client.post(
        reverse("experiences:helpful", args=[post.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == post.get_page_url()


def test_posts_sort_by_most_helpful_and_filter_by_treatment(question):
    treatment = TreatmentFactory(condition=question.condition, name="Mohs surgery")
    older = ExperienceFactory(question=question, body="Older and helpful.", helpful_count=5)
    older.treatments.set([treatment])
    ExperienceFactory(question=question, body="Newer, less helpful.")
    url = question.get_absolute_url()
    newest = page_text(Client(), url)
    assert newest.index("Newer, less helpful.") < newest.index("Older and helpful.")
    helpful = page_text(Client(), f"{url}?sort=helpful")
    assert helpful.index("Older and helpful.") < helpful.index("Newer, less helpful.")
    filtered = page_text(Client(), f"{url}?treatment={treatment.pk}")
    assert "Older and helpful." in filtered
    assert "Newer, less helpful." not in filtered
    assert "2 people with Rare Condition (RC) have shared" in filtered


def test_pagination_keeps_the_sort(question, settings):
    settings.DISEASEMAPS_EXPERIENCES_PER_PAGE = 1
    ExperienceFactory.create_batch(2, question=question)
    html = page_text(Client(), f"{question.get_absolute_url()}?sort=helpful")
    assert "?sort=helpful&amp;page=2" in html


def test_the_question_page_keeps_its_query_count_from_2_to_2000_experiences(
    question, member_client, member
):
    treatment = TreatmentFactory(condition=question.condition)
    for post in ExperienceFactory.create_batch(2, question=question):
        post.treatments.set([treatment])
    url = question.get_absolute_url()

    def queries(client) -> int:
        cache.clear()  # the page as made, not as stored for visitors (bulk_create sends no signal)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    visitor_few, member_few = queries(Client()), queries(member_client)
    authors = MemberFactory.create_batch(20)
    Experience.objects.bulk_create(
        [
            Experience(
                question=question,
                condition=question.condition,
                author=authors[n % 20],
                status="approved",
                approved_at=question.created_at,
                audience="members" if n % 3 else "everyone",
                body=f"Post {n}",
                body_html=f"<p>Post {n}</p>",
            )
            for n in range(1998)
        ]
    )
    assert queries(Client()) == visitor_few
    assert queries(member_client) == member_few


def test_the_jsonld_has_a_patient_experience_part(question):
    ExperienceFactory.create_batch(2, question=question)
    html = page_text(Client(), question.get_absolute_url())
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    part = data["hasPart"]
    assert part["@type"] == "HealthTopicContent"
    assert part["hasHealthAspect"] == "https://schema.org/PatientExperienceHealthAspect"
    assert part["description"].startswith(
        f"2 people with {question.condition.display_name} have shared their first-person"
    )


# --- Reports ------------------------------------------------------------------------------------


def test_a_member_reports_a_post_and_only_moderators_see_it(member_client, member, question):
    post = ExperienceFactory(question=question)
    url = reverse("experiences:report", args=[post.pk])
    assert "Someone may be at risk" in page_text(member_client, url)
    response = member_client.post(url, {"reason": "at_risk", "details": "Worrying words."})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reason) == (member, "at_risk")
    assert "Worrying words." not in page_text(Client(), question.get_absolute_url())


def test_a_report_without_a_reason_is_refused_with_the_details_kept(member_client, question):
    post = ExperienceFactory(question=question)
    html = member_client.post(
        reverse("experiences:report", args=[post.pk]), {"details": "Keep me."}
    ).content.decode()
    assert "This field is required" in html
    assert "Keep me." in html
    assert not Report.objects.exists()


# --- Other pages --------------------------------------------------------------------------------


def test_the_guidelines_page_lists_every_guideline(client, db):
    html = page_text(client, reverse("experiences:guidelines"))
    assert "Keep personal details private" in html
    assert html.count("<h1") == 1


def test_the_condition_page_shows_recent_experiences_across_its_questions(client, question):
    ExperienceFactory(question=question, body="Recent one.")
    ExperienceFactory(question=question, audience="members", body="Secret one.")
    html = page_text(client, question.condition.get_absolute_url())
    assert "Recent one." in html
    assert "Secret one." not in html
    assert f"On “{question.title}”" in html
    assert f'href="{question.get_absolute_url()}#experience-' in html


def test_a_members_public_posts_partial_lists_only_public_visible_posts(question):
    from django.template.loader import render_to_string

    author = MemberFactory()
    ExperienceFactory(question=question, author=author, body="Public post.")
    ExperienceFactory(question=question, author=author, audience="members", body="Private.")
    ExperienceFactory(question=question, author=author, status="pending", approved_at=None)
    html = render_to_string(
        "experiences/_member_posts.html",
        {"experiences": Experience.objects.public_by(author), "display_name": "Jo"},
    )
    assert "Public post." in html
    assert "Private." not in html
    assert html.count('class="experience"') == 1


def test_my_posts_lists_every_state(author_client, author, question):
    ExperienceFactory(question=question, author=author, status="pending", approved_at=None)
    html = page_text(author_client, reverse("experiences:mine"))
    assert "Waiting for moderation" in html


def test_sorting_and_filtering_are_links_that_keep_each_other(client, question):
    treatment = TreatmentFactory(condition=question.condition)
    ExperienceFactory.create_batch(2, question=question)
    html = page_text(client, f"{question.get_absolute_url()}?sort=helpful")
    assert f'href="?sort=helpful&amp;treatment={treatment.pk}#experiences"' in html
    assert 'href="?#experiences"' in html  # newest, any treatment
    assert "<form" not in html.split('id="experiences"')[1]


def test_an_author_sees_on_the_question_page_that_their_post_is_waiting(
    author_client, author, question
):
    post = ExperienceFactory(question=question, author=author, status="pending", approved_at=None)
    html = page_text(author_client, question.get_absolute_url())
    assert "is waiting for a moderator" in html
    assert post.get_absolute_url() in html
    assert "is waiting for a moderator" not in page_text(Client(), question.get_absolute_url())
