"""Per-unit secret links: issuing, looking up, revoking, and the 访问链接.csv the office hands out.

A link is the service's only credential: whoever has a unit's link can upload for that unit,
whoever has the office link sees the jurisdiction. Tokens carry 256 random bits
(``secrets.token_urlsafe(32)``), persist in the store across restarts, and are looked up by
their SHA-256 and then compared with :func:`hmac.compare_digest`, so neither the index nor
the comparison leaks a secret by timing. Every unknown, revoked or malformed token gets the
same answer (404) from the app.
"""

from __future__ import annotations

import csv
import hmac
import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from report_kit.atomic import write_bytes
from report_kit.batch.roster import RosterUnit, normalise_name
from report_kit.serve.store import Store, now, token_hash
from report_kit.writers.safe_cells import neutralise

LINKS_NAME = "访问链接.csv"
OFFICE_NAME = "政务公开办"
LINKS_HEADER = ("单位名称", "链接")
ROLE_UNIT = "unit"
ROLE_OFFICE = "office"
TOKEN_BYTES = 32  # 256 bits; the contract asks for at least 128
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
ROSTER_LOCK = -1  # the advisory lock of roster and link changes (unit ids lock their uploads)


@dataclass(frozen=True)
class Link:
    id: int
    role: str
    unit_id: int | None
    unit_name: str
    token: str


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def link_path(token: str) -> str:
    """The path of a link (the unit's or the office's pages live below it)."""
    return f"/k/{token}/"


def lookup(store: Store, token: str) -> Link | None:
    """The live link of ``token``, or ``None`` (unknown, revoked or malformed alike)."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    row = store.read().one(
        "SELECT l.id, l.role, l.unit_id, l.token, u.name FROM serve_links l "
        "LEFT JOIN serve_units u ON u.id = l.unit_id WHERE l.token_hash = ? AND l.revoked_at IS NULL",
        (token_hash(token),),
    )
    if row is None or not hmac.compare_digest(row["token"].encode(), token.encode()):
        return None
    return Link(row["id"], row["role"], row["unit_id"], row["name"] or OFFICE_NAME, row["token"])


def _issue(db, role: str, unit_id: int | None) -> str:
    token = new_token()
    db.execute(
        "INSERT INTO serve_links (unit_id, role, token, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        (unit_id, role, token, token_hash(token), now()),
    )
    return token


def sync_roster(store: Store, roster: list[RosterUnit] | None) -> None:
    """Make the store's units the roster's (new units added, order taken from the roster,
    units no longer listed kept with their uploads but hidden) and give every listed unit and
    the office a live link. Without a roster the units already known stay as they are."""
    with store.transaction(lock=ROSTER_LOCK) as db:  # two processes starting at once: one at a time
        if roster is not None:
            db.execute("UPDATE serve_units SET position = NULL")
            for unit in roster:
                key = normalise_name(unit.name)
                if not key:
                    continue
                row = db.one("SELECT id FROM serve_units WHERE name_key = ?", (key,))
                if row is None:
                    db.execute(
                        "INSERT INTO serve_units (name, name_key, code, kind, position) VALUES (?, ?, ?, ?, ?)",
                        (unit.name, key, unit.code or "", unit.kind or "", unit.index),
                    )
                else:
                    db.execute(
                        "UPDATE serve_units SET name = ?, code = ?, kind = ?, position = ? WHERE id = ?",
                        (unit.name, unit.code or "", unit.kind or "", unit.index, row["id"]),
                    )
        missing = db.all(
            "SELECT u.id FROM serve_units u WHERE u.position IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM serve_links l WHERE l.unit_id = u.id AND l.revoked_at IS NULL)"
        )
        for row in missing:
            _issue(db, ROLE_UNIT, row["id"])
        office = db.one("SELECT id FROM serve_links WHERE role = ? AND revoked_at IS NULL", (ROLE_OFFICE,))
        if office is None:
            _issue(db, ROLE_OFFICE, None)


def reissue(store: Store, unit_id: int | None) -> str:
    """Revoke the unit's (or, for ``None``, the office's) live link and issue a new one."""
    role = ROLE_OFFICE if unit_id is None else ROLE_UNIT
    with store.transaction(lock=ROSTER_LOCK) as db:
        if unit_id is None:
            db.execute(
                "UPDATE serve_links SET revoked_at = ? WHERE role = ? AND revoked_at IS NULL", (now(), role)
            )
        else:
            db.execute(
                "UPDATE serve_links SET revoked_at = ? WHERE unit_id = ? AND revoked_at IS NULL",
                (now(), unit_id),
            )
        return _issue(db, role, unit_id)


def revoke(store: Store, unit_id: int) -> None:
    """Revoke a unit's link without a replacement (reissue gives it a new one later)."""
    with store.transaction(lock=ROSTER_LOCK) as db:
        db.execute(
            "UPDATE serve_links SET revoked_at = ? WHERE unit_id = ? AND revoked_at IS NULL", (now(), unit_id)
        )


def listed_links(store: Store) -> list[dict]:
    """The office first, then every roster unit in roster order: name, unit id, live token or ''."""
    rows = store.read().all(
        "SELECT u.id AS unit_id, u.name, (SELECT l.token FROM serve_links l WHERE l.unit_id = u.id "
        "AND l.revoked_at IS NULL ORDER BY l.id DESC LIMIT 1) AS token FROM serve_units u "
        "WHERE u.position IS NOT NULL ORDER BY u.position, u.name"
    )
    office = store.read().one(
        "SELECT token FROM serve_links WHERE role = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
        (ROLE_OFFICE,),
    )
    listed = [{"unit_id": None, "name": OFFICE_NAME, "token": office["token"] if office else ""}]
    return listed + [{"unit_id": r["unit_id"], "name": r["name"], "token": r["token"] or ""} for r in rows]


def full_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + link_path(token)


def links_csv(store: Store, base_url: str) -> bytes:
    """访问链接.csv: UTF-8 with BOM (Excel shows Chinese only with it), 单位名称,链接; a revoked
    link without a replacement is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LINKS_HEADER)
    for row in listed_links(store):
        writer.writerow([neutralise(row["name"]), full_url(base_url, row["token"]) if row["token"] else ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_links_csv(store: Store, root: str | os.PathLike, base_url: str) -> Path:
    """Write ROOT/访问链接.csv atomically, readable only by its owner (it holds every secret)."""
    target = Path(root) / LINKS_NAME
    write_bytes(target, links_csv(store, base_url), private=True)  # secret links: the file stays 0600
    return target
