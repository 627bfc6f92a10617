import factory
import pytest
from django.urls import reverse

from diseasemaps.conditions.models import Condition, index_lines
from diseasemaps.members.models import MemberCondition
from tests.factories import (
    ConditionAliasFactory,
    ConditionFactory,
    MemberConditionFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def test_the_community_figure_counts_only_opted_in_members_living_with_it():
    condition = ConditionFactory()
    MemberConditionFactory.create_batch(3, condition=condition)
    MemberConditionFactory(condition=condition, is_counted=False)
    MemberConditionFactory(
        condition=condition, relationship=MemberCondition.Relationship.CARING_FOR
    )
    MemberConditionFactory(condition=condition, user=MemberFactory(is_active=False))
    MemberConditionFactory()  # another condition

    assert Condition.objects.get(pk=condition.pk).member_count == 3  # the stored figure
    assert MemberCondition.objects.community_size(condition) == 3


def test_a_new_member_condition_is_private_and_not_counted_by_default():
    row = MemberCondition(user=MemberFactory(), condition=ConditionFactory())
    assert row.visibility == MemberCondition.Visibility.ONLY_ME
    assert row.is_counted is False


def test_display_name_joins_name_and_abbreviation():
    condition = ConditionFactory(name="Dermatofibrosarcoma Protuberans", abbreviation="DFSP")
    assert condition.display_name == "Dermatofibrosarcoma Protuberans (DFSP)"
    assert condition.short_name == "DFSP"
    assert ConditionFactory(name="Gout").display_name == "Gout"


def test_the_index_reads_its_lines_names_and_aliases_in_two_queries_and_no_summary(
    django_assert_num_queries,
):
    dfsp = ConditionFactory(name="Dermatofibrosarcoma Protuberans", abbreviation="DFSP")
    ConditionAliasFactory(condition=dfsp, name="Darier-Ferrand tumour")
    ConditionAliasFactory(condition=dfsp, name="Bednar tumour")
    ConditionFactory(name="Dermatitis")
    with django_assert_num_queries(2) as queries:
        lines = index_lines(Condition.objects.under_letter("D").for_index())
    assert lines == [
        {
            "url": Condition.objects.get(name="Dermatitis").get_absolute_url(),
            "name": "Dermatitis",
            "aliases": "",
        },
        {
            "url": dfsp.get_absolute_url(),
            "name": "Dermatofibrosarcoma Protuberans (DFSP)",
            "aliases": "Bednar tumour, Darier-Ferrand tumour",
        },
    ]
    assert "summary" not in queries.captured_queries[0]["sql"]


def test_the_lines_of_the_index_are_plain_rows_with_no_model_instance_or_reverse_per_line(
    monkeypatch,
):
    from diseasemaps.conditions import models as condition_models

    ConditionFactory.create_batch(3, name=factory.Sequence(lambda n: f"Line {n}"))
    rows = list(Condition.objects.under_letter("L").for_index())
    assert all(isinstance(row, dict) for row in rows)
    reversed_ = []
    real_reverse = condition_models.reverse
    monkeypatch.setattr(
        condition_models, "reverse", lambda *a, **k: reversed_.append(a) or real_reverse(*a, **k)
    )
    lines = index_lines(rows)
    assert len(lines) == 3
    assert len(reversed_) == 1
    assert [line["url"] for line in lines] == [
        reverse("pages:condition", kwargs={"slug": row["slug"]}) for row in rows
    ]


def test_an_empty_page_of_the_index_makes_no_query_for_other_names(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert index_lines([]) == []


def test_conditions_sort_case_insensitively():
    ConditionFactory(name="beta")
    ConditionFactory(name="Alpha")
    ConditionFactory(name="Gamma")
    assert [c.name for c in Condition.objects.all()] == ["Alpha", "beta", "Gamma"]


@pytest.mark.postgres_only  # the plan is PostgreSQL's
def test_the_largest_communities_are_read_from_the_index_on_the_stored_figure():
    from django.db import connection

    from diseasemaps.members.models import popular_conditions

    ConditionFactory.create_batch(3)
    with connection.cursor() as cursor:
        # A handful of rows would be read whole; ask the planner what it can do at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = popular_conditions(8).explain()
    assert "conditions_by_community_size" in plan
    assert "Sort" not in plan.replace("Incremental Sort", "")


@pytest.mark.postgres_only  # the plan is PostgreSQL's
def test_a_page_of_one_letter_is_read_in_order_from_the_index():
    from django.db import connection

    ConditionFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = Condition.objects.under_letter("C").for_index()[:50].explain()
    assert "conditions_by_letter_and_name" in plan
    assert "Sort" not in plan
