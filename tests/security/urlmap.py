"""
Every URL of the site, walked from the URLconf, and the authorization matrix: for each URL that
names an object, an instance of it from the test world and who may GET and POST it.

A new URL with a parameter that is not classified here fails tests/security/test_authorization.py
until someone says who may open it.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import (
    EDITOR,
    LOGGED_IN,
    MEMBER_A,
    MEMBER_B,
    MODERATOR,
    REVIEWER,
    ROLES,
    World,
)

MISSING = 2_000_000_000
EVERYONE = set(ROLES)


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    has_parameters: bool


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            has_parameters = bool(re.search(r"<\w|\(\?P<", route))
            yield Route(name=name, route=route, has_parameters=has_parameters)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver()))


# Parameterised URLs that name no object a role could be authorised for, and why.
NOT_OBJECTS = {
    "account_confirm_email": "the key in the link is the authorisation (allauth checks it)",
    "account_reset_password_from_key": "the key in the link is the authorisation (allauth)",
    "admin:app_list": "an app label, not an object; each model page checks its own permission",
    "admin:catch_all": "the admin's catch-all for unknown admin URLs (answers 404)",
    "community:unsubscribe": "the signed key in the link is the authorisation (RFC 8058: "
    "no log-in); tests/community/test_emails.py refuses changed keys",
}


@dataclass
class Case:
    """One object URL: who may GET it (and gets `get_status`), who may POST to it."""

    label: str
    url: str
    missing_url: str
    get: set[str]
    post: set[str]
    get_status: int = 200
    data: dict = field(default_factory=dict)
    is_admin: bool = False


def _swap(url: str, real, missing) -> str:
    return url.replace(f"/{real}/", f"/{missing}/", 1)


def site_cases(world: World) -> dict[str, list[Case]]:
    """The site's object URLs, by URL name."""
    q = world["question"]
    unpublished = world["unpublished question"]
    condition = world["condition"]
    a = world.users[MEMBER_A]
    cases: dict[str, list[Case]] = {}

    def add(name, label, kwargs, *, get, post, missing=None, get_status=200, data=None):
        url = reverse(name, kwargs=kwargs)
        missing_url = reverse(name, kwargs=missing) if missing else url
        cases.setdefault(name, []).append(
            Case(label, url, missing_url, set(get), set(post), get_status, data or {})
        )

    q_kwargs = {"condition_slug": condition.slug, "slug": q.slug}
    unpublished_kwargs = {"condition_slug": condition.slug, "slug": unpublished.slug}
    no_question = {"condition_slug": condition.slug, "slug": "no-such-question"}
    add("pages:condition", "a condition", {"slug": condition.slug}, get=EVERYONE, post=EVERYONE)
    for name in ("pages:question", "answers:question-history", "answers:feedback-thanks"):
        add(name, "a published question", q_kwargs, get=EVERYONE, post=EVERYONE)
        add(name, "a question in draft", unpublished_kwargs, get=(), post=(), missing=no_question)
    for name, data in (
        ("answers:feedback-helpful", {"is_helpful": "yes", "message": ""}),
        ("answers:feedback-error", {"message": "The second sentence is wrong."}),
    ):
        add(name, "a published question", q_kwargs, get=EVERYONE, post=EVERYONE, data=data)
        add(
            name,
            "a question in draft",
            unpublished_kwargs,
            get=(),
            post=(),
            missing=no_question,
            data=data,
        )
    for on in ("follow", "unfollow"):
        # A GET goes back to the page with the button; a POST follows, as any logged-in person.
        add(
            f"community:{on}-condition",
            "a condition",
            {"condition_slug": condition.slug},
            get=LOGGED_IN,
            post=LOGGED_IN,
            get_status=302,
            missing={"condition_slug": "no-such-condition"},
        )
        add(
            f"community:{on}-question",
            "a published question",
            q_kwargs,
            get=LOGGED_IN,
            post=LOGGED_IN,
            get_status=302,
            missing=no_question,
        )
        add(
            f"community:{on}-question",
            "a question in draft",
            unpublished_kwargs,
            get=(),
            post=(),
            missing=no_question,
        )
    add(
        "community:open",
        "A's notification",
        {"pk": world["A's notification"].pk},
        get={MEMBER_A},
        post={MEMBER_A},
        get_status=302,
        missing={"pk": MISSING},
    )
    add(
        "pages:ask-question",
        "a condition",
        {"slug": condition.slug},
        get=LOGGED_IN,
        post=LOGGED_IN,
        missing={"slug": "no-such-condition"},
        data={"text": "Can it come back years after surgery?"},
    )
    reviewer_slug = world.users[REVIEWER].reviewer_profile.slug
    add("answers:reviewer", "a reviewer", {"slug": reviewer_slug}, get=EVERYONE, post=EVERYONE)
    add(
        "experiences:share-condition",
        "a condition",
        {"condition_slug": condition.slug},
        get=LOGGED_IN,
        post=LOGGED_IN,
        missing={"condition_slug": "no-such-condition"},
    )
    add(
        "experiences:share",
        "a published question",
        {"condition_slug": condition.slug, "question_slug": q.slug},
        get=LOGGED_IN,
        post=LOGGED_IN,
        missing={"condition_slug": condition.slug, "question_slug": "no-such-question"},
    )
    add(
        "experiences:share",
        "a question in draft",
        {"condition_slug": condition.slug, "question_slug": unpublished.slug},
        get=(),
        post=(),
        missing={"condition_slug": condition.slug, "question_slug": "no-such-question"},
    )
    edit_data = {"body": "A new text for my post, long enough.", "audience": "everyone"}
    edit_data["action"] = "submit"
    for label, readers in (
        ("A public post", EVERYONE),
        ("A members-only post", EVERYONE),  # the page; its text: test_canaries.py
        ("A pending post", {MEMBER_A, MODERATOR}),
        ("A rejected post", {MEMBER_A, MODERATOR}),
        ("A hidden post", {MEMBER_A, MODERATOR}),
        ("B public post", EVERYONE),
    ):
        experience = world[label]
        pk = {"pk": experience.pk}
        missing = {"pk": MISSING}
        author = MEMBER_A if label.startswith("A ") else MEMBER_B
        add("experiences:detail", label, pk, get=readers, post=readers, missing=missing)
        add(
            "experiences:edit",
            label,
            pk,
            get={author},
            post={author},
            missing=missing,
            data=edit_data,
        )
        add("experiences:delete", label, pk, get={author}, post={author}, missing=missing)
        visible = experience.is_visible
        add(
            "experiences:helpful",
            label,
            pk,
            get=(LOGGED_IN if visible else ()),
            post=(LOGGED_IN if visible else ()),
            missing=missing,
            get_status=405,
        )
        add(
            "experiences:report",
            label,
            pk,
            get=(LOGGED_IN if visible else ()),
            post=(LOGGED_IN if visible else ()),
            missing=missing,
            data={"reason": "other", "details": "Please look at this."},
        )
    reply_data = {"body": "Which centre was it?", "action": "submit"}
    for label, visible in (
        ("A public post", True),
        ("A members-only post", True),
        ("A pending post", False),
        ("A hidden post", False),
    ):
        # Any member may open a visible post's reply form (it redirects to the form on the
        # post's page); only those with the condition on their profile can send it (services).
        add(
            "experiences:reply",
            label,
            {"pk": world[label].pk},
            get=(LOGGED_IN if visible else ()),
            post=(LOGGED_IN if visible else ()),
            missing={"pk": MISSING},
            get_status=302,
            data=reply_data,
        )
    for label, author, visible in (
        ("A pending reply", MEMBER_A, False),
        ("A members-only reply", MEMBER_A, True),
        ("B public reply", MEMBER_B, True),
    ):
        pk = {"pk": world[label].pk}
        missing = {"pk": MISSING}
        add("experiences:reply-delete", label, pk, get={author}, post={author}, missing=missing)
        add(
            "experiences:reply-report",
            label,
            pk,
            get=(LOGGED_IN if visible else ()),
            post=(LOGGED_IN if visible else ()),
            missing=missing,
            data={"reason": "other", "details": "Please look at this."},
        )
    for label in ("A only-me condition", "A members condition", "B condition"):
        row = world[label]
        owner = MEMBER_A if row.user == a else MEMBER_B
        pk = {"pk": row.pk}
        data = {
            f"mc{row.pk}-relationship": "living_with",
            f"mc{row.pk}-visibility": "everyone",
        }
        add(
            "members:condition_edit",
            label,
            pk,
            get={owner},
            post={owner},
            missing={"pk": MISSING},
            get_status=405,
            data=data,
        )
        add(
            "members:condition_remove",
            label,
            pk,
            get={owner},
            post={owner},
            missing={"pk": MISSING},
            get_status=405,
        )
    add(
        "members:detail",
        "A's member page",
        {"public_id": a.member_profile.public_id},
        get=EVERYONE,
        post=EVERYONE,
        missing={"public_id": "no-such-member"},
    )
    add(
        "members:detail",
        "a member who left",
        {"public_id": world["inactive member"].member_profile.public_id},
        get=(),
        post=(),
        missing={"public_id": "no-such-member"},
    )
    return cases


