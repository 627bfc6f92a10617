"""
Bring the names stored before the pseudonym rules under them, so that the next migration can
hold each skeleton once: every name is normalised (NFKC, refused characters such as zero-width
spaces and bidi overrides dropped), and a name that now looks like one taken earlier gets a
number (" 2", " 3"...): the member who had it first keeps it. A name left empty is called
"Member". Going back clears the skeletons; the names stay as this migration made them.
"""

from django.db import migrations

from diseasemaps.members import pseudonyms


def _free_name(name: str, taken: pseudonyms.Skeletons) -> tuple[str, pseudonyms.Skeletons]:
    candidate, number = name, 2
    while True:
        keys = pseudonyms.skeletons(candidate)
        if keys.as_written not in taken.as_written and keys.folded not in taken.folded:
            return candidate, keys
        suffix = f" {number}"
        candidate = name[: pseudonyms.MAX_LENGTH - len(suffix)].rstrip() + suffix
        number += 1


def fill_name_skeletons(apps, schema_editor):
    MemberProfile = apps.get_model("members", "MemberProfile")
    taken = pseudonyms.Skeletons(as_written=set(), folded=set())
    for profile in MemberProfile.objects.order_by("created_at", "pk").iterator():
        name, keys = _free_name(pseudonyms.sanitise(profile.display_name) or "Member", taken)
        taken.as_written.add(keys.as_written)
        taken.folded.add(keys.folded)
        profile.display_name = name
        profile.name_skeleton, profile.name_skeleton_folded = keys
        profile.save(update_fields=["display_name", "name_skeleton", "name_skeleton_folded"])


def clear_name_skeletons(apps, schema_editor):
    MemberProfile = apps.get_model("members", "MemberProfile")
    MemberProfile.objects.update(name_skeleton=None, name_skeleton_folded=None)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0005_profile_name_skeletons"),
    ]

    operations = [
        migrations.RunPython(fill_name_skeletons, clear_name_skeletons),
    ]
