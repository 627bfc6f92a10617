from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction

from diseasemaps.members import services
from diseasemaps.members.forms import clean_display_name
from diseasemaps.members.models import (
    MemberCondition,
    MemberProfile,
    ReviewerProfile,
    User,
    normalize_email,
)


class NormalizedEmailMixin:
    """The address in lower case before the form checks it is free, as it will be stored."""

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data.get("email"))


class UserCreationForm(NormalizedEmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(NormalizedEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]},
        ),
    ]
    filter_horizontal = ["groups"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.save_account(user=obj)
        else:
            super().save_model(request, obj, form, change)

    # Deleting accounts here goes through the same erasure as "Delete my account"
    # (members.services.erase_account): the confirmation pages ask what happens to the posts.
    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(obj.pk == request.user.pk for obj in objs):
            perms_needed = {*perms_needed, "your own account (another administrator closes it)"}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj) -> None:
        services.erase_account(user=obj, keep_posts=_keeps_posts(request), closed_by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        keep_posts = _keeps_posts(request)
        with transaction.atomic():
            for user in queryset.order_by("pk"):
                services.erase_account(user=user, keep_posts=keep_posts, closed_by=request.user)


def _keeps_posts(request) -> bool:
    """The confirmation page's choice; without one, the posts go, as on "Delete my account"."""
    return request.POST.get("keep_posts") == "keep"


class MemberProfileForm(forms.ModelForm):
    class Meta:
        model = MemberProfile
        fields = ["user", "display_name", "bio", "is_bio_public"]

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"], exclude=self.instance)


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    """A pseudonym set here follows the same rules as at sign-up (services.save_profile)."""

    form = MemberProfileForm
    list_display = ["display_name", "user", "created_at"]
    search_fields = ["display_name", "user__email"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        services.save_profile(profile=obj)


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "specialty"]
    search_fields = ["display_name", "specialty"]
    prepopulated_fields = {"slug": ["display_name"]}
    raw_id_fields = ["user"]


@admin.register(MemberCondition)
class MemberConditionAdmin(admin.ModelAdmin):
    """
    Health data: only superusers hold these permissions; no staff role does. Only the member
    adds or changes a row (with their consent); the admin can look, and remove a row the same
    way the member would: the row is deleted and its consent marked withdrawn.
    """

    list_display = ["user", "condition", "relationship", "visibility", "is_counted"]
    list_filter = ["condition", "relationship", "visibility", "is_counted"]
    list_select_related = ["user", "condition"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        services.withdraw_condition(member_condition=obj)

    def delete_queryset(self, request, queryset) -> None:
        for member_condition in queryset:
            services.withdraw_condition(member_condition=member_condition)
