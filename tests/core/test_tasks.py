"""
The task queue on its real backend (django-tasks-db) with a real SMTP server (aiosmtpd on a
free loopback port, stopped and started by the test): mail is sent after the commit, by the
worker, retried with a growing delay while the server is down and delivered once it is back.
"""

import datetime
import json
import re
import smtplib
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from diseasemaps.core import tasks
from diseasemaps.members.models import User
from tests.conftest import mfa_client
from tests.factories import StaffFactory

# Committed for real: the worker runs as in production, outside the test's transaction, and
# what is queued on commit is queued when the request's writes commit.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = {
    "email": "new.person@example.org",
    "display_name": "HopefulLark",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps what it receives; refuses recipients when told to."""

    def __init__(self, refuse_with: str = ""):
        self.messages: list[tuple[list[str], str]] = []
        self.refuse_with = refuse_with

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 Message accepted"


def start_smtp(port: int, inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def queue(settings):
    """The database backend, and mail to a plain SMTP server on a port of our own."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return settings


def run_worker() -> None:
    """One worker, in this process, until no task is ready."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def mail_tasks():
    return DBTaskResult.objects.filter(task_path="diseasemaps.core.tasks.send_email")


def test_sign_up_succeeds_with_the_mail_server_down_and_the_mail_arrives_once_it_is_back(queue):
    inbox = Inbox()
    start_smtp(queue.EMAIL_PORT, inbox).stop()  # the server was there, and is down now

    client = Client()
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    (queued,) = mail_tasks()
    assert queued.status == "READY"

    before = timezone.now()
    run_worker()
    failed = mail_tasks().get(status="FAILED")
    assert failed.exception_class_path == "diseasemaps.core.tasks.EmailDeferred"
    assert "ConnectionRefusedError" in failed.traceback
    retry = mail_tasks().get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after >= before + datetime.timedelta(seconds=60)
    assert inbox.messages == []

    # Staff see the failure, and why, among the task results in the admin.
    admin = StaffFactory(is_superuser=True)
    page = mfa_client(admin).get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert page.status_code == 200
    assert "EmailDeferred: Attempt 1 of 8 failed (ConnectionRefusedError (111))" in (
        page.content.decode()
    )

    # The server comes back; the retry falls due (the clock moved on) and the mail goes out.
    controller = start_smtp(queue.EMAIL_PORT, inbox)
    try:
        mail_tasks().filter(status="READY").update(run_after=timezone.now())
        run_worker()
        run_worker()  # nothing is left to send twice
    finally:
        controller.stop()
    assert mail_tasks().filter(status="SUCCESSFUL").count() == 1
    assert not mail_tasks().filter(status="READY").exists()
    ((recipients, content),) = inbox.messages
    assert recipients == [SIGNUP["email"]]

    # The link in it verifies the address.
    link = re.search(r"https?://\S+", content.replace("=\r\n", "")).group(0)
    client.post(link.split("testserver", 1)[-1])
    assert EmailAddress.objects.get(user=user).verified


def test_a_write_that_rolls_back_queues_no_mail(queue):
    message = EmailMessage(subject="Hello", body="Body", to=["someone@example.org"])

    def failing_write():
        with transaction.atomic():
            tasks.queue_email(message)
            raise RuntimeError("the write fails")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not mail_tasks().exists()
    with transaction.atomic():
        tasks.queue_email(message)
        assert not mail_tasks().exists()  # not before the commit
    assert mail_tasks().count() == 1


def test_a_permanent_refusal_is_not_retried(queue):
    inbox = Inbox(refuse_with="550 5.1.1 No such mailbox")
    controller = start_smtp(queue.EMAIL_PORT, inbox)
    try:
        tasks.queue_email(EmailMessage(subject="Hi", body="Body", to=["gone@example.org"]))
        run_worker()
    finally:
        controller.stop()
    (result,) = mail_tasks()
    assert result.status == "FAILED"
    assert result.exception_class_path == "diseasemaps.core.tasks.EmailUndeliverable"
    assert "gone@example.org" not in result.traceback  # the reason, not the address
    assert inbox.messages == []


def test_the_last_attempt_gives_up(queue):
    queue.DISEASEMAPS_EMAIL_MAX_ATTEMPTS = 2
    tasks.queue_email(EmailMessage(subject="Hi", body="Body", to=["a@example.org"]))
    run_worker()
    mail_tasks().filter(status="READY").update(run_after=timezone.now())
    run_worker()
    assert [
        r.exception_class_path.rsplit(".", 1)[1] for r in mail_tasks().order_by("enqueued_at")
    ] == [
        "EmailDeferred",
        "EmailUndeliverable",
    ]
    assert not mail_tasks().filter(status="READY").exists()


def test_a_mail_server_that_accepts_and_hangs_costs_the_worker_only_the_timeout(queue):
    queue.EMAIL_TIMEOUT = 1
    listener = socket.create_server(("127.0.0.1", queue.EMAIL_PORT))  # accepts, never greets
    held = []
    acceptor = threading.Thread(target=lambda: held.append(listener.accept()), daemon=True)
    acceptor.start()
    try:
        tasks.queue_email(EmailMessage(subject="Hi", body="Body", to=["a@example.org"]))
        run_worker()
    finally:
        for connection, _ in held:
            connection.close()
        listener.close()
    failed = mail_tasks().get(status="FAILED")
    assert "TimeoutError" in failed.traceback or "SMTPServerDisconnected" in failed.traceback
    assert mail_tasks().filter(status="READY").count() == 1  # tried again later


def test_the_delay_between_attempts_doubles_up_to_its_cap(settings):
    settings.DISEASEMAPS_EMAIL_RETRY_SECONDS = 60
    settings.DISEASEMAPS_EMAIL_RETRY_MAX_SECONDS = 3600
    delays = [tasks.retry_delay(attempt).total_seconds() for attempt in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_queued_messages_are_plain_json_even_from_lazy_strings():
    message = EmailMultiAlternatives(
        subject=gettext_lazy("Hello"), body=gettext_lazy("Body"), to=["a@example.org"]
    )
    message.attach_alternative("<p>Body</p>", "text/html")
    data = tasks.message_to_json(message)
    assert json.loads(json.dumps(data)) == data
    again = tasks.message_from_json(data)
    assert (again.subject, again.body, again.to) == ("Hello", "Body", ["a@example.org"])
    assert again.alternatives[0][1] == "text/html"


def test_smtp_refusals_are_told_apart():
    temporary = smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"try later")})
    permanent = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")})
    assert tasks._is_temporary(temporary)
    assert not tasks._is_temporary(permanent)
    assert tasks._is_temporary(ConnectionRefusedError())
    assert tasks._is_temporary(smtplib.SMTPServerDisconnected())
    assert not tasks._is_temporary(smtplib.SMTPDataError(554, b"rejected"))
