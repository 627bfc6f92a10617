"""
The registry of every model that holds a member's personal data.

Export ("download all my data") and erasure ("delete my account") walk this registry, so a new
model with a foreign key to the user is handled by registering it here, in its app's
`AppConfig.ready()`, rather than by editing the export and erasure code. A test fails when a
model with a foreign key to the user is neither registered nor listed as deliberately kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class OnErase(StrEnum):
    DELETE = "delete"  # the rows go with the account
    ANONYMISE = "anonymise"  # the rows stay, with the user field set to NULL
    MEMBER_CHOICE = "member_choice"  # the member chooses: delete, or keep as "a former member"
    KEEP = "keep"  # deliberately kept as they are (say why in `reason`)


# Erases a member's rows of one model, given as a queryset, when more must happen than the plain
# delete or update: returns how many rows it deleted, or kept.
Eraser = Callable[[models.QuerySet], int]


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    user_field: str
    on_erase: OnErase
    export_fields: tuple[str, ...] = ()
    reason: str = ""
    # Instead of deleting the rows: for rows whose deletion changes others (a reaction is
    # counted on its post, and the count must be recomputed).
    delete: Eraser | None = None
    # Instead of setting the user field to NULL: for rows that hold more of the member than the
    # link (the text of their report), or that must still be told apart (kept posts).
    anonymise: Eraser | None = None


# The reason given for rows only staff have (reviews, moderation by staff, admin history).
STAFF_ONLY = (
    "Only staff have these rows, and staff accounts are closed by an administrator, "
    "never erased by their owner: the editorial and medical record must stay accountable."
)

_registry: dict[tuple[str, str], PersonalData] = {}


def register(
    model: type[models.Model],
    *,
    user_field: str,
    on_erase: OnErase,
    export_fields: tuple[str, ...] = (),
    reason: str = "",
    delete: Eraser | None = None,
    anonymise: Eraser | None = None,
) -> None:
    """
    Say how `model`'s rows that point at a member (through `user_field`) are handled. `delete`
    and `anonymise` replace the plain delete and update, for rows whose erasure must change
    more (see PersonalData); they run inside the erasure's transaction.
    """
    if on_erase == OnErase.KEEP and not reason:
        raise ValueError(f"Say why {model._meta.label} keeps a departed member's rows.")
    if delete and on_erase not in (OnErase.DELETE, OnErase.MEMBER_CHOICE):
        raise ValueError(f"{model._meta.label}'s rows are not deleted: `delete` never runs.")
    if anonymise and on_erase not in (OnErase.ANONYMISE, OnErase.MEMBER_CHOICE):
        raise ValueError(f"{model._meta.label}'s rows are not anonymised: `anonymise` never runs.")
    _registry[(model._meta.label, user_field)] = PersonalData(
        model=model,
        user_field=user_field,
        on_erase=on_erase,
        export_fields=tuple(export_fields),
        reason=reason,
        delete=delete,
        anonymise=anonymise,
    )


def registered() -> list[PersonalData]:
    return list(_registry.values())