# Who may open an object's page in the admin: (view, change, delete), by model. Superusers are
# not a role here. Reviewers and editors never see members, their e-mail addresses or health data.
ADMIN_ACCESS: dict[str, tuple[set[str], set[str], set[str]]] = {
    "auth.group": (set(), set(), set()),
    "account.emailaddress": (set(), set(), set()),
    "mfa.authenticator": (set(), set(), set()),
    "usersessions.usersession": (set(), set(), set()),
    "members.user": (set(), set(), set()),
    "members.memberprofile": (set(), set(), set()),
    "members.membercondition": (set(), set(), set()),
    "members.reviewerprofile": ({REVIEWER}, set(), set()),
    "conditions.condition": ({EDITOR, REVIEWER, MODERATOR}, {EDITOR}, set()),
    "answers.answerrevision": ({EDITOR, REVIEWER}, {EDITOR, REVIEWER}, set()),
    "answers.source": ({EDITOR, REVIEWER}, {EDITOR, REVIEWER}, {EDITOR, REVIEWER}),
    "answers.answerfeedback": ({EDITOR, REVIEWER}, {REVIEWER}, set()),
    "answers.question": ({EDITOR, REVIEWER, MODERATOR}, {EDITOR, REVIEWER}, set()),
    # Members' own words: editorial triage only (they never see who asked).
    "answers.questionsuggestion": ({EDITOR}, {EDITOR}, set()),
    "experiences.treatment": ({EDITOR, MODERATOR}, {EDITOR}, set()),
    "experiences.experience": ({MODERATOR}, {MODERATOR}, set()),
    "experiences.report": ({MODERATOR}, set(), set()),
    "experiences.reply": ({MODERATOR}, {MODERATOR}, set()),
    "experiences.replyreport": ({MODERATOR}, set(), set()),
    "experiences.moderationdecision": ({MODERATOR}, set(), set()),
    "experiences.memberstanding": ({MODERATOR}, {MODERATOR}, set()),
    # Queued e-mails hold addresses and texts: only superusers see the queue.
    "django_tasks_database.dbtaskresult": (set(), set(), set()),
}

