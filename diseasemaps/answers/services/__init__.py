"""
Every write to questions' answers, in one namespace: the review workflow (`revisions`), readers'
feedback (`feedback`), review reminders (`reminders`) and members' suggested questions
(`suggestions`). Callers use `services.<name>`.
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
from diseasemaps.answers.services.suggestions import (
    HANDLE_PERMISSION,
    SUGGEST_LIMIT,
    decline_suggestions,
    link_suggestions,
    mark_suggestions_answered,
    merge_suggestions,
    plan_suggestions,
    suggest_question,
    write_note,
)

__all__ = [
    "ADD_PERMISSION",
    "HANDLE_PERMISSION",
    "MAX_REVIEW_MONTHS",
    "REVIEW_PERMISSION",
    "WRITE_PERMISSION",
    "SUGGEST_LIMIT",
    "StaleVersion",
    "add_months",
    "approve_revision",
    "create_draft",
    "decline_suggestions",
    "discard_draft",
    "link_suggestions",
    "mark_suggestions_answered",
    "merge_suggestions",
    "plan_suggestions",
    "record_helpfulness",
    "reminder_subject",
    "report_error",
    "request_changes",
    "resolve_feedback",
    "reviewers",
    "send_review_reminders",
    "set_review_interval",
    "submit_for_review",
    "suggest_question",
    "update_draft",
    "validate_content",
    "write_note",
]
