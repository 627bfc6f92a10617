import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from diseasemaps.members.models import HealthDataConsent, MemberCondition
from tests.factories import (
    TEST_PASSWORD,
    ConditionFactory,
    MemberConditionFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db

OWN_DATA_PAGES = [
    "members:account",
    "members:profile",
    "members:conditions",
]


def reauthenticated(user) -> Client:
    client = Client()
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("name", OWN_DATA_PAGES)
def test_pages_with_the_members_own_data_are_never_stored(member_client, name):
    response = member_client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", [*OWN_DATA_PAGES, "members:export", "members:delete"])
def test_own_data_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_member_adds_a_condition_with_consent_and_removes_it_in_one_click(member_client, member):
    condition = ConditionFactory()
    response = member_client.post(
        reverse("members:conditions"),
        {
            "condition": condition.pk,
            "relationship": "living_with",
            "diagnosed_in": "2018",
            "visibility": "only_me",
            "is_counted": "on",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    row = MemberCondition.objects.get(user=member)
    assert (row.diagnosed_in, row.is_counted) == (2018, True)
    assert HealthDataConsent.objects.filter(user=member).exists()

    response = member_client.post(reverse("members:condition_remove", args=[row.pk]), follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert not MemberCondition.objects.exists()
    # The consent is not deleted but withdrawn: its record stays, with the time of withdrawal.
    consent = HealthDataConsent.objects.get(user=member)
    assert consent.withdrawn_at is not None
    assert "deleted from your list and your consent withdrawn" in response.content.decode()


ADD = {"relationship": "living_with", "visibility": "only_me", "diagnosed_in": ""}


@pytest.mark.parametrize("sent", ["0", "false", "False", "", "off", "no", "yes", "1"])
def test_only_a_ticked_box_counts_as_consent(member_client, sent):
    condition = ConditionFactory()
    response = member_client.post(
        reverse("members:conditions"), ADD | {"condition": condition.pk, "consent": sent}
    )
    assert response.status_code == 400
    assert "We can only store this if you agree" in response.content.decode()
    assert not MemberCondition.objects.exists()
    assert not HealthDataConsent.objects.exists()


def test_the_consent_box_is_sent_as_a_browser_sends_a_ticked_box(member_client):
    page = member_client.get(reverse("members:conditions")).content.decode()
    box = re.search(r'<input type="checkbox" name="consent"[^>]*>', page).group(0)
    assert "value=" not in box  # so a ticked box is sent as "on", the one value that counts
    response = member_client.post(
        reverse("members:conditions"),
        ADD | {"condition": ConditionFactory().pk, "consent": "on"},
    )
    assert response.status_code == 302


def test_without_consent_nothing_is_stored_and_the_form_keeps_the_choices(member_client):
    condition = ConditionFactory()
    response = member_client.post(
        reverse("members:conditions"),
        {"condition": condition.pk, "relationship": "caring_for", "visibility": "members"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "We can only store this if you agree" in page
    assert 'value="caring_for" id="id_relationship_1" checked' in page or (
        'value="caring_for"' in page and "checked" in page
    )
    assert not MemberCondition.objects.exists()


def test_a_member_cannot_change_or_remove_someone_elses_condition(member_client):
    other = MemberConditionFactory()
    assert (
        member_client.post(reverse("members:condition_remove", args=[other.pk])).status_code == 404
    )
    response = member_client.post(
        reverse("members:condition_edit", args=[other.pk]),
        {f"mc{other.pk}-relationship": "living_with", f"mc{other.pk}-visibility": "everyone"},
    )
    assert response.status_code == 404
    assert MemberCondition.objects.filter(pk=other.pk).exists()


def test_the_condition_page_offers_to_join_it(member_client):
    condition = ConditionFactory()
    page = member_client.get(condition.get_absolute_url()).content.decode()
    assert f"{reverse('members:conditions')}?condition={condition.slug}" in page


def test_to_a_visitor_i_live_with_this_condition_says_it_needs_an_account(client):
    condition = ConditionFactory()
    page = client.get(condition.get_absolute_url()).content.decode()
    add_url = quote(f"{reverse('members:conditions')}?condition={condition.slug}")
    assert (
        f'<a class="button button--small" href="{reverse("account_signup")}?next={add_url}">'
        "I live with this condition</a>"
    ) in page
    assert "This needs an account" in page
    assert f'<a href="{reverse("account_login")}?next={add_url}">Log in</a>' in page


def test_joining_from_the_condition_page_preselects_it(member_client):
    condition = ConditionFactory()
    page = member_client.get(
        reverse("members:conditions") + f"?condition={condition.slug}"
    ).content.decode()
    assert f'<option value="{condition.pk}" selected>' in page


def _add(member_client, condition, **extra):
    return member_client.post(
        reverse("members:conditions"),
        {
            "condition": condition.pk,
            "relationship": "living_with",
            "visibility": "only_me",
            "consent": "on",
            **extra,
        },
    )


def test_added_on_the_way_to_sharing_the_condition_leads_back_to_the_share_form(member_client):
    condition = ConditionFactory()
    share = reverse("experiences:share-condition", args=[condition.slug])
    page = member_client.get(
        reverse("members:conditions"), {"condition": condition.slug, "next": share}
    ).content.decode()
    assert f'<input type="hidden" name="next" value="{share}">' in page
    assert "Once it is on your list, we take you back to where you were." in page
    response = _add(member_client, condition, next=share)
    assert response.status_code == 302
    assert response["Location"] == share
    assert member_client.get(share).status_code == 200


def test_adding_a_condition_never_leads_to_another_site(member_client):
    condition = ConditionFactory()
    response = _add(member_client, condition, next="https://evil.example/share/")
    assert response["Location"] == reverse("members:conditions")
    page = member_client.get(
        reverse("members:conditions"), {"next": "https://evil.example/"}
    ).content.decode()
    assert "evil.example" not in page


def test_a_refused_condition_keeps_where_to_go_back_to(member_client):
    condition = ConditionFactory()
    share = reverse("experiences:share-condition", args=[condition.slug])
    response = member_client.post(
        reverse("members:conditions"),
        {"condition": condition.pk, "relationship": "living_with", "next": share},
    )
    assert response.status_code == 400
    assert f'<input type="hidden" name="next" value="{share}">' in response.content.decode()


def test_below_the_floor_the_figure_reads_fewer_than_10(client):
    condition = ConditionFactory()
    MemberConditionFactory.create_batch(9, condition=condition)
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "Fewer than 10 members" in page
    MemberConditionFactory(condition=condition)
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "10 members of the DiseaseMaps community" in page


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("visitor", {"Everyone-cond"}),
        ("member", {"Everyone-cond", "Members-cond"}),
        ("owner", {"Everyone-cond", "Members-cond"}),
        ("staff", {"Everyone-cond", "Members-cond"}),
    ],
)
def test_the_public_member_page_shows_only_what_the_viewer_may_see(viewer, expected, staff_client):
    owner = MemberFactory(profile__bio="My secret bio", profile__is_bio_public=False)
    for visibility, name in [
        ("only_me", "Private"),
        ("members", "Members"),
        ("everyone", "Everyone"),
    ]:
        MemberConditionFactory(
            user=owner, condition=ConditionFactory(name=f"{name}-cond"), visibility=visibility
        )
    clients = {
        "visitor": Client(),
        "member": Client(),
        "owner": Client(),
        "staff": staff_client,
    }
    clients["member"].force_login(MemberFactory())
    clients["owner"].force_login(owner)
    response = clients[viewer].get(owner.member_profile.get_absolute_url())
    page = response.content.decode()
    shown = {name for name in ("Private-cond", "Members-cond", "Everyone-cond") if name in page}
    assert shown == expected
    assert owner.member_profile.display_name in page
    assert owner.email not in page
    assert "My secret bio" not in page


def test_the_public_page_shows_the_bio_only_when_made_public(client):
    owner = MemberFactory(profile__bio="Gardening and tea", profile__is_bio_public=True)
    assert (
        "Gardening and tea" in client.get(owner.member_profile.get_absolute_url()).content.decode()
    )


def test_the_public_member_page_does_not_reveal_the_member_count(member):
    public_id = member.member_profile.public_id
    assert len(public_id) == 12
    assert public_id != str(member.pk)
    assert reverse("members:detail", args=[public_id]) == f"/members/{public_id}/"
    assert client_get_status(f"/members/{member.member_profile.pk}/") == 404


def test_the_profile_form_saves_and_keeps_input_on_error(member_client, member):
    MemberFactory(profile__display_name="TakenName")
    response = member_client.post(
        reverse("members:profile"), {"display_name": "TakenName", "bio": "Kept text"}
    )
    assert response.status_code == 200
    assert "Kept text" in response.content.decode()
    response = member_client.post(
        reverse("members:profile"),
        {"display_name": "FreeName", "bio": "Hello", "is_bio_public": "on"},
    )
    assert response.status_code == 302
    member.member_profile.refresh_from_db()
    assert member.member_profile.display_name == "FreeName"


@pytest.mark.parametrize("typed", ["ＴａｋｅｎＮａｍｅ", "T\u0430kenName", "Taken\u200bName"])
def test_the_profile_form_refuses_a_lookalike_or_invisible_name_and_keeps_it(
    member_client, member, typed
):
    MemberFactory(profile__display_name="TakenName")
    name_before = member.member_profile.display_name
    response = member_client.post(
        reverse("members:profile"), {"display_name": typed, "bio": "Kept text"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "looks just like it" in page or "invisible or changes the direction" in page
    assert f'value="{typed}"' in page
    assert "Kept text" in page
    member.member_profile.refresh_from_db()
    assert member.member_profile.display_name == name_before


def test_export_asks_for_the_password_again_then_downloads_json(member):
    MemberConditionFactory(user=member)
    client = Client()
    client.force_login(member)
    assert client.post(reverse("members:export")).status_code == 302
    client = reauthenticated(member)
    response = client.post(reverse("members:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == member.email
    assert len(data["members.MemberCondition"]) == 1


def test_deleting_the_account_after_reauthentication_logs_out(member):
    client = reauthenticated(member)
    response = client.post(reverse("members:delete"), {"keep_posts": "", "confirm": "on"})
    assert response.status_code == 302
    assert not type(member).objects.filter(pk=member.pk).exists()
    assert "_auth_user_id" not in client.session


def test_deleting_needs_the_confirmation_box(member):
    client = reauthenticated(member)
    response = client.post(reverse("members:delete"), {"keep_posts": ""})
    assert response.status_code == 200
    assert type(member).objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("sent", ["0", "false", "off"])
def test_only_a_ticked_box_confirms_deleting_the_account(member, sent):
    client = reauthenticated(member)
    response = client.post(reverse("members:delete"), {"keep_posts": "", "confirm": sent})
    assert response.status_code == 200
    assert "Tick the box to confirm." in response.content.decode()
    assert type(member).objects.filter(pk=member.pk).exists()


def test_a_member_changes_who_sees_a_condition_and_whether_they_are_counted(member_client, member):
    row = MemberConditionFactory(user=member, visibility="only_me", is_counted=False)
    other = MemberConditionFactory(user=member)
    response = member_client.post(
        reverse("members:condition_edit", args=[row.pk]),
        {
            f"mc{row.pk}-relationship": "living_with",
            f"mc{row.pk}-visibility": "everyone",
            f"mc{row.pk}-is_counted": "on",
            f"mc{row.pk}-diagnosed_in": "",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.visibility, row.is_counted, row.diagnosed_in) == ("everyone", True, None)
    # A bad change shows the whole list again, with the error beside the row.
    response = member_client.post(
        reverse("members:condition_edit", args=[row.pk]),
        {f"mc{row.pk}-relationship": "living_with", f"mc{row.pk}-visibility": "nobody"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert other.condition.display_name in page
    assert "Select a valid choice" in page


def test_the_conditions_page_makes_the_same_few_queries_for_any_number_of_rows(
    member_client, member, django_assert_max_num_queries
):
    MemberConditionFactory.create_batch(3, user=member)
    with django_assert_max_num_queries(12) as few:
        member_client.get(reverse("members:conditions"))
    MemberConditionFactory.create_batch(10, user=member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        member_client.get(reverse("members:conditions"))


def test_the_public_member_page_makes_the_same_few_queries_for_any_number_of_rows(
    client, member, django_assert_max_num_queries
):
    MemberConditionFactory.create_batch(2, user=member, visibility="everyone")
    url = member.member_profile.get_absolute_url()
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    MemberConditionFactory.create_batch(8, user=member, visibility="everyone")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("role", ["editor", "reviewer", "moderator"])
def test_no_staff_role_sees_a_members_private_conditions_on_their_page(
    role, request, staff_client_for
):
    owner = MemberFactory()
    MemberConditionFactory(
        user=owner, condition=ConditionFactory(name="Hidden-cond"), visibility="only_me"
    )
    client = staff_client_for(request.getfixturevalue(role))
    page = client.get(owner.member_profile.get_absolute_url()).content.decode()
    assert "Hidden-cond" not in page


def test_the_sessions_page_lists_sessions_and_logs_out_the_others(member):
    from allauth.usersessions.models import UserSession

    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(member)
        UserSession.objects.create(
            user=member, session_key=client.session.session_key, ip="127.0.0.1", user_agent="x"
        )
        clients.append(client)
    page = clients[0].get(reverse("usersessions_list"))
    assert page.status_code == 200
    clients[0].post(reverse("usersessions_list"))
    assert UserSession.objects.filter(user=member).count() == 1
    assert clients[0].get(reverse("members:conditions")).status_code == 200
    assert clients[1].get(reverse("members:conditions")).status_code == 302


def client_get_status(url: str) -> int:
    return Client().get(url).status_code