# The object of each model the matrix opens in the admin.
ADMIN_OBJECTS = {
    "auth.group": "group",
    "account.emailaddress": "email address",
    "mfa.authenticator": "authenticator",
    "usersessions.usersession": "user session",
    "members.user": MEMBER_A,
    "members.memberprofile": MEMBER_A,
    "members.membercondition": "A only-me condition",
    "members.reviewerprofile": REVIEWER,
    "conditions.condition": "condition",
    "answers.answerrevision": "draft",
    "answers.source": "source",
    "answers.answerfeedback": "feedback",
    "answers.question": "unpublished question",
    "answers.questionsuggestion": "suggestion",
    "experiences.treatment": "treatment",
    "experiences.experience": "A pending post",
    "experiences.report": "report",
    "experiences.reply": "A pending reply",
    "experiences.replyreport": "reply report",
    "experiences.moderationdecision": "decision",
    "experiences.memberstanding": "standing",
    "django_tasks_database.dbtaskresult": "queued e-mail",
}

# The admin's own extra object pages: suffix → (who may GET, who may POST).
ADMIN_EXTRA = {
    ("answers.answerrevision", "preview"): ({EDITOR, REVIEWER}, {EDITOR, REVIEWER}),
    ("answers.answerrevision", "diff"): ({EDITOR, REVIEWER}, {EDITOR, REVIEWER}),
    ("answers.answerrevision", "review"): ({REVIEWER}, {REVIEWER}),
    ("members.user", "password"): (set(), set()),
}

_ADMIN_OBJECT_ROUTE = re.compile(
    r"^admin/(?P<app>\w+)/(?P<model>\w+)/<(?:path:|int:)?(?:object_id|id)>/(?P<suffix>\w*)/?$"
)


