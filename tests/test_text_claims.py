"""The prose checks on real Chinese sentences: numerals, negations, neighbouring figures."""

from __future__ import annotations

import pytest

from report_kit.catalogue import load_catalogue
from report_kit.chinese_numbers import parse_number
from report_kit.rules.text import ClaimFinder

RULES = load_catalogue()


def claims(rule_id: str, text: str) -> list:
    return [c.value for c in ClaimFinder(RULES[rule_id].raw).claims(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年，本局共收到政府信息公开申请26件，较上年增加3件。", [26]),
        ("全年新收政府信息公开申请十二件。", [12]),
        ("本年度共受理依申请公开两件。", [2]),
        ("全年受理依申请公开事项8件。", [8]),
        ("本年度受理政府信息公开申请两件，均已按时答复。", [2]),
        ("本机关全年共收到各类政府信息公开申请１２件。", [12]),
        ("共收到12件政府信息公开申请，其中自然人申请10件。", [12]),
        ("本年度未收到政府信息公开申请。", [0]),
        ("全年没有收到政府信息公开申请，无上年结转。", [0]),
        ("收到行政复议申请2件。", []),
        ("本年度新收政府信息公开申请，共计1,024件。", [1024]),
        ("受理申请25件，其中上年结转2件，结转下年度继续办理1件。", [25]),
        ("共收到申请二十件（含上年结转三件）。", [20]),
        ("主动公开政府信息1200条。", []),
        ("本年度无政府信息公开申请。", [0]),
        ("全年没有政府信息公开申请。", [0]),
        ("对申请人无正当理由大量反复申请的1件不予处理。", []),
        # 办理 = 新收 + 上年结转: a handled count is not a received count
        ("本年度共办理政府信息公开申请28件，其中新收26件、上年结转2件。", [26]),
        ("本局2024年度收到政府信息公开申请26件，上年结转2件，共计28件。", [26]),
    ],
)
def test_received_claims(text, expected):
    assert claims("X.received", text) == expected


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("X.carried_over", "受理申请25件，其中上年结转2件。", [2]),
        ("X.carried_over", "无上年结转申请。", [0]),
        ("X.carried_forward", "结转下年度继续办理1件。", [1]),
        ("X.carried_forward", "3件申请因需第三方意见结转至下一年度办理。", [3]),
        ("X.reconsideration", "因政府信息公开被申请行政复议2件、提起行政诉讼1件。", [2]),
        ("X.litigation", "因政府信息公开被申请行政复议2件、提起行政诉讼1件。", [1]),
        ("X.reconsideration", "全年未发生政府信息公开行政复议、行政诉讼案件。", [0]),
        ("X.litigation", "全年未发生政府信息公开行政复议、行政诉讼案件。", [0]),
        ("X.reconsideration", "本年度发生行政复议两起。", [2]),
        ("X.litigation", "政府信息公开行政诉讼案件为0。", [0]),
        ("X.fees", "本年度未收取信息处理费。", [0]),
        ("X.fees", "发出收费通知1件，通知金额300元，实际收取300元。", [300]),
        ("X.fees", "共收取信息处理费1,200元。", [1200]),
        ("X.fee_notices", "本年度发出收费通知书两份。", [2]),
        ("X.disclosed", "其中予以公开15件，部分公开3件。", [15]),
    ],
)
def test_other_claims(rule, text, expected):
    assert claims(rule, text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十二", 12),
        ("两", 2),
        ("二十", 20),
        ("一百零五", 105),
        ("一千二百", 1200),
        ("１２", 12),
        ("1,200", 1200),
        ("12.5", parse_number("12.5")),
        ("十", 10),
        ("12件", None),
        ("", None),
        ("三二", 32),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value
