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


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on our AdminSite (diseasemaps/core/admin_site.py)."""

    default = False  # named explicitly in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "diseasemaps.core.admin_site.AdminSite"
