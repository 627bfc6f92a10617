from django.contrib import admin
from django.db.models import Count

from diseasemaps.conditions.models import Condition, ConditionAlias
from diseasemaps.conditions.signals import condition_text_changed


class AliasInline(admin.TabularInline):
    model = ConditionAlias
    extra = 1


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "slug", "question_count"]
    search_fields = ["name", "abbreviation", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    # The experiences app adds its treatments inline (experiences.admin).
    inlines = [AliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, condition: Condition) -> int:
        return condition.question_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Names and aliases are saved only now, with the inlines: announce them as saved.
        condition_text_changed.send(sender=Condition, condition=form.instance)
