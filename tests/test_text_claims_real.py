"""The prose checks on sentences from published reports (tests/fixtures/text_claims).

Each sentence lists, per ``text_claim`` rule, the numbers the rule must find; every other
rule must find nothing. The sentences are the real wordings the patterns in
schemas/rules-*.json meet: other kinds of 申请 (行政许可, 行政复议), 办理 counts, hotline
and 人大建议/政协提案 counts, half-year figures and the negations 「未收到…申请」.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from report_kit.catalogue import load_catalogue
from report_kit.rules.text import ClaimFinder

FIXTURE = Path(__file__).parent / "fixtures" / "text_claims" / "real_sentences.json"
SENTENCES = json.loads(FIXTURE.read_text(encoding="utf-8"))["sentences"]
REVISIONS = ("2019", "2021")


def claim_rules(revision: str) -> dict:
    return {rule.id: rule for rule in load_catalogue(revision) if rule.kind == "text_claim"}


def found(rule, text: str, year: int | None) -> list:
    return [claim.value for claim in ClaimFinder(rule.raw).claims(text, year)]


def test_fixture_names_only_known_rules():
    named = {rule_id for item in SENTENCES for rule_id in item["expect"]}
    for revision in REVISIONS:
        assert named <= set(claim_rules(revision))
    assert len(SENTENCES) >= 30


@pytest.mark.parametrize("revision", REVISIONS)
@pytest.mark.parametrize("item", SENTENCES, ids=[item["text"][:24] for item in SENTENCES])
def test_real_sentence(item, revision):
    rules = claim_rules(revision)
    got = {rule_id: found(rule, item["text"], item.get("year")) for rule_id, rule in rules.items()}
    expected = {rule_id: item["expect"].get(rule_id, []) for rule_id in rules}
    assert got == expected
