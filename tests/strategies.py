"""Hypothesis strategies that build valid submissions constructively.

Parts are drawn, every total is computed, so each generated report satisfies every
identity of the format by construction; prose states the same figures the tables hold,
sometimes in Chinese numerals.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st

from report_kit.credit_code import CHARSET, check_character
from report_kit.layout import load_layout

LAYOUT = load_layout("2021")
T3 = LAYOUT.tables["T3"]
T4 = LAYOUT.tables["T4"]
T3_PARTS = LAYOUT.collections["T3.parts"]
T4_PARTS = LAYOUT.collections["T4.parts"]
OUTCOME_ROWS = LAYOUT.collections["T3.rows.outcome"]

_DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Integer → Chinese numerals as officials write them (n < 10000)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out = ""
    units = [(1000, "千"), (100, "百"), (10, "十")]
    zero = False
    for value, unit in units:
        digit = (n // value) % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    if n % 10:
        if zero and out:
            out += "零"
        out += _DIGITS[n % 10]
    return out


def set_pointer(document: dict, pointer: str, value) -> None:
    parts = pointer.strip("/").split("/")
    node = document
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def get_pointer(document: dict, pointer: str):
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return node


@st.composite
def credit_codes(draw) -> str:
    body = draw(st.text(alphabet=CHARSET, min_size=17, max_size=17))
    return body + check_character(body)


small = st.integers(min_value=0, max_value=6)
sparse = st.one_of(st.just(0), st.just(0), small)


def number_text(draw, n: int) -> str:
    return to_chinese(n) if draw(st.booleans()) and n < 10000 else str(n)


@st.composite
def valid_submissions(draw) -> dict:
    year = draw(st.integers(min_value=2021, max_value=2025))
    kind, level = draw(
        st.sampled_from(
            [
                ("department", "county"),
                ("department", "city"),
                ("township", "township"),
                ("subdistrict", "township"),
                ("government", "county"),
                ("government", "city"),
                ("government", "province"),
                ("other", "county"),
            ]
        )
    )
    scope = "government" if kind == "government" and draw(st.booleans()) else "agency"
    deadline_day = 31
    submission: dict = {
        "format": "2021",
        "year": year,
        "scope": scope,
        "unit": {
            "name": draw(st.sampled_from(["轮台县市场监督管理局", "某某街道办事处", "测试县人民政府"])),
            "kind": kind,
            "level": level,
        },
    }
    if draw(st.booleans()):
        submission["published_on"] = f"{year + 1}-01-{draw(st.integers(1, deadline_day)):02d}"
    if draw(st.booleans()):
        submission["unit"]["code"] = draw(credit_codes())
    if draw(st.booleans()):
        submission["unit"]["region"] = "新疆维吾尔自治区巴音郭楞蒙古自治州轮台县"

    # 表二
    can_make_regulations = kind == "government" and level in ("province", "city")
    for row in ("regulations", "normative_documents"):
        if row == "regulations" and not can_make_regulations:
            issued = repealed = in_force = 0
        else:
            issued, repealed = draw(small), draw(small)
            in_force = max(0, issued - repealed) + draw(st.integers(0, 40))
        set_pointer(
            submission,
            f"/active_disclosure/{row}",
            {"issued": issued, "repealed": repealed, "in_force": in_force},
        )
    for row in ("licensing", "penalties", "enforcement"):
        set_pointer(submission, f"/active_disclosure/{row}/decisions", draw(st.integers(0, 500)))
    cents = draw(st.integers(0, 100_000))
    set_pointer(submission, "/active_disclosure/fees/amount", cents / 100)

    # 表三: outcomes and carry-overs drawn per applicant column, the rest computed.
    apps: dict = {}
    column_totals = {}
    for col in T3_PARTS:
        outcomes = {row: draw(sparse) for row in OUTCOME_ROWS}
        over = draw(sparse)
        forward = draw(sparse)
        handled = sum(outcomes.values())
        received = handled + forward - over
        if received < 0:
            forward -= received
            received = 0
        column_totals[col] = {
            "received": received,
            "carried_over": over,
            "carried_forward": forward,
            **outcomes,
        }
    for row in T3.rows:
        values = {}
        for col in T3_PARTS:
            source = column_totals[col]
            if row.path == "results/total":
                values[col] = sum(source[r] for r in OUTCOME_ROWS)
            else:
                values[col] = source[row.path]
        values["total"] = sum(values.values())
        set_pointer(apps, row.path, values)
    submission["applications"] = apps

    received_total = apps["received"]["total"]
    over_total = apps["carried_over"]["total"]
    forward_total = apps["carried_forward"]["total"]
    fee_unpaid = apps["results"]["other_handling"]["fee_unpaid"]["total"]

    # 表四: cases only where there were applications (else an info finding is expected).
    reviews = {}
    for row in T4.rows:
        parts = {col: (draw(sparse) if received_total + over_total else 0) for col in T4_PARTS}
        parts["total"] = sum(parts.values())
        reviews[row.path] = parts
    submission["reviews"] = reviews

    # 信息处理费
    notices = draw(st.integers(0, 3)) + (1 if fee_unpaid else 0)
    notified = draw(st.integers(0, 100)) * 10 if notices else 0
    collected = draw(st.integers(0, notified // 10)) * 10
    submission["fees"] = {"notices": notices, "amount_notified": notified, "amount_collected": collected}

    reconsideration = reviews["reconsideration"]["total"]
    litigation = reviews["litigation_direct"]["total"] + reviews["litigation_after_reconsideration"]["total"]
    requests_text = (
        f"本年度共收到政府信息公开申请{number_text(draw, received_total)}件，"
        f"上年结转{number_text(draw, over_total)}件。"
        f"结转下年度继续办理{forward_total}件。"
        if received_total
        else "本年度未收到政府信息公开申请。"
    )
    if reconsideration:
        oversight = f"全年因政府信息公开被申请行政复议{number_text(draw, reconsideration)}件。"
    else:
        oversight = "全年未发生政府信息公开行政复议案件。"
    if litigation:
        oversight += f"被提起行政诉讼{number_text(draw, litigation)}件。"
    if collected:
        fees_text = f"本年度发出收费通知{notices}件，实际收取信息处理费{collected}元。"
    elif notices:
        fees_text = f"本年度发出收费通知{notices}件，申请人均未缴费。"
    else:
        fees_text = "本年度未收取信息处理费。"
    submission["text"] = {
        "overview": {
            "active_disclosure": "严格落实主动公开基本目录，及时公开行政许可、行政处罚信息。",
            "requests": requests_text,
            "information_management": "建立政府信息公开审查机制，做好发布前保密审查。",
            "platforms": "持续优化政府网站信息公开专栏。",
            "oversight": oversight + "将政务公开纳入年度考核。",
        },
        "problems": "主动公开的深度和广度还需加强，下一步将加强培训。",
        "other": {
            "fees": fees_text,
            "work_plan": "认真落实上级年度政务公开工作要点。",
            "proposals": "按要求公开建议提案办理结果。",
            "innovation": "开设政策解读专栏。",
        },
    }
    return submission


def numeric_pointers() -> list[str]:
    return list(LAYOUT.cells)


def mutated(submission: dict, pointer: str, delta) -> dict:
    clone = copy.deepcopy(submission)
    set_pointer(clone, pointer, get_pointer(clone, pointer) + delta)
    return clone


def first_example(strategy, condition=lambda value: True):
    """The first value ``strategy`` draws that meets ``condition``, the same on every run.

    ``hypothesis.find`` shrinks its result to a minimal one: with no example database (a
    fresh CI checkout) that took 30-50 s per call on these large submissions. Tests that just
    need one realistic report take the first drawn one, derandomised, unshrunk.
    """
    return find(
        strategy,
        condition,
        settings=settings(
            phases=[Phase.generate],
            database=None,
            derandomize=True,
            max_examples=2000,
            suppress_health_check=list(HealthCheck),
        ),
    )
