"""
Background work on Django's tasks API (the django-tasks backport; `django.tasks` on Django 6).

Every e-mail the site sends goes through `queue_email`: the message is rendered in the request
(where its templates and links are at hand), turned into plain JSON and queued once the
request's transaction commits, so a write that rolls back sends nothing and a mail server that
is down or slow never holds a request. The worker (`manage.py run_worker`) sends it.

django-tasks does not retry a failed task by itself, so `send_email` does: when the mail
server cannot be reached or answers with a temporary (4xx) refusal, it queues its next attempt
with `run_after` (1, 2, 4 ... minutes later) and an attempt counter, then fails this attempt so
that it shows, with its reason, among the task results in the admin. A permanent refusal (5xx)
or the last attempt fails for good (EmailUndeliverable).

Periodic jobs (DISEASEMAPS_PERIODIC_JOBS) are started by the workers themselves,
`enqueue_due_jobs`, once per job and day whatever the number of workers: see PeriodicRun.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from diseasemaps.core import logs
from diseasemaps.core.models import PeriodicRun

logger = logging.getLogger("diseasemaps.tasks")


class EmailDeferred(Exception):
    """This attempt failed for a reason that passes; the next one is queued."""


class EmailUndeliverable(Exception):
    """The mail server refused the message for good, or every attempt failed."""


# --- E-mail -------------------------------------------------------------------------------------


def message_to_json(message: EmailMessage) -> dict:
    """
    The message as plain JSON for the queue. Every value goes through str(): subjects and
    bodies may be lazy translation strings, which a queue cannot store.
    """
    if message.attachments:
        raise ValueError("Messages with attachments cannot be queued.")
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email) if message.from_email else None,
        "to": [str(address) for address in message.to],
        "cc": [str(address) for address in message.cc],
        "bcc": [str(address) for address in message.bcc],
        "reply_to": [str(address) for address in message.reply_to],
        "headers": {str(name): str(value) for name, value in message.extra_headers.items()},
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), str(mimetype)]
            for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def message_from_json(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def queue_email(message: EmailMessage) -> None:
    """Send `message` from the worker, once the current transaction (if any) commits."""
    data = message_to_json(message)
    request_id = logs.current_request_id()
    transaction.on_commit(
        lambda: send_email.enqueue(message=data, attempt=1, request_id=request_id)
    )


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long after failed attempt number `attempt` the next one runs: doubling, capped."""
    seconds = settings.DISEASEMAPS_EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
    return datetime.timedelta(seconds=min(seconds, settings.DISEASEMAPS_EMAIL_RETRY_MAX_SECONDS))


def _is_temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, smtplib.SMTPException | OSError)


def _reason(error: Exception) -> str:
    """Why an attempt failed, without the addresses an SMTP error message may quote."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__}" + (f" ({code})" if code else "")


@task()
def send_email(*, message: dict, attempt: int = 1, request_id: str = "") -> int:
    """
    Send one queued message (see queue_email); on a temporary failure, queue the next attempt.
    The log names the attempt and the reason, never an address or the message.
    """
    with logs.request_id_bound(request_id):
        try:
            return message_from_json(message).send()
        except (smtplib.SMTPException, OSError) as error:
            reason = _reason(error)
            last = attempt >= settings.DISEASEMAPS_EMAIL_MAX_ATTEMPTS
            if not _is_temporary(error) or last:
                logger.error(
                    "e-mail undeliverable",
                    extra={"event": "email_failed", "attempt": attempt, "reason": reason},
                )
                raise EmailUndeliverable(
                    f"Attempt {attempt} of {settings.DISEASEMAPS_EMAIL_MAX_ATTEMPTS} failed "
                    f"({reason}); not retried."
                ) from None
            run_after = timezone.now() + retry_delay(attempt)
            send_email.using(run_after=run_after).enqueue(
                message=message, attempt=attempt + 1, request_id=request_id
            )
            logger.warning(
                "e-mail attempt failed, retry queued",
                extra={
                    "event": "email_retry",
                    "attempt": attempt,
                    "reason": reason,
                    "retry_at": run_after.isoformat(),
                },
            )
            raise EmailDeferred(
                f"Attempt {attempt} of {settings.DISEASEMAPS_EMAIL_MAX_ATTEMPTS} failed "
                f"({reason}); attempt {attempt + 1} queued for {run_after:%Y-%m-%d %H:%M:%S} UTC."
            ) from None


# --- Periodic jobs ------------------------------------------------------------------------------


def _is_due(job: dict, now: datetime.datetime) -> bool:
    hour, minute = (int(part) for part in job["at"].split(":"))
    return (now.hour, now.minute) >= (hour, minute)


def enqueue_due_jobs(*, now: datetime.datetime | None = None) -> list[str]:
    """
    Queue each periodic job whose time of day has come and that has not started today. Any
    number of workers may call this at once: the insert of the (job, day) row lets one through,
    and with the database backend the task is queued in the same transaction, so a job is
    recorded and queued together or not at all. Returns the names of the jobs queued.
    """
    now = timezone.now() if now is None else now
    period = now.astimezone(datetime.UTC).date().isoformat()
    queued = []
    for job in settings.DISEASEMAPS_PERIODIC_JOBS:
        if not _is_due(job, now.astimezone(datetime.UTC)):
            continue
        if PeriodicRun.objects.filter(job=job["name"], period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=job["name"], period=period)
                result = import_string(job["task"]).enqueue(on=period)
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker started it first
        logger.info("periodic job queued", extra={"event": "periodic_job", "job": job["name"]})
        queued.append(job["name"])
    return queued


@task()
def prune_task_results(*, on: str) -> int:
    """Delete finished task results older than DISEASEMAPS_TASK_RESULTS_KEEP_DAYS."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(days=settings.DISEASEMAPS_TASK_RESULTS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
