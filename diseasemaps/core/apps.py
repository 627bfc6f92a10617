from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default = True
    name = "diseasemaps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from diseasemaps.core import checks, services  # noqa: F401 (checks registers itself)

        # Permissions exist only once every app has migrated, and test flushes wipe groups, so
        # the roles are (re)made after each migrate, for the last app only.
        post_migrate.connect(services.sync_roles_after_migrate, dispatch_uid="core.sync_roles")
        connect_audit_signals()


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on our AdminSite (diseasemaps/core/admin_site.py)."""

    default = False  # named explicitly in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "diseasemaps.core.admin_site.AdminSite"


def connect_audit_signals() -> None:
    """Log-ins, failed log-ins and admin changes as audit events (core/audit.py)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.signals import user_logged_in, user_login_failed
    from django.db.models.signals import post_save

    from diseasemaps.core.audit import audit

    def logged_in(sender, request, user, **kwargs):
        audit("login", user=user, request=request)

    def login_failed(sender, credentials, request=None, **kwargs):
        audit("login_failed", request=request)  # who it was tried for is not logged

    def admin_change(sender, instance, created, **kwargs):
        if not created:
            return
        content_type = instance.content_type
        audit(
            "admin_change",
            user=instance.user,
            action={1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "other"),
            model=f"{content_type.app_label}.{content_type.model}" if content_type else "",
            object_id=instance.object_id,
        )

    user_logged_in.connect(logged_in, weak=False, dispatch_uid="core.audit.login")
    user_login_failed.connect(login_failed, weak=False, dispatch_uid="core.audit.login_failed")
    post_save.connect(admin_change, sender=LogEntry, weak=False, dispatch_uid="core.audit.admin")
