from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from diseasemaps.answers.jsonld import condition_jsonld, render_jsonld
from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.core.ratelimit import limit_member_reads
from diseasemaps.core.seo import ShareMeta, breadcrumbs, describe
from diseasemaps.experiences.models import Experience


def condition_list(request):
    """The A–Z index: every condition, grouped under its first letter."""
    conditions = Condition.objects.with_alias_names()
    letters = [
        (letter, list(group))
        for letter, group in groupby(conditions, key=lambda condition: condition.index_letter)
    ]
    crumbs = breadcrumbs()
    share = ShareMeta(
        path=reverse("conditions:index"),
        title="Conditions A–Z",
        description=describe(
            "Every condition on DiseaseMaps, from A to Z, with medically reviewed answers and "
            "members' experiences."
        ),
    )
    return render(
        request,
        "conditions/condition_list.html",
        {
            "letters": letters,
            "crumbs": crumbs,
            "share": share,
        },
    )


@limit_member_reads
def condition_detail(request, slug: str):
    condition = get_object_or_404(
        Condition.objects.with_member_count().with_alias_names(), slug=slug
    )
    questions = Question.objects.published().filter(condition=condition)
    recent_experiences = (
        Experience.objects.visible()
        .filter(condition=condition)
        .for_display(viewer=request.user)
        .select_related("question__condition")[:5]
    )
    crumbs = breadcrumbs(condition=condition)
    return render(
        request,
        "conditions/condition_detail.html",
        {
            "condition": condition,
            "questions": questions,
            "recent_experiences": recent_experiences,
            "crumbs": crumbs,
            "share": ShareMeta(
                path=condition.get_absolute_url(),
                title=condition.display_name,
                description=describe(condition.summary),
            ),
            "jsonld": render_jsonld(condition_jsonld(condition=condition)),
        },
    )
