from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.core.pagecache import public_page
from diseasemaps.core.ratelimit import RateLimit, limit_member_reads, request_key
from diseasemaps.experiences import services
from diseasemaps.experiences.forms import ExperienceForm, ReplyForm, ReportForm
from diseasemaps.experiences.models import GUIDELINE_TEXT, Experience, Guideline, Reply

SHARE_LIMIT = RateLimit("share-experience", limit=5, period=3600)
EDIT_LIMIT = RateLimit("edit-experience", limit=20, period=3600)
REPORT_LIMIT = RateLimit("report-experience", limit=10, period=3600)
HELPFUL_LIMIT = RateLimit("helpful-experience", limit=120, period=3600)
REPLY_LIMIT = RateLimit("reply-experience", limit=10, period=3600)


def _add_errors(form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has it."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error))


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _is_invalid(request, form: ExperienceForm) -> bool:
    """A posted form whose fields do not validate (too long, say): the page answers 400."""
    return request.method == "POST" and not form.is_valid()


def _run_form(request, form, *, limit: RateLimit, save):
    """
    The steps of the share, edit and reply forms. Returns the saved post or reply, or None when
    the page must be shown again: a preview, a warning to confirm, or an error (the text kept).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    if request.POST.get("action") != ExperienceForm.SUBMIT:
        return None
    if form.needs_confirmation():
        form.add_error(
            "confirm_personal_data",
            "Please remove these details, or tick the box to say they are fine to share.",
        )
        return None
    if limit.hit(request_key(request)):
        form.add_error(
            None,
            f"You have posted {limit.limit} times in the last hour, the most we allow. "
            "Your text is still here: please try again later.",
        )
        return None
    try:
        return save(**form.service_arguments())
    except (ValidationError, PermissionDenied) as error:
        _add_errors(form, error)
        return None


@login_required
def share(request, condition_slug: str, question_slug: str | None = None):
    """Share an experience on a question, or on the condition in general."""
    condition = get_object_or_404(Condition, slug=condition_slug)
    question = None
    if question_slug is not None:
        question = get_object_or_404(
            Question.objects.published(), condition=condition, slug=question_slug
        )
    context = {"condition": condition, "question": question}
    if not services.may_share_on(request.user, condition):
        return render(request, "experiences/add_condition_first.html", context)
    if services.is_suspended(request.user):
        return render(request, "experiences/suspended.html", context, status=403)
    form = ExperienceForm(request.POST or None, condition=condition)

    def save(**arguments):
        return services.submit_experience(
            author=request.user,
            condition=condition,
            question=question,
            submission_key=form.cleaned_data.get("submission_key") or "",
            **arguments,
        )

    invalid = _is_invalid(request, form)
    experience = _run_form(request, form, limit=SHARE_LIMIT, save=save)
    if experience is not None:
        if experience.is_visible:
            messages.success(request, "Thank you for sharing. Your post is published.")
            return redirect(experience.get_page_url())
        messages.success(
            request,
            "Thank you for sharing. A moderator will read your post soon; you will get an "
            "e-mail when it is published.",
        )
        return redirect(experience)
    return render(
        request,
        "experiences/share_form.html",
        {**context, "form": form},
        status=400 if invalid else 200,
    )


@login_required
def edit(request, pk: int):
    experience = get_object_or_404(
        Experience.objects.select_related("condition", "question"), pk=pk, author=request.user
    )
    if services.is_suspended(request.user):
        return render(
            request,
            "experiences/suspended.html",
            {"condition": experience.condition, "question": experience.question},
            status=403,
        )
    if request.method == "POST":
        form = ExperienceForm(request.POST, condition=experience.condition)
    else:
        form = ExperienceForm.for_experience(experience)

    def save(**arguments):
        return services.edit_experience(experience=experience, editor=request.user, **arguments)

    invalid = _is_invalid(request, form)
    saved = _run_form(request, form, limit=EDIT_LIMIT, save=save)
    if saved is not None:
        if saved.has_pending_edit:
            messages.success(
                request,
                "Your changes are saved. Readers see the approved text until a moderator "
                "approves them.",
            )
        else:
            messages.success(request, "Your changes are saved.")
        return redirect(saved)
    return render(
        request,
        "experiences/share_form.html",
        {
            "form": form,
            "experience": experience,
            "condition": experience.condition,
            "question": experience.question,
        },
        status=400 if invalid else 200,
    )


@login_required
def delete(request, pk: int):
    experience = get_object_or_404(
        Experience.objects.select_related("condition", "question"), pk=pk, author=request.user
    )
    if request.method == "POST":
        services.delete_experience(experience=experience, actor=request.user)
        messages.success(request, "Your post is deleted.")
        return redirect("experiences:mine")
    return render(request, "experiences/experience_confirm_delete.html", {"experience": experience})


@limit_member_reads
def detail(request, pk: int):
    """
    A post's own page. Members-only posts show their text to members only; the page is kept
    out of search engines, since the post's home is its question page.
    """
    experience = get_object_or_404(
        Experience.objects.visible_to(request.user)
        .for_display(viewer=request.user)
        .select_related("condition", "question__condition"),
        pk=pk,
    )
    return _detail_page(request, experience)


def _detail_page(request, experience: Experience, *, reply_form=None, status: int = 200):
    """The permalink, with the reply form for members who may reply (or the one they sent)."""
    if reply_form is None and _may_reply(request.user, experience):
        answering = request.GET.get("reply_to", "")
        initial = {"in_reply_to": int(answering)} if answering.isdigit() else {}
        reply_form = ReplyForm(experience=experience, initial=initial)
    response = render(
        request,
        "experiences/experience_detail.html",
        {
            "experience": experience,
            "condition": experience.condition,
            "question": experience.question,
            "reply_form": reply_form,
            "reply_suspended": request.user.is_authenticated
            and reply_form is None
            and services.is_suspended(request.user),
        },
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _may_reply(user, experience: Experience) -> bool:
    return (
        user.is_authenticated
        and experience.is_visible
        and services.may_reply_to(user, experience)
        and not services.is_suspended(user)
    )


@login_required
@limit_member_reads
def reply(request, pk: int):
    """
    Reply under a post. The form sits on the post's permalink; it posts here, and an error
    shows the permalink again with everything typed kept.
    """
    experience = get_object_or_404(
        Experience.objects.visible()
        .for_display(viewer=request.user)
        .select_related("condition", "question__condition"),
        pk=pk,
    )
    if request.method != "POST":
        return redirect(f"{experience.get_absolute_url()}#reply-form")
    context = {"condition": experience.condition, "question": experience.question}
    if not services.may_reply_to(request.user, experience):
        return render(request, "experiences/add_condition_first.html", context)
    if services.is_suspended(request.user):
        return render(request, "experiences/suspended.html", context, status=403)
    form = ReplyForm(request.POST, experience=experience)

    def save(**arguments):
        return services.submit_reply(
            author=request.user,
            experience=experience,
            submission_key=form.cleaned_data.get("submission_key") or "",
            **arguments,
        )

    invalid = _is_invalid(request, form)
    saved = _run_form(request, form, limit=REPLY_LIMIT, save=save)
    if saved is None:
        return _detail_page(request, experience, reply_form=form, status=400 if invalid else 200)
    if saved.is_visible:
        messages.success(request, "Your reply is published.")
    else:
        messages.success(
            request,
            "Thank you. A moderator will read your reply soon; until then only you can see it.",
        )
    return redirect(saved)


@login_required
def reply_delete(request, pk: int):
    reply = get_object_or_404(
        Reply.objects.select_related("experience"), pk=pk, author=request.user
    )
    if request.method == "POST":
        services.delete_reply(reply=reply, actor=request.user)
        messages.success(request, "Your reply is deleted.")
        return redirect(reply.experience)
    return render(request, "experiences/reply_confirm_delete.html", {"reply": reply})


@login_required
@require_POST
def helpful(request, pk: int):
    """ "This helped me": toggled by a plain form, so it works without JavaScript."""
    experience = get_object_or_404(Experience.objects.visible(), pk=pk)
    fallback = experience.get_page_url()
    if HELPFUL_LIMIT.hit(request_key(request)):
        messages.error(request, "That was a lot of clicks in an hour. Please try again later.")
        return redirect(_next_url(request, fallback))
    try:
        services.toggle_helpful(experience=experience, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect(_next_url(request, fallback))


@login_required
@limit_member_reads
def report(request, pk: int):
    experience = get_object_or_404(
        Experience.objects.visible().select_related("condition", "question__condition"), pk=pk
    )
    return _report_page(
        request,
        file=lambda **data: services.report_experience(experience=experience, **data),
        reported=experience,
        back_url=experience.get_page_url(),
        context={"experience": experience, "condition": experience.condition},
    )


@login_required
@limit_member_reads
def reply_report(request, pk: int):
    reply = get_object_or_404(
        Reply.objects.visible().select_related("experience__condition"), pk=pk
    )
    return _report_page(
        request,
        file=lambda **data: services.report_reply(reply=reply, **data),
        reported=reply,
        back_url=reply.get_absolute_url(),
        context={"reply": reply, "experience": reply.experience},
    )


def _report_page(request, *, file, reported, back_url: str, context: dict):
    """The report form, for a post or a reply: `file` saves the report through the services."""
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if REPORT_LIMIT.hit(request_key(request)):
            form.add_error(
                None, "You have sent many reports in the last hour. Please try again later."
            )
        else:
            try:
                file(
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except (ValidationError, PermissionDenied) as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, "Thank you. Only the moderators see your report; they will look at it."
                )
                return redirect(back_url)
    return render(
        request,
        "experiences/report_form.html",
        {**context, "form": form, "reported": reported, "back_url": back_url},
    )


@login_required
def mine(request):
    """A member's own posts in every state, with what waits and what they can do."""
    experiences = (
        Experience.objects.filter(author=request.user)
        .select_related("condition", "question__condition")
        .order_by("-created_at", "-pk")
    )
    return render(request, "experiences/my_experiences.html", {"experiences": experiences})


@public_page(tags=lambda: [])
def guidelines(request) -> HttpResponse:
    rules = [(guideline, GUIDELINE_TEXT[guideline]) for guideline in Guideline]
    return render(request, "experiences/guidelines.html", {"rules": rules})
