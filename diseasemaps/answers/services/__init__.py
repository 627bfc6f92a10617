"""
Every write to questions' answers, in one namespace: the review workflow (`revisions`), readers'
feedback (`feedback`) and review reminders (`reminders`). Callers use `services.<name>`.
"""

from diseasemaps.answers.services.feedback import (
    record_helpfulness,
    report_error,
    resolve_feedback,
)
from diseasemaps.answers.services.reminders import (
    reminder_subject,
    reviewers,
    send_review_reminders,
)
from diseasemaps.answers.services.revisions import (
    ADD_PERMISSION,
    MAX_REVIEW_MONTHS,
    REVIEW_PERMISSION,
    WRITE_PERMISSION,
    StaleVersion,
    add_months,
    approve_revision,
    create_draft,
    discard_draft,
    request_changes,
    set_review_interval,
    submit_for_review,
    update_draft,
    validate_content,
)

__all__ = [
    "ADD_PERMISSION",
    "MAX_REVIEW_MONTHS",
    "REVIEW_PERMISSION",
    "WRITE_PERMISSION",
    "StaleVersion",
    "add_months",
    "approve_revision",
    "create_draft",
    "discard_draft",
    "record_helpfulness",
    "reminder_subject",
    "report_error",
    "request_changes",
    "resolve_feedback",
    "reviewers",
    "send_review_reminders",
    "set_review_interval",
    "submit_for_review",
    "update_draft",
    "validate_content",
]
