import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from diseasemaps.core import services
from diseasemaps.core.services import ROLE_PERMISSIONS, Role, sync_roles


def _codes(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_roles_exist_after_migrate_with_their_listed_permissions(db):
    for name, codes in ROLE_PERMISSIONS.items():
        assert _codes(Group.objects.get(name=name)) == set(codes)


def test_sync_roles_is_idempotent_and_removes_stray_permissions(db):
    editor = Group.objects.get(name=Role.EDITOR)
    editor.permissions.add(Permission.objects.get(codename="delete_user"))
    sync_roles()
    sync_roles()
    assert Group.objects.filter(name=Role.EDITOR).count() == 1
    assert _codes(editor) == set(ROLE_PERMISSIONS[Role.EDITOR])


def test_no_role_can_see_members_health_data(db):
    for codes in ROLE_PERMISSIONS.values():
        assert not [code for code in codes if "membercondition" in code]
        assert not [code for code in codes if code.startswith("members.") and "user" in code]


def test_a_listed_permission_that_does_not_exist_is_an_error(db, monkeypatch):
    monkeypatch.setitem(services.ROLE_PERMISSIONS, "Ghost", ["answers.fly_question"])
    with pytest.raises(LookupError, match="fly_question"):
        sync_roles()


@pytest.mark.django_db(transaction=True)
def test_roles_come_back_after_a_flush():
    call_command("flush", "--noinput", verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_PERMISSIONS)
