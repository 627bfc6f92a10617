"""
The rules of the dependency audit that make test runs before pytest (scripts/audit_dependencies.py):
what fails it and what the allowlist may excuse. The run itself talks to PyPI, so it is a step of
scripts/test.sh rather than a test; these tests feed it reports instead.
"""

import datetime

import pytest

from scripts.audit_dependencies import (
    ALLOWLIST,
    ALLOWLIST_MAX_AGE_DAYS,
    Dependency,
    Vulnerability,
    evaluate,
    fill_from_project_endpoint,
    load_allowlist,
    parse_pip_audit,
)

TODAY = datetime.date(2026, 12, 2)

REPORT = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "somepackage",
            "version": "1.0",
            "vulns": [
                {
                    "id": "PYSEC-2026-1",
                    "fix_versions": ["1.1"],
                    "aliases": ["CVE-2026-1111", "GHSA-aaaa-bbbb-cccc"],
                    "description": "Bad things.",
                }
            ],
        },
        {
            "name": "mirrored",
            "skip_reason": "Dependency not found on PyPI and could not be audited: mirrored (2.0)",
        },
    ],
    "fixes": [],
}


def entry_text(*, id="PYSEC-2026-1", package="somepackage", date="2026-11-20", reason="Why."):
    return f'[[ignore]]\nid = "{id}"\npackage = "{package}"\ndate = {date}\nreason = "{reason}"\n'


def test_a_known_vulnerability_fails_the_audit():
    outcome = evaluate(parse_pip_audit(REPORT), [], today=TODAY)
    assert not outcome.ok
    assert any("somepackage 1.0 has PYSEC-2026-1" in problem for problem in outcome.problems)
    assert any("fixed in: 1.1" in problem for problem in outcome.problems)


@pytest.mark.parametrize("id", ["PYSEC-2026-1", "CVE-2026-1111", "GHSA-aaaa-bbbb-cccc"])
def test_a_dated_allowlist_entry_excuses_the_vulnerability_by_its_id_or_an_alias(id):
    allowlist, problems = load_allowlist(entry_text(id=id))
    assert problems == []
    outcome = evaluate(parse_pip_audit(REPORT), allowlist, today=TODAY)
    assert outcome.ok, outcome.problems
    assert any(note.startswith("allowed: PYSEC-2026-1") for note in outcome.notes)


def test_an_entry_for_another_package_excuses_nothing():
    allowlist, _ = load_allowlist(entry_text(package="otherpackage"))
    outcome = evaluate(parse_pip_audit(REPORT), allowlist, today=TODAY)
    assert any("has PYSEC-2026-1" in problem for problem in outcome.problems)
    assert any("otherpackage is no longer a dependency" in p for p in outcome.problems)


def test_an_entry_older_than_the_review_period_fails_until_it_is_re_dated():
    old = TODAY - datetime.timedelta(days=ALLOWLIST_MAX_AGE_DAYS + 1)
    allowlist, _ = load_allowlist(entry_text(date=old.isoformat()))
    outcome = evaluate(parse_pip_audit(REPORT), allowlist, today=TODAY)
    assert [p for p in outcome.problems if "re-date it" in p]


def test_an_entry_dated_in_the_future_fails():
    allowlist, _ = load_allowlist(entry_text(date="2027-01-01"))
    outcome = evaluate(parse_pip_audit(REPORT), allowlist, today=TODAY)
    assert any("dated in the future" in p for p in outcome.problems)


def test_an_entry_whose_vulnerability_is_no_longer_reported_must_be_deleted():
    allowlist, _ = load_allowlist(entry_text(id="PYSEC-2020-9", package="django"))
    outcome = evaluate(parse_pip_audit(REPORT), allowlist, today=TODAY)
    assert any("django no longer reports it; delete the entry" in p for p in outcome.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[ignore]]\nid = "X"\npackage = "p"\ndate = 2026-11-01\n', "lacks reason"),
        ('[[ignore]]\nid = "X"\npackage = "p"\nreason = "r"\n', "lacks date"),
        ('[[ignore]]\nid = "X"\npackage = "p"\ndate = "2026-11-01"\nreason = "r"\n', "TOML date"),
        (entry_text() + "until = 2027-01-01\n", "unknown keys: until"),
        ("[[ignore]\n", "not valid TOML"),
        ('[[allow]]\nid = "X"\n', "unknown keys: allow"),
    ],
)
def test_a_malformed_allowlist_is_refused(text, expected):
    _, problems = load_allowlist(text)
    assert any(expected in problem for problem in problems), problems


def test_the_allowlist_in_the_repository_is_well_formed_and_current():
    allowlist, problems = load_allowlist(ALLOWLIST.read_text())
    assert problems == []
    for entry in allowlist:
        assert 0 <= (datetime.date.today() - entry.date).days <= ALLOWLIST_MAX_AGE_DAYS


def project_json(version, vulnerabilities=(), releases=()):
    return {
        "info": {"version": version},
        "releases": {release: [] for release in releases},
        "vulnerabilities": list(vulnerabilities),
    }


ADVISORY = {
    "id": "GHSA-xxxx-yyyy-zzzz",
    "aliases": ["CVE-2026-2222"],
    "fixed_in": ["2.1"],
    "summary": "Worse things.",
    "withdrawn": None,
}


def test_a_pin_that_is_the_latest_release_is_audited_through_the_project_endpoint():
    dependencies = parse_pip_audit(REPORT)
    fill_from_project_endpoint(dependencies, lambda name: project_json("2.0", [ADVISORY]))
    mirrored = next(d for d in dependencies if d.name == "mirrored")
    assert mirrored.audited
    assert mirrored.vulns == [
        Vulnerability(
            id="GHSA-xxxx-yyyy-zzzz",
            aliases=("CVE-2026-2222",),
            fix_versions=("2.1",),
            description="Worse things.",
        )
    ]
    outcome = evaluate(dependencies, [], today=TODAY)
    assert any("mirrored 2.0 has GHSA-xxxx-yyyy-zzzz" in p for p in outcome.problems)


def test_a_withdrawn_advisory_does_not_count():
    dependencies = parse_pip_audit(REPORT)
    withdrawn = {**ADVISORY, "withdrawn": "2026-10-01T00:00:00Z"}
    fill_from_project_endpoint(dependencies, lambda name: project_json("2.0", [withdrawn]))
    assert next(d for d in dependencies if d.name == "mirrored").vulns == []


def test_an_older_pin_is_reported_as_not_audited_never_as_clean():
    dependencies = parse_pip_audit(REPORT)
    fill_from_project_endpoint(
        dependencies, lambda name: project_json("3.0", [], releases=["2.0", "2.0.1", "3.0"])
    )
    mirrored = next(d for d in dependencies if d.name == "mirrored")
    assert not mirrored.audited
    assert "a newer 2.0.x release exists: 2.0.1" in mirrored.skip_reason
    outcome = evaluate(dependencies, [], today=TODAY)
    assert any(note.startswith("NOT AUDITED: mirrored 2.0") for note in outcome.notes)
    assert "audited 2 of 3 dependencies" in " ".join(outcome.notes)


def test_an_audit_that_could_audit_nothing_fails():
    dependencies = [
        Dependency(name="a", version="1", audited=False, how="", skip_reason="unreachable")
    ]
    outcome = evaluate(dependencies, [], today=TODAY)
    assert any("no dependency could be audited" in p for p in outcome.problems)
