"""
pip-audit over requirements.txt and requirements-dev.txt (every pin and what it pulls in),
failing on any known vulnerability that pip-audit-allowlist.toml does not excuse.

    .venv/bin/python scripts/audit_dependencies.py

pip-audit resolves both files in a throwaway environment and asks PyPI's per-release JSON
endpoint for each release's advisories. Some package indexes (mirrors, proxies) answer only the
per-project endpoint; for a dependency pip-audit could not look up that way, this script reads
the project endpoint, whose advisories are those of the project's latest release, and uses them
when the pin *is* the latest release. A pin older than the latest release that no endpoint
answers for is listed as not audited: the run says so plainly instead of pretending.

Fails (exit 1) on: a known vulnerability not on the allowlist; an allowlist entry missing a
field, dated in the future or older than ALLOWLIST_MAX_AGE_DAYS (re-decide and re-date it);
an entry whose vulnerability is no longer reported for an audited package (delete it); and
pip-audit itself failing (no JSON report).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
ALLOWLIST = ROOT / "pip-audit-allowlist.toml"
ALLOWLIST_MAX_AGE_DAYS = 90
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"
NOT_ON_PYPI = "Dependency not found on PyPI"


@dataclass(frozen=True)
class Vulnerability:
    id: str
    aliases: tuple[str, ...] = ()
    fix_versions: tuple[str, ...] = ()
    description: str = ""

    @property
    def ids(self) -> set[str]:
        return {self.id, *self.aliases}


@dataclass
class Dependency:
    name: str
    version: str | None
    vulns: list[Vulnerability] = field(default_factory=list)
    audited: bool = True
    how: str = "PyPI release endpoint"
    skip_reason: str = ""


@dataclass(frozen=True)
class AllowlistEntry:
    id: str
    package: str
    date: datetime.date
    reason: str


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_pip_audit(report: dict) -> list[Dependency]:
    """pip-audit's JSON report (`-f json`) as Dependency rows."""
    dependencies = []
    for row in report.get("dependencies", []):
        if "skip_reason" in row:
            reason = row["skip_reason"]
            version = None
            if reason.endswith(")") and "(" in reason:
                version = reason.rsplit("(", 1)[1].rstrip(")")
            dependencies.append(
                Dependency(
                    name=row["name"], version=version, audited=False, how="", skip_reason=reason
                )
            )
            continue
        vulns = [
            Vulnerability(
                id=v["id"],
                aliases=tuple(v.get("aliases") or ()),
                fix_versions=tuple(v.get("fix_versions") or ()),
                description=v.get("description") or "",
            )
            for v in row.get("vulns", [])
        ]
        dependencies.append(Dependency(name=row["name"], version=row["version"], vulns=vulns))
    return dependencies


