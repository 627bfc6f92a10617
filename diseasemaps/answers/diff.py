"""
What changed between two revisions, line by line and word by word, as plain data that the admin
template marks up with our own classes (the CSP forbids the inline styles of difflib.HtmlDiff).
"""

import difflib
import re
from dataclasses import dataclass, field

from diseasemaps.answers.models import AnswerRevision, Source

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass
class Line:
    kind: str  # "same", "added", "removed" or "changed"
    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)


@dataclass
class Section:
    label: str
    lines: list[Line]

    @property
    def has_changes(self) -> bool:
        return any(line.kind != "same" for line in self.lines)


def _word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    old_segments, new_segments = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            text = "".join(old_words[i1:i2])
            old_segments.append(Segment("same", text))
            new_segments.append(Segment("same", text))
            continue
        if i2 > i1:
            old_segments.append(Segment("removed", "".join(old_words[i1:i2])))
        if j2 > j1:
            new_segments.append(Segment("added", "".join(new_words[j1:j2])))
    return old_segments, new_segments


def diff_text(old: str, new: str) -> list[Line]:
    """Lines of `old` and `new`, paired where a line changed so its words can be compared."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [Line("same", old=[Segment("same", text)]) for text in old_lines[i1:i2]]
            continue
        removed, added = old_lines[i1:i2], new_lines[j1:j2]
        if tag == "replace":
            paired = min(len(removed), len(added))
            for before, after in zip(removed[:paired], added[:paired], strict=True):
                old_segments, new_segments = _word_diff(before, after)
                lines.append(Line("changed", old=old_segments, new=new_segments))
            removed, added = removed[paired:], added[paired:]
        lines += [Line("removed", old=[Segment("removed", text)]) for text in removed]
        lines += [Line("added", new=[Segment("added", text)]) for text in added]
    return lines


def _source_text(source: Source) -> str:
    parts = [source.title]
    parts += [value for value in (source.publisher, str(source.year or "")) if value]
    parts += [f"DOI {source.doi}"] if source.doi else []
    parts += [f"PubMed {source.pubmed_id}"] if source.pubmed_id else []
    parts += [source.url] if source.url else []
    return " · ".join(parts)


def revision_diff(old: AnswerRevision, new: AnswerRevision) -> list[Section]:
    """Everything a reader would see change, from `old` to `new`, section by section."""
    return [
        Section("Short answer", diff_text(old.short_answer, new.short_answer)),
        Section("Answer", diff_text(old.body, new.body)),
        Section(
            "Sources",
            diff_text(
                "\n".join(_source_text(s) for s in old.sources.all()),
                "\n".join(_source_text(s) for s in new.sources.all()),
            ),
        ),
    ]
