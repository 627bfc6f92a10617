"""
Link every condition on a member's list to the consent it was stored with (until now the two
were matched by member and condition). A row without a consent had no right to be stored and is
deleted; a consent left without its row had been given for a row since removed, which under the
old rules deleted the consent too, and is deleted as well.

Going back unlinks them and deletes the records of withdrawn consents, as the old rules did.
"""

from django.db import migrations


def link_consents(apps, schema_editor):
    HealthDataConsent = apps.get_model("members", "HealthDataConsent")
    MemberCondition = apps.get_model("members", "MemberCondition")
    consents = {
        (consent.user_id, consent.condition_id): consent.pk
        for consent in HealthDataConsent.objects.only("user_id", "condition_id")
    }
    for row in MemberCondition.objects.filter(consent__isnull=True).iterator():
        consent_id = consents.get((row.user_id, row.condition_id))
        if consent_id is None:
            row.delete()
        else:
            row.consent_id = consent_id
            row.save(update_fields=["consent"])
    HealthDataConsent.objects.filter(member_condition__isnull=True).delete()


def unlink_consents(apps, schema_editor):
    HealthDataConsent = apps.get_model("members", "HealthDataConsent")
    MemberCondition = apps.get_model("members", "MemberCondition")
    MemberCondition.objects.update(consent=None)
    HealthDataConsent.objects.filter(withdrawn_at__isnull=False).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0008_consent_purpose_withdrawal_and_link"),
    ]

    operations = [
        migrations.RunPython(link_consents, unlink_consents),
    ]
