"""
How a member logs in, and how a logged-in member's account is found on each request.

allauth's backend (log-in by e-mail address, also for the admin's form), with two changes:

- the account of a session is read with a prepared query (core.prepared), as Django's backend
  reads it (by primary key, active accounts only) but without compiling the same SQL on every
  request: the ORM's read took about a quarter of a member's page's time in Python;
- credentials it refuses end the search (PermissionDenied), so that the backends listed after
  it, kept for the sessions they logged in (settings.AUTHENTICATION_BACKENDS), never check a
  password again: a wrong one costs one slow hash, not one per backend.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from diseasemaps.core.prepared import PreparedQuery


def _account(*, pk: int):
    return get_user_model()._default_manager.filter(pk=pk)


_ACCOUNT = PreparedQuery(_account)


class AuthenticationBackend(AllauthBackend):
    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None:
            raise PermissionDenied  # django.contrib.auth.authenticate stops here
        return user

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _ACCOUNT.instances(pk=pk)
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]
