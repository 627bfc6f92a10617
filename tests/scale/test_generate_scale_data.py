"""
generate_scale_data makes the figures asked for, on top of the demo content, and leaves the data
as the services would have: consented memberships, posts that keep their author's relationship,
helpful counts equal to the reactions, and fresh stored pages and search index.
"""

import io

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.experiences.models import Experience, Reaction, Treatment
from diseasemaps.members.models import HealthDataConsent, MemberCondition, MemberProfile, User
from diseasemaps.pages.scale import SCALE_EMAIL_DOMAIN
from diseasemaps.search.models import SearchDocument

FIGURES = {"conditions": 60, "members": 300, "experiences": 3_000, "question_experiences": 400}


def _generate(**figures) -> str:
    out = io.StringIO()
    call_command(
        "generate_scale_data",
        *[f"--{name.replace('_', '-')}={value}" for name, value in figures.items()],
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


@pytest.mark.postgres_only  # reason: the command loads with PostgreSQL's COPY
@pytest.mark.django_db
def test_scale_data_has_the_figures_asked_for_and_consistent_rows(settings):
    page_cache = caches[settings.DISEASEMAPS_PAGE_CACHE]
    page_cache.set("pagecache:tag:all", "before", timeout=None)

    _generate(**FIGURES)

    demo_question = Question.objects.get(condition__slug="dfsp", slug="standard-treatment")
    scale_members = User.objects.filter(email__endswith=f"@{SCALE_EMAIL_DOMAIN}")
    assert Condition.objects.count() == 1 + FIGURES["conditions"]
    assert scale_members.count() == FIGURES["members"]
    assert MemberProfile.objects.filter(user__in=scale_members).count() == FIGURES["members"]
    scale_posts = Experience.objects.filter(author__in=scale_members)
    assert scale_posts.count() == FIGURES["experiences"]
    assert scale_posts.filter(question=demo_question).count() == FIGURES["question_experiences"]
    # Names across the whole A–Z index, aliases, treatments, reviewed questions.
    letters = set(Condition.objects.values_list("index_letter", flat=True))
    assert letters == {*map(chr, range(ord("A"), ord("Z") + 1)), "#"}
    assert ConditionAlias.objects.count() > FIGURES["conditions"] // 2
    assert Treatment.objects.exclude(condition__slug="dfsp").count() >= 2 * FIGURES["conditions"]
    assert Question.objects.published().exclude(condition__slug="dfsp").exists()

    # Every membership rests on its member's consent for that condition.
    memberships = MemberCondition.objects.filter(user__in=scale_members)
    assert memberships.exists()
    assert not memberships.exclude(consent__user=F("user")).exists()
    assert not memberships.exclude(consent__condition=F("condition")).exists()
    assert not memberships.exclude(consent__purpose=HealthDataConsent.Purpose.MEMBER_CONDITION)
    # A post is on its own condition, by a member of it, in the relationship they hold.
    assert not scale_posts.exclude(question=None).exclude(question__condition=F("condition"))
    assert not scale_posts.exclude(
        author__member_conditions__condition=F("condition"),
        author__member_conditions__relationship=F("written_as"),
    ).exists()
    assert scale_posts.filter(written_as=MemberCondition.Relationship.CARING_FOR).exists()
    assert scale_posts.filter(audience=Experience.Audience.MEMBERS).exists()
    assert not scale_posts.filter(status=Experience.Status.APPROVED, approved_at=None).exists()
    lengths = [len(body) for body in scale_posts.values_list("body", flat=True)[:500]]
    assert min(lengths) < 200 < max(lengths)
    # Helpful counts are the reactions, and nobody reacts to their own post.
    assert Reaction.objects.filter(experience__in=scale_posts).count() > 0
    assert not (
        Experience.objects.annotate(reacted=Count("reactions"))
        .exclude(helpful_count=F("reacted"))
        .exists()
    )
    assert not Reaction.objects.filter(user=F("experience__author")).exists()

    # The rows inserted past the services left no stale page, search index or sequence.
    assert page_cache.get("pagecache:tag:all") != "before"
    assert SearchDocument.objects.filter(condition__name__endswith="syndrome").exists()
    assert Condition.objects.create(name="Zz new", slug="zz-new", summary="s").pk > 1

    # A second run changes nothing.
    assert "nothing changed" in _generate(**FIGURES)
    assert Condition.objects.count() == 2 + FIGURES["conditions"]


@pytest.mark.django_db
def test_scale_data_refuses_a_database_other_than_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for other databases")
    with pytest.raises(CommandError, match="PostgreSQL"):
        _generate(conditions=1, members=1, experiences=1)
