"""
The admin site, with two of Django's object pages made to keep quiet about what exists:

- An object's history page looks the object up before checking permission, so a member of
  staff without the model's permission got a 403 for an object that exists and a redirect for
  one that does not. Here the model's permission is checked first: 403 either way.
- "View on site" (/admin/r/<type>/<id>/) sent any member of staff to any object's public page,
  whatever the model: it turned a member profile's number into that member's page. Here it
  answers only those who may view the model in the admin, and is a 404 for everyone else.
"""

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path


class AdminSite(admin.AdminSite):
    site_header = "DiseaseMaps administration"
    site_title = "DiseaseMaps admin"

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and view.__name__ == "history_view":
            inner = view

            def view(request, *args, **kwargs):
                if not model_admin.has_view_or_change_permission(request):
                    raise PermissionDenied
                return inner(request, *args, **kwargs)

        return super().admin_view(view, cacheable)

    def get_urls(self):
        urls = super().get_urls()
        shortcut = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [shortcut if getattr(u, "name", None) == "view_on_site" else u for u in urls]

    def view_on_site(self, request, content_type_id: int, object_id: str):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)
