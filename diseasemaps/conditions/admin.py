from django.contrib import admin
from django.db.models import Count

from diseasemaps.conditions import services
from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.experiences.models import Treatment


class AliasInline(admin.TabularInline):
    model = ConditionAlias
    extra = 1


class TreatmentInline(admin.TabularInline):
    model = Treatment
    extra = 1
    verbose_name_plural = "treatments members can say they had"


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "slug", "question_count"]
    search_fields = ["name", "abbreviation", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline, TreatmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, condition: Condition) -> int:
        return condition.question_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Names and aliases are saved only now, with the inlines: index them as saved.
        services.index_condition(condition=form.instance)
