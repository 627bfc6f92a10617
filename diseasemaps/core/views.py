from django.db.models import F
from django.shortcuts import render

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition


def home(request):
    conditions = Condition.objects.with_member_count().order_by("-member_count", "name")[:8]
    recently_reviewed = Question.objects.published().order_by(
        F("live_revision__updated_on").desc(nulls_last=True), "title"
    )[:6]
    return render(
        request,
        "core/home.html",
        {"conditions": conditions, "recently_reviewed": recently_reviewed},
    )
