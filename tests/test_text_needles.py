"""rules/needles.py: skipping text without a pattern's words never loses a match (issue 13.11)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_kit.catalogue import load_catalogue
from report_kit.formats import template_revisions
from report_kit.rules import text
from report_kit.rules.needles import may_match, needles

RULES = [
    rule
    for revision in template_revisions()
    for rule in load_catalogue(revision.id)
    if rule.kind in ("text_claim", "prose_parts")
]
PATTERNS = sorted(
    {
        text._compile(source).pattern
        for rule in RULES
        for source in (*rule.raw.get("patterns", ()), *rule.raw.get("zero_patterns", ()))
    }
)

# Words of the catalogue patterns, figures and punctuation: sentences built from them hit the
# patterns often, and just as often miss them by one word.
PIECES = sorted(
    {word for pattern in PATTERNS for word in needles(pattern) or ()}
    | set("件个起元份次，,。；、：为共计其中未无没有上下年度一二三十百0１2５.")
    | {"受理", "收到", "新收", "申请", "结转", "下一年", "上年度", "复议", "诉讼", "行政", "收费通知", "金额"}
    | {"信息处理费", "予以公开", "2024年", "2019年", "以来", "数十", "十余", "均为", "零", "实际", "通知"}
)
_claim_like = st.tuples(
    st.sampled_from(["", "本年度", "2024年", "上年度", "全年", "未"]),
    st.sampled_from(["收到", "受理", "新收", "发出", "实际收取", "应收", "予以公开", "上年结转", "没有"]),
    st.sampled_from(["", "政府信息公开", "信息处理费", "行政复议", "行政诉讼", "收费通知", "各类"]),
    st.sampled_from(["", "申请", "案件", "，", "结转下一年度", "金额"]),
    st.sampled_from(["", "共", "共计", "为", "总数"]),
    st.sampled_from(["12", "３０", "二十", "0", "数十", "1,200", "零"]),
    st.sampled_from(["件", "元", "起", "份", "个", ""]),
    st.sampled_from(["", "申请", "行政复议", "结转下年度", "，其中网上申请5件、信函7件"]),
).map("".join)
sentence = st.one_of(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), _claim_like)


def test_every_catalogue_text_pattern_has_words_to_look_for():
    assert PATTERNS and all(needles(pattern) for pattern in PATTERNS), [p for p in PATTERNS if not needles(p)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("行政复议", {"行政复议"}),
        ("(?:收到|受理)了?申请", {"申请"}),  # the longest required word wins
        ("(?:收到|受理)了?", {"收到", "受理"}),
        ("(?<!复议)申请为(?:零|0)", {"申请为"}),  # look-behinds consume nothing
        ("(?=结转)\\d+件", {"件"}),
        ("[件个]", {"件", "个"}),
        ("(?:甲)?乙", {"乙"}),
        ("(?:甲|\\d)乙?", None),  # an alternative without a word: no filter
        ("(?:甲){2,}", {"甲"}),
        ("a*", None),
        ("(?i)abc", None),  # case-insensitive: a plain `in` would miss 'ABC'
        ("x(?i:abc)", None),
    ],
)
def test_needles_of_small_patterns(pattern, expected):
    assert needles(pattern) == (frozenset(expected) if expected is not None else None)


@settings(max_examples=300, deadline=None)
@given(sentence=sentence)
def test_a_pattern_matches_only_text_holding_one_of_its_words(sentence):
    for pattern in PATTERNS:
        if re.search(pattern, sentence):
            assert may_match(needles(pattern), sentence), (pattern, sentence)


@settings(max_examples=100, deadline=None)
@given(sentences=st.lists(sentence, min_size=1, max_size=5), year=st.sampled_from([None, 2024]))
def test_claims_are_those_found_without_filtering(sentences, year):
    prose = "。".join(sentences) + "。"
    for rule in RULES:
        if rule.kind != "text_claim":
            continue
        finder = text.ClaimFinder(rule.raw)
        unfiltered = text.ClaimFinder(rule.raw)
        unfiltered._guarded = tuple(
            tuple((pattern, None) for pattern in group) for group in (finder.patterns, finder.zero_patterns)
        )
        assert list(finder.claims(prose, year)) == list(unfiltered.claims(prose, year))
