"""Which national format revision a published report is printed on — from its tables.

The year never decides (format-2019.md, "Telling the two apart"): a 2022 report printed on
the 2019 template is read as 2019, and the validator's ``D.format_year`` then says so. The
words that prove each revision are data (``evidence`` in ``schemas/ingest-<format>.json``);
words of both revisions make a hybrid (``R.hybrid``), read with the revision that has more
evidence. A report with no tables but the headings of the pre-2019 format is ``R.pre2019``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from report_kit.catalogue import emit
from report_kit.findings import Finding
from report_kit.formats import current, ids
from report_kit.formats import revision as find_revision
from report_kit.ingest.labels import evidence, ingest_data, norm
from report_kit.ingest.model import Document


@dataclass
class Revision:
    format: str
    evidence: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _labels(document: Document) -> list[str]:
    texts = [cell for row in document.rows for cell in row.cells if cell]
    texts += [p.text for p in document.paragraphs if len(p.text) <= 40]
    return [norm(t) for t in texts]


def recognise(document: Document) -> Revision:
    labels = _labels(document)
    found: dict[str, list[str]] = {}
    for revision in ids():
        words = [w for w in evidence(revision) if any(w in label for label in labels)]
        # a word of one revision inside a longer word of another (处理决定数量 in 本年处理决定数量)
        found[revision] = words
    for revision, words in found.items():
        others = [w for r, ws in found.items() if r != revision for w in ws]
        found[revision] = [w for w in words if not any(w != o and w in o for o in others)]
    present = {r: ws for r, ws in found.items() if ws}
    result = Revision(current().id, found)
    if not present:
        headings = [norm(h) for h in ingest_data()["pre2019_headings"]]
        seen = next((h for h in headings if any(h in label for label in labels)), None)
        if seen:
            result.findings.append(emit("R.pre2019", {"seen": seen}))
        return result
    best = max(present, key=lambda r: (len(present[r]), r == current().id))
    result.format = best
    label = _format_label(best)
    if len(present) > 1:
        shown = "；".join(
            f"{_format_label(r)}：" + "、".join(f"“{w}”" for w in ws[:4]) for r, ws in present.items()
        )
        result.findings.append(emit("R.hybrid", {"label": label, "evidence": shown}))
    else:
        shown = "、".join(f"“{w}”" for w in present[best][:4])
        result.findings.append(emit("R.format", {"label": label, "evidence": shown}))
    return result


def _format_label(revision: str) -> str:
    found = find_revision(revision)
    return found.label if found else revision
