"""The answers admin, one module per area; importing them registers their ModelAdmins."""

from diseasemaps.answers.admin import feedback, questions, revisions, suggestions

__all__ = ["feedback", "questions", "revisions", "suggestions"]
