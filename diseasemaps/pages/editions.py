"""
What a logged-in member sees of a question page beyond what every member sees: whether they
follow it, their unread notifications, their posts waiting for a moderator, the posts they found
helpful, their own posts and replies. Read in one query (`viewer_state`), whether the page is
made for them or filled in from the members' edition (core.pagecache.members_edition), the page
as every member sees it, made once per change.
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from diseasemaps.community.models import Follow, Notification
from diseasemaps.core.pagecache import Holes
from diseasemaps.core.prepared import PreparedQuery
from diseasemaps.experiences.models import Experience, Reaction, Reply
from diseasemaps.members.viewers import ANY_MEMBER, AnyMember, is_one_member


@dataclass(frozen=True)
class ViewerState:
    """A member's own on a question page."""

    following: bool = False
    unread_notifications: int = 0
    waiting: frozenset[int] = field(default_factory=frozenset)  # their posts not yet shown
    helpful: frozenset[int] = field(default_factory=frozenset)  # of the posts listed
    replied: frozenset[int] = field(default_factory=frozenset)  # of the posts listed


def _viewer_state_query(*, viewer: int, question: int, posts: list[int]) -> QuerySet:
    def rows(queryset: QuerySet, kind: str, column: str) -> QuerySet:
        return queryset.values_list(models.Value(kind), column).order_by()

    unread = Notification.objects.unread().filter(user_id=viewer).values("user")
    parts = [
        rows(Follow.objects.filter(user_id=viewer, question_id=question), "following", "pk"),
        rows(unread.annotate(count=models.Count("pk")), "unread", "count"),
        rows(
            Experience.objects.filter(author_id=viewer, question_id=question).waiting(),
            "waiting",
            "pk",
        ),
    ]
    if posts:
        parts += [
            rows(Reaction.objects.filter(user_id=viewer, experience_id__in=posts), "helpful",
                 "experience_id"),
            rows(Reply.objects.filter(author_id=viewer, experience_id__in=posts), "replied",
                 "experience_id"),
        ]  # fmt: skip
    return parts[0].union(*parts[1:], all=True)


_VIEWER_STATE = PreparedQuery(_viewer_state_query)


def viewer_state(viewer, *, question_id: int, post_ids=()) -> ViewerState:
    """
    What is the member's own on a question page listing `post_ids`, in one query (a UNION of
    one row set per figure, prepared once: core.prepared); nothing, and no query, for a
    visitor.
    """
    if not is_one_member(viewer):
        return ViewerState()
    found: dict[str, set[int]] = {}
    for kind, value in _VIEWER_STATE.run(
        viewer=viewer.pk, question=question_id, posts=list(post_ids)
    ):
        found.setdefault(kind, set()).add(value)
    return ViewerState(
        following=bool(found.get("following")),
        unread_notifications=max(found.get("unread", {0})),
        waiting=frozenset(found.get("waiting", ())),
        helpful=frozenset(found.get("helpful", ())),
        replied=frozenset(found.get("replied", ())),
    )


class _AnyStaffMember(AnyMember):
    is_staff = True


def member_parts(holes: Holes, *, follow: dict) -> dict:
    """
    The header's links and the follow button in each form a member may see (staff or not,
    with unread notifications or none; following or not), made once with the edition, with
    holes for the CSRF token and the number unread: filling them is then a lookup, not a
    render per request. They are made for stand-ins (members.viewers.AnyMember), so they hold
    nothing of anyone's own. `follow` holds the follow button's addresses and wording.
    """
    nav = {
        (staff, unread): render_to_string(
            "includes/_member_nav.html",
            {
                "user": _AnyStaffMember() if staff else ANY_MEMBER,
                "csrf_token": holes["csrf"],
                "unread_notifications": holes["unread"] if unread else 0,
            },
        )
        for staff in (False, True)
        for unread in (False, True)
    }
    buttons = {
        following: render_to_string(
            "community/_follow.html",
            {"user": ANY_MEMBER, "csrf_token": holes["csrf"], "following": following, **follow},
        )
        for following in (False, True)
    }
    return {"nav": nav, "follow": buttons}


def fill_question_page(request: HttpRequest, holes: Holes, body: str, facts: dict) -> str:
    """
    The members' edition of a question page (pages.views.question_detail) for the member who
    asked: their header, follow button, waiting posts, "This helped me" states, and their own
    posts and the posts they replied to, made for them as on a page made for them alone.
    """
    user = request.user
    token = get_token(request)
    posts = facts["posts"]  # pk: author's pk, in the order listed
    state = viewer_state(user, question_id=facts["question"], post_ids=posts)
    own = [pk for pk, author in posts.items() if author == user.pk or pk in state.replied]
    replace = {}
    if own:
        shown = Experience.objects.visible().filter(pk__in=own).for_display(viewer=user)
        for experience in shown:
            replace[experience.pk] = render_to_string(
                "experiences/_experience.html",
                {
                    "experience": experience,
                    "user": user,
                    "csrf_token": token,
                    "site_name": facts["site_name"],
                    "next": request.get_full_path(),
                    "show_context": False,
                },
            )
    parts = facts["parts"]

    def value(name: str, key: str | None) -> str:
        if name == "csrf":
            return token
        if name == "pressed":
            return "true" if int(key) in state.helpful else "false"
        if name == "unread":
            return str(state.unread_notifications)
        if name == "nav":
            form = (user.is_staff, bool(state.unread_notifications))
            return holes.fill(parts["nav"][form], value)
        if name == "follow":
            return holes.fill(parts["follow"][state.following], value)
        if name == "waiting":
            if not state.waiting:
                return ""
            waiting = Experience.objects.filter(pk__in=state.waiting)
            return render_to_string("experiences/_own_waiting.html", {"own_waiting": waiting})
        raise ValueError(f"a members' edition has a hole nobody fills: {name}")

    return holes.fill(body, value, replace=replace)
