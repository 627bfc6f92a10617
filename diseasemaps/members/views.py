from allauth.account.decorators import reauthentication_required
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from diseasemaps.conditions.models import Condition
from diseasemaps.core.ratelimit import limit_member_reads
from diseasemaps.members import services
from diseasemaps.members.forms import (
    AvatarForm,
    EraseAccountForm,
    MemberConditionForm,
    ProfileForm,
)
from diseasemaps.members.models import MemberCondition, MemberProfile
from diseasemaps.members.uploads import oversized_uploads


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SignupView(AllauthSignupView):
    """
    allauth's sign-up, except that a pseudonym taken by another sign-up between the form's
    check and the insert (services.save_profile) is shown as a form error, not a server error.
    Nothing was written: the account adapter creates the user and profile in one transaction.
    """

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _apply_errors(form, error)
            return self.form_invalid(form)


signup = SignupView.as_view()


def _own_condition(request, pk: int) -> MemberCondition:
    """One row of the member's own list; anyone else's is a 404, never a 403 that confirms it."""
    return get_object_or_404(
        MemberCondition.objects.select_related("condition"), pk=pk, user=request.user
    )


def _profile(request) -> MemberProfile:
    return get_object_or_404(MemberProfile, user=request.user)


@never_cache
@login_required
def account(request):
    return render(request, "members/account.html", {"profile": _profile(request)})


@never_cache
@login_required
def profile(request):
    member_profile = _profile(request)
    initial = {
        "display_name": member_profile.display_name,
        "bio": member_profile.bio,
        "is_bio_public": member_profile.is_bio_public,
    }
    form = ProfileForm(request.POST or None, initial=initial, profile=member_profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(profile=member_profile, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("members:profile")
    return render(
        request,
        "members/profile.html",
        {"profile": member_profile, "form": form, "avatar_form": AvatarForm()},
    )


@never_cache
@login_required
def avatar(request):
    member_profile = _profile(request)
    if request.method != "POST":
        return redirect("members:profile")
    # Reading request.FILES runs the upload handlers, which note an upload cut off for size.
    files = request.FILES
    form = AvatarForm(request.POST, files, oversized=oversized_uploads(request))
    if form.is_valid():
        try:
            services.set_avatar(profile=member_profile, upload=form.cleaned_data["avatar"])
        except ValidationError as error:
            form.add_error("avatar", error)
            # The storage failing is our fault, not the file's.
            status = 503 if error.code == "not_stored" else 400
        else:
            messages.success(request, "Your picture is saved.")
            return redirect("members:profile")
    else:
        status = 400
    profile_form = ProfileForm(
        initial={
            "display_name": member_profile.display_name,
            "bio": member_profile.bio,
            "is_bio_public": member_profile.is_bio_public,
        },
        profile=member_profile,
    )
    return render(
        request,
        "members/profile.html",
        {"profile": member_profile, "form": profile_form, "avatar_form": form},
        status=status,
    )


@never_cache
@login_required
@require_POST
def avatar_remove(request):
    services.remove_avatar(profile=_profile(request))
    messages.success(request, "Your picture is removed.")
    return redirect("members:profile")


def _conditions_page(request, *, add_form, edited=None, next_url=None, status=200):
    """My list, each row with its change form (the one just posted, with its errors, if any)."""
    rows = (
        MemberCondition.objects.filter(user=request.user)
        .select_related("condition")
        .order_by("condition__name")
    )
    forms = []
    for row in rows:
        if edited is not None and edited.member_condition.pk == row.pk:
            forms.append((row, edited))
        else:
            forms.append((row, MemberConditionForm(member_condition=row, prefix=f"mc{row.pk}")))
    return render(
        request,
        "members/conditions.html",
        {
            "form": add_form,
            "rows": forms,
            "next_url": next_url,
            "notice_version": settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION,
        },
        status=status,
    )


@never_cache
@login_required
def conditions(request):
    """
    The conditions I live with: the list, and a form to add one (with consent). A member sent
    here on their way somewhere (sharing an experience needs the condition on their list) goes
    back there once it is added: `next`, a page on this site only.
    """
    initial = {}
    if slug := request.GET.get("condition"):
        initial["condition"] = Condition.objects.filter(slug=slug).first()
    next_url = get_next_redirect_url(request)
    form = MemberConditionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_condition = services.add_condition(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{member_condition.condition.display_name} is on your list.")
            return redirect(next_url or "members:conditions")
    return _conditions_page(
        request, add_form=form, next_url=next_url, status=400 if request.method == "POST" else 200
    )


@never_cache
@login_required
@require_POST
def condition_edit(request, pk: int):
    row = _own_condition(request, pk)
    form = MemberConditionForm(request.POST, member_condition=row, prefix=f"mc{row.pk}")
    if form.is_valid():
        try:
            services.update_condition(member_condition=row, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Your changes to {row.condition.display_name} are saved.")
            return redirect("members:conditions")
    return _conditions_page(request, add_form=MemberConditionForm(), edited=form, status=400)


@never_cache
@login_required
@require_POST
def condition_remove(request, pk: int):
    row = _own_condition(request, pk)
    name = row.condition.display_name
    services.withdraw_condition(member_condition=row)
    messages.success(request, f"{name} is deleted from your list and your consent withdrawn.")
    return redirect("members:conditions")


@never_cache
@login_required
@reauthentication_required
def export(request):
    """Download all my data: one JSON file, after re-authentication."""
    if request.method != "POST":
        return render(request, "members/export.html")
    response = HttpResponse(
        services.export_json(user=request.user), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="diseasemaps-my-data-{stamp}.json"'
    add_never_cache_headers(response)
    return response


@never_cache
@login_required
@reauthentication_required
def delete_account(request):
    form = EraseAccountForm(request.POST or None)
    if request.user.is_staff:
        return render(request, "members/delete.html", {"form": None}, status=403)
    if request.method == "POST" and form.is_valid():
        user = request.user
        services.erase_account(user=user, keep_posts=form.cleaned_data["keep_posts"])
        logout(request)
        messages.success(request, "Your account and your data are deleted. Take care.")
        return redirect("pages:home")
    return render(request, "members/delete.html", {"form": form})


def privacy_notice(request):
    return render(
        request,
        "members/privacy_notice.html",
        {
            "version": settings.DISEASEMAPS_PRIVACY_NOTICE_VERSION,
            "version_date": services.privacy_notice_date(),
        },
    )


@limit_member_reads
def member_detail(request, public_id: str):
    """A member's public page: only what they made public, as the viewer may see it."""
    member_profile = get_object_or_404(
        MemberProfile.objects.filter(user__is_active=True), public_id=public_id
    )
    shared = (
        MemberCondition.objects.visible_to(request.user)
        .filter(user_id=member_profile.user_id)
        .select_related("condition")
        .order_by("condition__name")
    )
    response = render(
        request,
        "members/member_detail.html",
        {
            "profile": member_profile,
            "shared_conditions": shared,
            "is_own_page": request.user.is_authenticated
            and request.user.pk == member_profile.user_id,
        },
    )
    if request.user.is_authenticated:
        # What a logged-in member sees includes "members only" rows: never for a shared cache.
        add_never_cache_headers(response)
    return response
