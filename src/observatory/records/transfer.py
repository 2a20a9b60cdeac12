"""The whole records database to one file and back: JSON, or a ZIP holding one CSV per table and
a manifest. Every table on `Base.metadata` is included (after load_models(), so the tables of
the programme and strategy packages too). An import goes into an empty, migrated database, in one
transaction: a failure leaves it empty.

Exact both ways: every row keeps its id, every value its full precision (a number is written as
Python's shortest exact form, a time to the microsecond), a superseded metric value stays
superseded under its own author, and the audit log keeps its seals; exporting the restored
database gives the same file, byte for byte.

The export carries a manifest: for each table its columns, its number of rows and the SHA-256 of
its data (in a ZIP, of its CSV file as stored). An import checks them all, and checks the audit
log's hash chain (records/audit.py), before writing anything: a file edited by hand, or an audit
log with a row re-attributed, removed or added, is refused. (Someone who rewrites the audit log,
re-seals every row after it and recomputes the manifest is not stopped by the file alone: compare
the newest seal with the one `observatory records verify` showed on the original.)
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table, func, insert, select, text

from ..errors import InputError, ObservatoryError
from ..sources.tabular import read_table
from . import actions, csv_safe, register, sign_in, users  # noqa: F401 - the records' own tables
from .audit import AUDIT_TABLE, check_chain
from .db import Base, Records
from .migrate import heads

FORMAT = "observatory-records"
VERSION = 2  # 2: a manifest with checksums; the audit log with its seals
NULL = csv_safe.Verbatim("\\N")  # an empty (NULL) value in a CSV cell; text starting with a backslash is quoted
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member dated alike, so the same records give the same bytes
_AS_WRITTEN = "Use the file exactly as `observatory records export` wrote it: an edited export is never imported."


# Counters of failed sign-ins and of public challenge reports per client (hashed): about this
# server's recent traffic, not records to keep or move.
TRANSIENT = frozenset({"sign_in_throttle", "challenge_intake"})


def tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in TRANSIENT]  # parents before children


def _out(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _in(column, value: Any) -> Any:  # noqa: ANN001
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Boolean):
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):  # a CSV cell is text; float() of repr() gives the very same number
        return float(value)
    return value


def _rows_digest(rows: list[list[Any]]) -> str:
    """The SHA-256 of a table's rows as JSON (the JSON export's checksum)."""
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def dump(records: Records) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "revisions": sorted(heads()), "tables": {}}
    with records.session() as s:
        for table in tables():
            columns = [c.name for c in table.columns]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = s.execute(select(table).order_by(*order)).all()
            data["tables"][table.name] = {"columns": columns, "rows": [[_out(v) for v in r] for r in rows]}
    return data


def _csv_cell(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return value  # numbers as repr() writes them: the shortest text that reads back the same


def _csv_bytes(columns: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv_safe.writer(buf)
    w.writerow(columns)
    for row in rows:
        w.writerow([_csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def export(records: Records, path: Path) -> dict[str, int]:
    """Write the database to `path`: .json, or .zip (one CSV per table). Returns rows per table."""
    data = dump(records)
    path = Path(path)
    counts = {name: len(t["rows"]) for name, t in data["tables"].items()}
    head = {k: v for k, v in data.items() if k != "tables"}
    tmp = path.with_name(path.name + ".part")
    if path.suffix == ".json":
        manifest = {name: {"rows": len(t["rows"]), "sha256": _rows_digest(t["rows"])}
                    for name, t in data["tables"].items()}
        tmp.write_text(json.dumps({**head, "manifest": manifest, "tables": data["tables"]}, indent=1,
                                  ensure_ascii=False), encoding="utf-8")
    elif path.suffix == ".zip":
        files = {name: _csv_bytes(t["columns"], t["rows"]) for name, t in data["tables"].items()}
        manifest = {**head, "tables": {
            name: {"columns": t["columns"], "rows": len(t["rows"]), "file": f"{name}.csv",
                   "sha256": hashlib.sha256(files[name]).hexdigest()}
            for name, t in data["tables"].items()}}
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            _write_member(z, "manifest.json", json.dumps(manifest, indent=1).encode("utf-8"))
            for name, raw in files.items():
                _write_member(z, f"{name}.csv", raw)
    else:
        raise ObservatoryError(f"{path.name}: export to a .json or a .zip file.")
    tmp.replace(path)  # a whole file or none
    return counts


def _write_member(z: zipfile.ZipFile, name: str, raw: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # the records hold password hashes: the owner's alone when unpacked
    z.writestr(info, raw)


# --- reading an export -----------------------------------------------------------------------

def _changed(path: Path, what: str, problem: str) -> InputError:
    return InputError(path, f"{what} {problem}", fix=_AS_WRITTEN)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc}).", fix="Use the file as export wrote it.") from None
    _check_format(path, data)
    manifest = data.get("manifest")
    if not isinstance(manifest, dict) or not isinstance(data.get("tables"), dict):
        raise _changed(path, "The file", "has no manifest of its tables.")
    _same_tables(path, manifest, data["tables"])
    for name, t in data["tables"].items():
        expected = manifest[name]
        if len(t["rows"]) != expected.get("rows"):
            raise _changed(path, f"Table {name}", f"has {len(t['rows']):,} rows where the manifest says "
                           f"{expected.get('rows')}: rows were added or removed after the export.")
        if _rows_digest(t["rows"]) != expected.get("sha256"):
            raise _changed(path, f"Table {name}", "was changed after the export: its checksum does not "
                           "match the manifest's.")
    return data


def _read_zip(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as z:
            data = json.loads(z.read("manifest.json"))
            _check_format(path, data)
            members = {n for n in z.namelist() if n != "manifest.json"}
            listed = {m.get("file", f"{name}.csv") for name, m in data["tables"].items()}
            extra = sorted(members - listed)
            if extra:
                raise _changed(path, "The ZIP", f"holds file(s) the manifest does not list: {', '.join(extra)}.")
            for name, meta in data["tables"].items():
                member = meta.get("file", f"{name}.csv")
                raw = z.read(member)
                if hashlib.sha256(raw).hexdigest() != meta.get("sha256"):
                    raise _changed(path, member, "was changed after the export: its checksum does not match "
                                   "the manifest's.")
                meta["rows"] = _csv_rows(path, member, raw, meta)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not an export ZIP ({exc}).", fix="Use the file as export wrote it.") from None
    return data


def _csv_rows(path: Path, member: str, raw: bytes, meta: dict[str, Any]) -> list[list[Any]]:
    table = read_table(raw, f"{path.name}: {member}")
    if table.header != meta["columns"]:
        raise InputError(path, f"{member} has columns {table.header}.", row=1, expected=f"{meta['columns']}",
                         fix=_AS_WRITTEN)
    table.done()
    rows = [[None if row[c] == NULL else csv_safe.restore(row[c]) for c in table.header] for row in table]
    if len(rows) != meta["rows"]:
        raise _changed(path, member, f"has {len(rows):,} rows where the manifest says {meta['rows']}.")
    return rows


def _check_format(path: Path, data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(path, "not an observatory records export.", expected=f'"format": "{FORMAT}"',
                         fix="Give a file made by `observatory records export`.")
    if data.get("version") != VERSION:
        raise InputError(path, f"an export of version {data.get('version')}, made by another release of the "
                         "observatory.", expected=f"version {VERSION}",
                         fix="Export the records again with this release (after `observatory records upgrade` "
                             "on the database they came from), then import that file.")


def _same_tables(path: Path, manifest: dict[str, Any], tables_: dict[str, Any]) -> None:
    if set(manifest) != set(tables_):
        differ = sorted(set(manifest) ^ set(tables_))
        raise _changed(path, "The file", f"does not hold the tables its manifest lists ({', '.join(differ)}).")


def _read(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the file does not exist.", fix="Give the path of an export made by `observatory records export`.")
    if path.suffix == ".json":
        return _read_json(path)
    if path.suffix == ".zip":
        return _read_zip(path)
    raise InputError(path, "not a .json or .zip export.", fix="Give the file export wrote.")


def _check_audit_chain(path: Path, rows: list[dict[str, Any]]) -> None:
    report = check_chain(rows)
    if report.broken is not None:
        raise InputError(path, f"The audit log in this export has been tampered with. {report.broken.problem}",
                         fix="An audit log is imported only as it was written: use the file export wrote.")


def import_(records: Records, path: Path) -> dict[str, int]:
    """Restore an export into this (empty, migrated) database, all or nothing."""
    data = _read(path)
    known = {t.name: t for t in tables()}
    unknown = sorted(set(data["tables"]) - set(known))
    if unknown:
        raise InputError(path, f"holds table(s) {', '.join(unknown)} this database does not have.",
                         fix="Upgrade the observatory and run `observatory records upgrade`, then import again.")
    prepared: dict[str, list[dict[str, Any]]] = {}
    for table in known.values():  # parents before children
        t = data["tables"].get(table.name)
        if not t:
            continue
        missing = [n for n in t["columns"] if n not in table.c]
        if missing:
            raise InputError(path, f"table {table.name} has column(s) {', '.join(missing)} this database does not have.",
                             fix="Run `observatory records upgrade`, then import again.")
        columns = [table.c[name] for name in t["columns"]]
        try:
            prepared[table.name] = [{c.name: _in(c, v) for c, v in zip(columns, row, strict=True)}
                                    for row in t["rows"]]
        except (ValueError, TypeError) as exc:
            raise _changed(path, f"Table {table.name}", f"holds a value that is not of its column's kind ({exc}).") from None
    _check_audit_chain(path, prepared.get(AUDIT_TABLE, []))
    counts = {}
    with records.session() as s:
        for table in known.values():
            if s.scalar(select(func.count()).select_from(table)):
                raise ObservatoryError(f"The records database is not empty (table {table.name} has rows). "
                                       "Import only into a new database: create one and run "
                                       "`observatory records upgrade` first.")
        for name, rows in prepared.items():
            if rows:
                s.execute(insert(known[name]), rows)
            counts[name] = len(rows)
        if records.dialect == "postgresql":
            _reset_sequences(s)
    return counts


def _reset_sequences(session) -> None:  # noqa: ANN001
    """Rows came with their ids: move each id sequence past the largest, or the next insert collides."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
            name = table.name  # table and column names come from our own metadata, never user input
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {name}), 0) + 1, false)"
            ))
