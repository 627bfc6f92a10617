from diseasemaps.experiences import services
from diseasemaps.experiences.models import (
    Experience,
    MemberStanding,
    ModerationDecision,
    Reaction,
    Report,
)
from diseasemaps.members.registry import OnErase, registered


def test_posts_reactions_reports_decisions_and_standing_are_registered_for_export_and_erasure():
    entries = {(entry.model, entry.user_field): entry for entry in registered()}
    assert entries[(Experience, "author")].on_erase == OnErase.MEMBER_CHOICE
    assert "body" in entries[(Experience, "author")].export_fields
    assert entries[(Reaction, "user")].on_erase == OnErase.DELETE
    assert entries[(Report, "reporter")].on_erase == OnErase.ANONYMISE
    assert (Report, "resolved_by") in entries
    assert (ModerationDecision, "member") in entries
    assert (ModerationDecision, "moderator") in entries
    assert entries[(MemberStanding, "user")].on_erase == OnErase.DELETE


def test_erasing_posts_reactions_and_reports_goes_through_the_experiences_services():
    entries = {(entry.model, entry.user_field): entry for entry in registered()}
    assert entries[(Experience, "author")].anonymise is services.keep_posts_of_former_member
    assert entries[(Reaction, "user")].delete is services.erase_reactions
    assert entries[(Report, "reporter")].anonymise is services.anonymise_reports
