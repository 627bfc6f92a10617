"""
Lower-case every stored e-mail address: accounts' own (members.User.email) and allauth's
EmailAddress rows. allauth lower-cases what is typed at log-in and looks it up as it is, so an
address stored with capitals (createsuperuser, the admin, the shell) could never log in.

Two addresses that differ only by case:

- Two accounts: impossible, members_user_email_ci_unique (on Lower(email)) has always refused
  it; the migration checks anyway and stops, naming the account ids, rather than guess.
- Two EmailAddress rows of one account ("Ann@x.org" and "ann@x.org"): merged into one row,
  verified if either was, primary if either was (the primary row is the one kept).
- Verified EmailAddress rows of two different accounts: the migration stops and names the row
  ids; nothing is changed. Decide by hand which account owns the address (the one whose
  User.email it is, usually), delete or unverify the other row in the admin, and migrate
  again. Unverified duplicates across accounts are allowed by allauth and are left as they are.

The reverse does nothing: lower-case addresses are valid for the previous code too.
"""

from collections import defaultdict

from django.db import migrations


class EmailCaseConflict(RuntimeError):
    pass


def lowercase_user_emails(User) -> None:
    by_lower = defaultdict(list)
    for pk, email in User.objects.values_list("pk", "email"):
        by_lower[email.strip().lower()].append(pk)
    clashes = {email: pks for email, pks in by_lower.items() if len(pks) > 1}
    if clashes:
        ids = "; ".join(", ".join(map(str, pks)) for pks in clashes.values())
        raise EmailCaseConflict(
            f"Accounts whose addresses differ only by case (user ids {ids}): merge or change "
            "them by hand, then migrate again."
        )
    for user in User.objects.only("pk", "email").iterator():
        lowered = user.email.strip().lower()
        if user.email != lowered:
            user.email = lowered
            user.save(update_fields=["email"])


def lowercase_email_address_rows(EmailAddress) -> None:
    rows = list(EmailAddress.objects.order_by("pk"))
    groups = defaultdict(list)
    for row in rows:
        groups[row.email.strip().lower()].append(row)

    verified_by_users = {}
    for email, group in groups.items():
        owners = {row.user_id for row in group if row.verified}
        if len(owners) > 1:
            verified_by_users[email] = [row.pk for row in group if row.verified]
    if verified_by_users:
        ids = "; ".join(", ".join(map(str, pks)) for pks in verified_by_users.values())
        raise EmailCaseConflict(
            "Verified addresses of different accounts differ only by case (EmailAddress ids "
            f"{ids}): keep one per address (see this migration's docstring), then migrate again."
        )

    for email, group in groups.items():
        per_user = defaultdict(list)
        for row in group:
            per_user[row.user_id].append(row)
        for same_account in per_user.values():
            kept = next((row for row in same_account if row.primary), same_account[0])
            verified = any(row.verified for row in same_account)
            for row in same_account:
                if row.pk != kept.pk:
                    row.delete()
            if (kept.email, kept.verified) != (email, verified):
                kept.email = email
                kept.verified = verified
                kept.save(update_fields=["email", "verified"])


def lowercase_addresses(apps, schema_editor):
    lowercase_user_emails(apps.get_model("members", "User"))
    lowercase_email_address_rows(apps.get_model("account", "EmailAddress"))


class Migration(migrations.Migration):

    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        ("members", "0010_member_condition_requires_consent"),
    ]

    operations = [
        migrations.RunPython(lowercase_addresses, migrations.RunPython.noop),
    ]