def _admin_pk(world: World, model_key: str):
    target = ADMIN_OBJECTS[model_key]
    obj = world.users.get(target) or world[target]
    if model_key == "members.memberprofile":
        obj = obj.member_profile
    if model_key == "members.reviewerprofile":
        obj = obj.reviewer_profile
    return obj.pk


def admin_case(world: World, route: Route) -> Case | None:
    """The case for one admin object URL, or None when the route is not one."""
    match = _ADMIN_OBJECT_ROUTE.match(route.route)
    if match is None:
        return None
    model_key = f"{match['app']}.{match['model']}"
    suffix = match["suffix"]
    if model_key not in ADMIN_ACCESS:
        raise LookupError(f"{route.route}: add {model_key} to ADMIN_ACCESS and ADMIN_OBJECTS")
    view, change, delete = ADMIN_ACCESS[model_key]
    pk = _admin_pk(world, model_key)
    url = "/" + route.route.split("<", 1)[0] + f"{pk}/" + (f"{suffix}/" if suffix else "")
    missing_url = _swap(url, pk, MISSING)
    label = f"{model_key} {suffix or '(redirect to change)'}"
    if suffix == "change":
        return Case(label, url, missing_url, view, change, is_admin=True)
    if suffix == "history":
        return Case(label, url, missing_url, view, view, is_admin=True)
    if suffix == "delete":
        return Case(label, url, missing_url, delete, delete, is_admin=True)
    if suffix == "":
        # Redirects staff to the change page without looking the object up: nobody gets a 2xx.
        return Case(label, url, missing_url, set(), set(), is_admin=True)
    if (model_key, suffix) in ADMIN_EXTRA:
        get, post = ADMIN_EXTRA[(model_key, suffix)]
        return Case(label, url, missing_url, get, post, is_admin=True)
    raise LookupError(f"{route.route}: add ({model_key!r}, {suffix!r}) to ADMIN_EXTRA")


def view_on_site_cases(world: World) -> list[Case]:
    """The admin's "view on site" shortcut, which redirects to an object's page."""
    cases = []
    for model_key, roles in (
        ("members.memberprofile", set()),
        ("experiences.experience", {MODERATOR}),
        ("conditions.condition", {EDITOR, REVIEWER, MODERATOR}),
    ):
        model = apps.get_model(model_key)
        content_type = ContentType.objects.get_for_model(model)
        pk = _admin_pk(world, model_key)
        url = reverse("admin:view_on_site", args=[content_type.pk, pk])
        cases.append(
            Case(
                f"view on site: {model_key}",
                url,
                reverse("admin:view_on_site", args=[content_type.pk, MISSING]),
                roles,
                roles,
                get_status=302,
                is_admin=True,
            )
        )
    return cases


def classify(world: World) -> tuple[list[Case], list[str]]:
    """Every object URL's cases, and the parameterised routes nobody has classified."""
    site = site_cases(world)
    cases: list[Case] = []
    unknown: list[str] = []
    seen_site: set[str] = set()
    for route in all_routes():
        if not route.has_parameters:
            continue
        name = route.name or ("admin:catch_all" if route.route.endswith("(?P<url>.*)$") else None)
        if name in NOT_OBJECTS:
            continue
        if name == "admin:view_on_site":
            cases += view_on_site_cases(world)
            continue
        if route.route.startswith("admin/"):
            try:
                case = admin_case(world, route)
            except LookupError as error:
                unknown.append(str(error))
                continue
            if case is None:
                unknown.append(f"{route.route} ({name}): an admin URL the matrix cannot read")
            else:
                cases.append(case)
            continue
        if name in site:
            if name not in seen_site:
                cases += site[name]
                seen_site.add(name)
            continue
        unknown.append(f"{route.route} ({name}): add it to site_cases() or NOT_OBJECTS")
    return cases, unknown


def registered_admin_models() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


def row_counts() -> tuple[int, ...]:
    """The number of rows of every table, in one query: a write anywhere changes it."""
    tables = sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        # The rate limiter counts every attempt, reads included, by design: bookkeeping of its
        # own, not a write by the request.
        - {"core_ratelimitcounter"}
    )
    quote = connection.ops.quote_name
    # Table names from the models, quoted by the backend: no outside input reaches the SQL.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    sql = "SELECT " + counts
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())