def vulnerabilities_from_project_json(data: dict) -> list[Vulnerability]:
    """The advisories in PyPI's project JSON (those of its latest release), withdrawn ones out."""
    return [
        Vulnerability(
            id=v["id"],
            aliases=tuple(v.get("aliases") or ()),
            fix_versions=tuple(v.get("fixed_in") or ()),
            description=(v.get("summary") or v.get("details") or "").replace("\n", " "),
        )
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def _same_version(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def fill_from_project_endpoint(
    dependencies: list[Dependency], fetch: Callable[[str], dict | None]
) -> None:
    """
    For each dependency PyPI's release endpoint did not answer for, use the project endpoint
    when the pin is the latest release (its advisories are exactly that release's).
    `fetch(name)` returns the project JSON, or None when there is none.
    """
    missing = [d for d in dependencies if not d.audited and d.skip_reason.startswith(NOT_ON_PYPI)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda d: fetch(d.name), missing))
    for dependency, data in zip(missing, answers, strict=True):
        if data is None:
            continue
        latest = (data.get("info") or {}).get("version")
        if _same_version(latest, dependency.version):
            dependency.vulns = vulnerabilities_from_project_json(data)
            dependency.audited = True
            dependency.how = "PyPI project endpoint (the pin is the latest release)"
        else:
            dependency.skip_reason = (
                f"the release endpoint did not answer and {dependency.version} is not the "
                f"latest release ({latest}), whose advisories the project endpoint gives"
                + _series_note(dependency.version, data.get("releases") or {})
            )


def _series_note(pinned: str | None, releases: dict) -> str:
    """Whether a pin is the newest release of its series (say 5.2.x), which is worth knowing."""
    try:
        pin = Version(pinned or "")
    except InvalidVersion:
        return ""
    series = []
    for text in releases:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.release[:2] == pin.release[:2] and not version.is_prerelease:
            series.append(version)
    if not series:
        return ""
    newest = max(series)
    series_name = ".".join(str(part) for part in pin.release[:2]) + ".x"
    if newest == pin:
        return f"; it is the newest {series_name} release"
    return f"; a newer {series_name} release exists: {newest}"


def load_allowlist(text: str) -> tuple[list[AllowlistEntry], list[str]]:
    """The entries of pip-audit-allowlist.toml, and what is wrong with any that are malformed."""
    entries: list[AllowlistEntry] = []
    problems: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [], [f"the allowlist is not valid TOML: {error}"]
    unknown = set(data) - {"ignore"}
    if unknown:
        problems.append(f"the allowlist has unknown keys: {', '.join(sorted(unknown))}")
    for number, raw in enumerate(data.get("ignore", []), start=1):
        label = f"allowlist entry {number} ({raw.get('id', 'no id')})"
        missing = [key for key in ("id", "package", "date", "reason") if not raw.get(key)]
        if missing:
            problems.append(f"{label} lacks {', '.join(missing)}")
            continue
        if not isinstance(raw["date"], datetime.date) or isinstance(raw["date"], datetime.datetime):
            problems.append(f"{label}: date must be a TOML date such as 2026-12-01")
            continue
        extra = set(raw) - {"id", "package", "date", "reason"}
        if extra:
            problems.append(f"{label} has unknown keys: {', '.join(sorted(extra))}")
            continue
        entries.append(
            AllowlistEntry(
                id=str(raw["id"]),
                package=canonicalize_name(str(raw["package"])),
                date=raw["date"],
                reason=str(raw["reason"]).strip(),
            )
        )
    return entries, problems


def evaluate(
    dependencies: Iterable[Dependency], allowlist: list[AllowlistEntry], *, today: datetime.date
) -> Outcome:
    """What the audit concludes: the problems that fail it, and notes to print."""
    dependencies = list(dependencies)
    outcome = Outcome()
    by_name = {canonicalize_name(d.name): d for d in dependencies}
    used: set[AllowlistEntry] = set()
    for entry in allowlist:
        age = (today - entry.date).days
        if age < 0:
            outcome.problems.append(f"allowlist entry {entry.id} is dated in the future")
        elif age > ALLOWLIST_MAX_AGE_DAYS:
            outcome.problems.append(
                f"allowlist entry {entry.id} ({entry.package}) was decided {age} days ago, more "
                f"than {ALLOWLIST_MAX_AGE_DAYS}: check whether a fix exists now, then re-date it"
            )
    for dependency in dependencies:
        if not dependency.audited:
            continue
        for vuln in dependency.vulns:
            excuse = next(
                (
                    entry
                    for entry in allowlist
                    if entry.package == canonicalize_name(dependency.name) and entry.id in vuln.ids
                ),
                None,
            )
            if excuse is not None:
                used.add(excuse)
                outcome.notes.append(
                    f"allowed: {vuln.id} in {dependency.name} {dependency.version} "
                    f"({excuse.date}: {excuse.reason})"
                )
                continue
            fix = ", ".join(vuln.fix_versions) or "no fixed release yet"
            outcome.problems.append(
                f"{dependency.name} {dependency.version} has {vuln.id} "
                f"({', '.join(vuln.aliases) or 'no alias'}); fixed in: {fix}. {vuln.description}"
            )
    for entry in allowlist:
        dependency = by_name.get(entry.package)
        if entry in used or (dependency is not None and not dependency.audited):
            continue
        where = "is no longer a dependency" if dependency is None else "no longer reports it"
        outcome.problems.append(
            f"allowlist entry {entry.id}: {entry.package} {where}; delete the entry"
        )
    audited = [d for d in dependencies if d.audited]
    through_project = [d for d in audited if d.how.startswith("PyPI project endpoint")]
    outcome.notes.append(
        f"audited {len(audited)} of {len(dependencies)} dependencies "
        f"({len(audited) - len(through_project)} through PyPI's release endpoint, "
        f"{len(through_project)} through its project endpoint)"
    )
    for dependency in dependencies:
        if not dependency.audited:
            outcome.notes.append(
                f"NOT AUDITED: {dependency.name} {dependency.version or ''}: "
                f"{dependency.skip_reason}"
            )
    if dependencies and not audited:
        outcome.problems.append("no dependency could be audited: is PyPI reachable?")
    return outcome


def fetch_project_json(name: str) -> dict | None:
    url = PROJECT_JSON.format(name=canonicalize_name(name))
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (fixed https URL)
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError):
        return None


def run_pip_audit() -> dict | None:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off"]
        command += ["--vulnerability-service", "pypi", "--format", "json", "--output", str(report)]
        for requirements in REQUIREMENTS:
            command += ["--requirement", str(requirements)]
        # Exit 1 means "vulnerabilities found", which the report says too; anything else
        # without a report is a failure of the tool itself.
        completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.exists() or not report.read_text().strip():
            sys.stderr.write(completed.stderr)
            return None
        return json.loads(report.read_text())


def main() -> int:
    report = run_pip_audit()
    if report is None:
        print("pip-audit failed before it could report (see above)", file=sys.stderr)
        return 1
    dependencies = parse_pip_audit(report)
    fill_from_project_endpoint(dependencies, fetch_project_json)
    allowlist, problems = load_allowlist(ALLOWLIST.read_text())
    outcome = evaluate(dependencies, allowlist, today=datetime.date.today())
    for note in outcome.notes:
        print(note)
    for problem in problems + outcome.problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 0 if outcome.ok and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
