"""
Record, on the posts that exist already, the relationship to the condition they were written
from, which "N people with CONDITION have shared…" now counts by.

- A post whose author is still a member takes the relationship on the author's list of
  conditions (living with it, or caring for someone with it).
- A post whose author removed the condition from their list is left empty: nothing says which
  relationship it was written from any more.
- A post whose author deleted their account and kept it (author empty) is left empty, and gets
  no former author's key: the account, its conditions and everything that tied its posts
  together went with the erasure, so these posts cannot be grouped by person, nor told apart
  from a caregiver's. Giving each its own key would count every such post as another person
  living with the condition, the over-count this change removes. They stay on the pages as
  "a former member", and are no longer counted as people; a question on which only such posts
  were shared says "Members have shared their experience on this question." Posts kept by
  accounts erased from now on get one key per condition at erasure, and keep counting as one
  person each.

The reverse empties the field again (the schema migration before this one drops it).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def fill_written_as(apps, schema_editor):
    Experience = apps.get_model("experiences", "Experience")
    MemberCondition = apps.get_model("members", "MemberCondition")
    authors_row = MemberCondition.objects.filter(
        user=OuterRef("author"), condition=OuterRef("condition")
    )
    Experience.objects.filter(Exists(authors_row), written_as="").update(
        written_as=Subquery(authors_row.values("relationship")[:1])
    )


def empty_written_as(apps, schema_editor):
    Experience = apps.get_model("experiences", "Experience")
    Experience.objects.update(written_as="")


class Migration(migrations.Migration):
    dependencies = [
        ("experiences", "0003_experience_written_as_and_former_author_key"),
        ("members", "0004_profile_public_id_unique"),
    ]

    operations = [migrations.RunPython(fill_written_as, empty_written_as)]
