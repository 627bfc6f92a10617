"""Every write to members' experiences: sharing and moderation."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from diseasemaps.answers.models import Question
from diseasemaps.conditions.models import Condition
from diseasemaps.experiences.models import Experience, Treatment
from diseasemaps.members.models import User


@transaction.atomic
def submit_experience(
    *,
    author: User,
    condition: Condition,
    body: str,
    question: Question | None = None,
    audience: str = Experience.Audience.EVERYONE,
    treatments: Iterable[Treatment] = (),
    years_since_diagnosis: int | None = None,
) -> Experience:
    """
    Save a member's post, waiting for a moderator. The question, if any, must belong to the
    condition, and so must every treatment named.
    """
    experience = Experience(
        author=author,
        condition=condition,
        question=question,
        audience=audience,
        years_since_diagnosis=years_since_diagnosis,
    )
    experience.set_body(body)
    experience.full_clean()
    treatments = list(treatments)
    if any(t.condition_id != condition.pk for t in treatments):
        raise ValidationError({"treatments": "Choose treatments listed for this condition."})
    experience.save()
    experience.treatments.set(treatments)
    return experience


@transaction.atomic
def approve_experience(*, experience: Experience, moderator: User) -> Experience:
    """Publish a post waiting for moderation."""
    if not moderator.has_perm("experiences.moderate_experience"):
        raise PermissionDenied("Only a moderator can approve posts.")
    experience = Experience.objects.select_for_update().get(pk=experience.pk)
    if experience.status != Experience.Status.PENDING:
        raise ValidationError("Only a post waiting for moderation can be approved.")
    experience.status = Experience.Status.APPROVED
    experience.approved_at = timezone.now()
    experience.save(update_fields=["status", "approved_at", "updated_at"])
    return experience
