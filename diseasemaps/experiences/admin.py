from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from diseasemaps.experiences import services
from diseasemaps.experiences.models import Experience, Treatment


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ["name", "condition"]
    list_filter = ["condition"]
    search_fields = ["name", "condition__name"]


@admin.register(Experience)
class ExperienceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "condition", "status", "audience", "is_hidden", "created_at"]
    list_filter = ["status", "is_hidden", "audience", "condition"]
    list_select_related = ["condition", "question"]
    search_fields = ["body"]
    fields = [
        "condition",
        "question",
        "author",
        "audience",
        "status",
        "is_hidden",
        "body",
        "treatments",
        "years_since_diagnosis",
        "moderator_note",
        "approved_at",
        "created_at",
    ]
    readonly_fields = [
        "condition",
        "question",
        "author",
        "audience",
        "status",
        "body",
        "treatments",
        "years_since_diagnosis",
        "approved_at",
        "created_at",
    ]
    actions = ["approve"]

    def has_add_permission(self, request) -> bool:
        return False  # members write posts on the site

    @admin.action(description="Approve the selected posts", permissions=["moderate"])
    def approve(self, request, queryset):
        for experience in queryset:
            try:
                services.approve_experience(experience=experience, moderator=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{experience}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{experience}: approved.", messages.SUCCESS)

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("experiences.moderate_experience")
