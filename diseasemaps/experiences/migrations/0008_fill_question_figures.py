"""Store each question's figures of its visible posts, counted as experiences/figures.py does."""

from django.db import migrations, models


def fill(apps, schema_editor):
    Experience = apps.get_model("experiences", "Experience")
    Question = apps.get_model("answers", "Question")
    counts = (
        Experience.objects.filter(status="approved", is_hidden=False, question__isnull=False)
        .order_by()
        .values("question_id")
        .annotate(
            posts=models.Count("pk"),
            living_with=models.Count(
                "author", distinct=True, filter=models.Q(written_as="living_with")
            ),
            living_with_former=models.Count(
                "former_author_key", distinct=True, filter=models.Q(written_as="living_with")
            ),
            caring_for=models.Count(
                "author", distinct=True, filter=models.Q(written_as="caring_for")
            ),
            caring_for_former=models.Count(
                "former_author_key", distinct=True, filter=models.Q(written_as="caring_for")
            ),
            unattributed=models.Count("pk", filter=models.Q(written_as="")),
        )
    )
    for row in counts:
        Question.objects.filter(pk=row["question_id"]).update(
            visible_experience_count=row["posts"],
            people_living_with=row["living_with"] + row["living_with_former"],
            people_caring_for=row["caring_for"] + row["caring_for_former"],
            unattributed_experience_count=row["unattributed"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("answers", "0007_question_experience_figures"),
        ("experiences", "0007_replies_under_posts"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
