"""Generate a folder of realistic filled submissions for the batch benchmark (issue 5).

``python benchmarks/generate_batch.py OUT_DIR --count 10000 [--format xlsx|json] [--seed 0]``

Workbooks come from the official template writer (``report_kit.writers.template_xlsx``).
Writing one workbook takes ~0.1 s, so a handful of variants are written once with a
placeholder unit name, and each file is a copy with the unit's name patched into the
worksheet XML (a zip rewrite, a few ms). Variants: figures scaled ×1…×3 (identities are
linear, so scaled reports stay valid; prose figures then differ — realistic warnings),
~8 % with an arithmetic error in 表三, ~1 % unreadable (truncated workbook / broken JSON),
a few late publications.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
PLACEHOLDER = "UNITNAMEPLACEHOLDER"
COUNTIES = [
    "轮台县",
    "库尔勒市",
    "尉犁县",
    "若羌县",
    "且末县",
    "焉耆县",
    "和静县",
    "和硕县",
    "博湖县",
    "沙雅县",
]
UNITS = [
    "财政局",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化体育广播电视和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "林业和草原局",
    "人民政府办公室",
]


def _scaled(document: dict, factor: int) -> dict:
    out = copy.deepcopy(document)
    for key in ("active_disclosure", "applications", "reviews"):
        _scale(out[key], factor)
    return out


def _scale(node: dict, factor: int) -> None:
    for key, value in node.items():
        if isinstance(value, dict):
            _scale(value, factor)
        elif isinstance(value, int) and not isinstance(value, bool):
            node[key] = value * factor
        elif isinstance(value, float):
            node[key] = round(value * factor, 2)


def variants() -> dict[str, dict]:
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    base["unit"]["name"] = PLACEHOLDER
    base["unit"].pop("code", None)
    out = {}
    for factor in (1, 2, 3):
        out[f"ok{factor}"] = _scaled(base, factor)
    wrong = _scaled(base, 1)
    wrong["applications"]["received"]["natural_person"] += 1
    out["wrong"] = wrong
    late = _scaled(base, 1)
    late["published_on"] = f"{late['year'] + 1}-02-15"
    out["late"] = late
    return out


def unit_name(i: int) -> str:
    county = COUNTIES[i % len(COUNTIES)]
    unit = UNITS[(i // len(COUNTIES)) % len(UNITS)]
    batch = i // (len(COUNTIES) * len(UNITS))
    return f"{county}{unit}" if batch == 0 else f"{county}第{batch}片区{unit}"


def _variant_of(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.01:
        return "broken"
    if roll < 0.09:
        return "wrong"
    if roll < 0.12:
        return "late"
    return rng.choice(["ok1", "ok1", "ok2", "ok3"])


def _patched(template: dict[str, tuple[zipfile.ZipInfo, bytes]], name: str) -> bytes:
    needle = PLACEHOLDER.encode()
    value = escape(name).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info, data in template.values():
            zf.writestr(info, data.replace(needle, value) if needle in data else data)
    return out.getvalue()


BLANK_CELLS = 20  # what a unit typically leaves blank instead of writing 0


def blank_zeros(path: Path, target: Path, count: int = BLANK_CELLS) -> None:
    """``path`` with ``count`` cells that hold 0 left blank (the sums still hold)."""
    from openpyxl import load_workbook

    from report_kit.workbook_map import workbook_map

    book = load_workbook(path)
    slots = [
        s
        for s, _ in workbook_map().reading_order
        if s.numeric and book[s.sheet].cell(s.row, s.col).value == 0
    ][:count]
    for slot in slots:
        book[slot.sheet].cell(slot.row, slot.col).value = None
    book.save(target)


def _mix_kind(rng: random.Random) -> str:
    """The realistic mix of issue 13: 60 % filled workbooks, 30 % with blanks, 10 % JSON."""
    roll = rng.random()
    return "xlsx" if roll < 0.6 else "blank" if roll < 0.9 else "json"


def generate(directory: str | Path, count: int, fmt: str = "xlsx", seed: int = 0) -> dict[str, int]:
    """``fmt``: ``xlsx``, ``json``, or ``mix`` (see :func:`_mix_kind`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    documents = variants()
    templates: dict[str, dict] = {}
    blank_templates: dict[str, dict] = {}
    if fmt in ("xlsx", "mix"):
        from report_kit.writers.template_xlsx import write_workbook

        for key, document in documents.items():
            path = directory / f".template-{key}.xlsx"
            write_workbook(path, document)
            with zipfile.ZipFile(path) as zf:
                templates[key] = {i.filename: (i, zf.read(i)) for i in zf.infolist()}
            if fmt == "mix":
                blank = directory / f".template-{key}-blank.xlsx"
                blank_zeros(path, blank)
                with zipfile.ZipFile(blank) as zf:
                    blank_templates[key] = {i.filename: (i, zf.read(i)) for i in zf.infolist()}
                blank.unlink()
            path.unlink()
    tally: dict[str, int] = {}
    for i in range(count):
        variant = _variant_of(rng)
        kind = _mix_kind(rng) if fmt == "mix" else fmt
        tally[variant] = tally.get(variant, 0) + 1
        if fmt == "mix":
            tally[kind] = tally.get(kind, 0) + 1
        name = unit_name(i)
        suffix = "json" if kind == "json" else "xlsx"
        target = directory / f"{i // 1000:02d}" / f"{i:05d}-{name}.{suffix}"
        target.parent.mkdir(exist_ok=True)
        if kind in ("xlsx", "blank"):
            source = blank_templates if kind == "blank" else templates
            data = _patched(source["ok1" if variant == "broken" else variant], name)
            target.write_bytes(data[: len(data) // 2] if variant == "broken" else data)
        else:
            if variant == "broken":
                target.write_text('{"year": 2024, "unit": {', encoding="utf-8")
                continue
            document = copy.deepcopy(documents[variant])
            document["unit"]["name"] = name
            target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return tally


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--format", choices=("xlsx", "json", "mix"), default="xlsx")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tally = generate(args.directory, args.count, args.format, args.seed)
    print(f"generated {args.count} files in {time.perf_counter() - started:.1f} s: {tally}", file=sys.stderr)


if __name__ == "__main__":
    main()
