"""Rule kinds: a table from the ``kind`` of a catalogue entry to the function compiling it.

Like python-jsonschema's keyword table, adding a kind of check means adding one function
here; the catalogue decides which rules of that kind exist and what they say.
"""

from __future__ import annotations

from report_kit.catalogue import Catalogue
from report_kit.layout import Layout
from report_kit.rules import cells, document, linear, prose, text
from report_kit.rules.base import Check, NotEvaluated

COMPILERS = {
    "linear": linear.compile_rule,
    "multiple_of": cells.compile_multiple_of,
    "required_text": document.compile_required_text,
    "format_year": document.compile_format_year,
    "deadline": document.compile_deadline,
    "published_early": document.compile_published_early,
    "future_year": document.compile_future_year,
    "credit_code": document.compile_credit_code,
    "text_claim": text.compile_text_claim,
    "prose_parts": prose.compile_prose_parts,
}

# Kinds whose findings code emits directly (file and schema layers); nothing to compile.
EMITTED = "emitted"


def compile_checks(catalogue: Catalogue, layout: Layout) -> list[Check]:
    checks: list[Check] = []
    for rule in catalogue:
        if rule.kind == EMITTED:
            continue
        try:
            compiler = COMPILERS[rule.kind]
        except KeyError:
            raise ValueError(f"rule {rule.id}: unknown kind {rule.kind!r}") from None
        checks.extend(compiler(rule, layout))
    return checks


__all__ = ["COMPILERS", "Check", "NotEvaluated", "compile_checks"]
