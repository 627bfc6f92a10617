from itertools import groupby

from django.shortcuts import render
from django.urls import reverse

from diseasemaps.conditions.models import Condition
from diseasemaps.core.seo import ShareMeta, breadcrumbs, describe


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
