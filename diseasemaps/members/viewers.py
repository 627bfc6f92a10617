"""
Who a page is made for. Most pages are made for one reader: a visitor (AnonymousUser) or a
member (User). A members' edition (core.pagecache.members_edition) is made once for every
member alike, as for `ANY_MEMBER`: logged in, but with nothing of their own (no posts, replies,
follows or reactions), so that it holds nothing personal.
"""


class _NoOne:
    """A primary key equal to no row's, not even a missing author's (None)."""

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __str__(self) -> str:
        return ""


class AnyMember:
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = _NoOne()

    def __str__(self) -> str:
        return "any member"


ANY_MEMBER = AnyMember()


def is_one_member(viewer) -> bool:
    """A particular logged-in member, whose own rows a query may look for."""
    return viewer is not None and viewer.is_authenticated and not isinstance(viewer, AnyMember)
