"""
The community's pages: following (one POST form, no JavaScript needed), notifications, e-mail
choices and the one-click unsubscribe. All are a member's own, never cached; the unsubscribe
link is the one page without a log-in, its signed key being the authorisation.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from diseasemaps.answers.views import published_question
from diseasemaps.community import services
from diseasemaps.community.forms import PreferencesForm
from diseasemaps.community.models import Notification
from diseasemaps.conditions.models import Condition

NOTIFICATIONS_PER_PAGE = 25


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _follow_view(request, *, on: bool, condition=None, question=None):
    target = question or condition
    if request.method != "POST":
        # The button lives on the page; a GET here (after logging in, say) goes back to it.
        return redirect(target.get_absolute_url())
    name = question.title if question else condition.display_name
    if on:
        services.follow(user=request.user, condition=condition, question=question)
        messages.success(request, f"You follow {name}. Only you can see what you follow.")
    else:
        services.unfollow(user=request.user, condition=condition, question=question)
        messages.success(request, f"You no longer follow {name}.")
    return redirect(_next_or(request, target.get_absolute_url()))


@never_cache
@login_required
def follow_condition(request, condition_slug: str, on: bool = True):
    condition = get_object_or_404(Condition, slug=condition_slug)
    return _follow_view(request, on=on, condition=condition)


@never_cache
@login_required
def follow_question(request, condition_slug: str, slug: str, on: bool = True):
    question = published_question(condition_slug, slug)
    return _follow_view(request, on=on, question=question)


@never_cache
@login_required
def following(request):
    return render(
        request, "community/following.html", {"follows": services.follows_of(request.user)}
    )


@never_cache
@login_required
def notifications(request):
    listed = Notification.objects.for_user(request.user).order_by("-created_at", "-pk")
    page = Paginator(listed, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "community/notifications.html", {"page": page})


@never_cache
@login_required
def open_notification(request, pk: int):
    """Opening a notification marks it read and leads to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(notification=notification)
    return redirect(notification.url)


@never_cache
@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    messages.success(request, "All your notifications are marked read.")
    return redirect("community:notifications")


@never_cache
@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial=services.frequencies_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.set_frequencies(user=request.user, frequencies=form.cleaned_data)
        messages.success(request, "Your e-mail choices are saved.")
        return redirect("community:preferences")
    return render(
        request,
        "community/preferences.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@csrf_exempt  # RFC 8058: a mail client POSTs the link as is; the signed key is the authorisation
def unsubscribe(request, token: str):
    """
    GET shows what the link stops and a button; POST (the button, or a mail client's one-click
    "List-Unsubscribe=One-Click") stops it. No log-in: the link is signed for one member and one
    kind of e-mail. GET never changes anything, since mail scanners follow links.
    """
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "community/unsubscribe_invalid.html", status=400)
    user, scope = found
    label = services.scope_label(scope)
    if request.method == "POST":
        services.unsubscribe(user=user, scope=scope)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain; charset=utf-8")
        return render(request, "community/unsubscribe_done.html", {"label": label})
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(
        request,
        "community/unsubscribe.html",
        {"label": label, "site_url": settings.DISEASEMAPS_SITE_URL},
    )
