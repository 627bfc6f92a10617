"""
The task queue in the admin: django-tasks-db's own list of task results, with why a task
failed in a column of its own, so that a mail that could not be sent stands out.

Queued e-mails hold addresses and texts, so no staff role is given this page: only superusers
see it.
"""

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "failure",
        "enqueued_at",
        "display_run_after",
        "finished_at",
        "queue_name",
    )

    @admin.display(description="why it failed")
    def failure(self, obj: DBTaskResult) -> str:
        lines = [line for line in (obj.traceback or "").splitlines() if line.strip()]
        return lines[-1] if lines else ""
