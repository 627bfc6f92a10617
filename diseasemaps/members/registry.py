"""
The registry of every model that holds a member's personal data.

Export ("download all my data") and erasure ("delete my account") walk this registry, so a new
model with a foreign key to the user is handled by registering it here, in its app's
`AppConfig.ready()`, rather than by editing the export and erasure code. A test fails when a
model with a foreign key to the user is neither registered nor listed as deliberately kept.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class OnErase(StrEnum):
    DELETE = "delete"  # the rows go with the account
    ANONYMISE = "anonymise"  # the rows stay, with the user field set to NULL
    MEMBER_CHOICE = "member_choice"  # the member chooses: delete, or keep as "a former member"
    KEEP = "keep"  # deliberately kept as they are (say why in `reason`)


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    user_field: str
    on_erase: OnErase
    export_fields: tuple[str, ...] = ()
    reason: str = ""


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
) -> None:
    """Say how `model`'s rows that point at a member (through `user_field`) are handled."""
    if on_erase == OnErase.KEEP and not reason:
        raise ValueError(f"Say why {model._meta.label} keeps a departed member's rows.")
    _registry[(model._meta.label, user_field)] = PersonalData(
        model=model,
        user_field=user_field,
        on_erase=on_erase,
        export_fields=tuple(export_fields),
        reason=reason,
    )


def registered() -> list[PersonalData]:
    return list(_registry.values())
