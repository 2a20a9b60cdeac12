"""The whole records database to one file and back: JSON, or a ZIP holding one CSV per table and
a manifest. Every table on `Base.metadata` is included (after load_models(), so the tables of
the programme and strategy packages too). An import goes into an empty, migrated database, in one
transaction: a failure leaves it empty."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Table, func, insert, select, text

from ..errors import InputError, ObservatoryError
from .db import Base, Records
from .migrate import heads

FORMAT = "observatory-records"
VERSION = 1


def tables() -> list[Table]:

    return list(Base.metadata.sorted_tables)  # parents before children


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
    if isinstance(kind, Float):  # the programme's site coordinates (a CSV cell is text)
        return float(value)
    return value


def dump(records: Records) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "revisions": sorted(heads()), "tables": {}}
    with records.session() as s:
        for table in tables():
            columns = [c.name for c in table.columns]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = s.execute(select(table).order_by(*order)).all()
            data["tables"][table.name] = {"columns": columns, "rows": [[_out(v) for v in r] for r in rows]}
    return data


def export(records: Records, path: Path) -> dict[str, int]:
    """Write the database to `path`: .json, or .zip (one CSV per table). Returns rows per table."""
    data = dump(records)
    path = Path(path)
    counts = {name: len(t["rows"]) for name, t in data["tables"].items()}
    tmp = path.with_name(path.name + ".part")
    if path.suffix == ".json":
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    elif path.suffix == ".zip":
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            manifest = {k: v for k, v in data.items() if k != "tables"}
            manifest["tables"] = {n: {"columns": t["columns"], "rows": len(t["rows"])} for n, t in data["tables"].items()}
            z.writestr("manifest.json", json.dumps(manifest, indent=1))
            for name, t in data["tables"].items():
                buf = io.StringIO()
                w = csv.writer(buf, lineterminator="\n")
                w.writerow(t["columns"])
                for row in t["rows"]:
                    w.writerow(["\\N" if v is None else ("true" if v is True else "false" if v is False else v)
                                for v in row])
                z.writestr(f"{name}.csv", buf.getvalue())
    else:
        raise ObservatoryError(f"{path.name}: export to a .json or a .zip file.")
    tmp.replace(path)  # a whole file or none
    return counts


def _read(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the file does not exist.", fix="Give the path of an export made by `observatory records export`.")
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(path, f"not valid JSON ({exc}).", fix="Use the file as export wrote it.") from None
    elif path.suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as z:
                data = json.loads(z.read("manifest.json"))
                for name, meta in data["tables"].items():
                    reader = csv.reader(io.StringIO(z.read(f"{name}.csv").decode("utf-8")))
                    header = next(reader)
                    if header != meta["columns"]:
                        raise InputError(path, f"{name}.csv has columns {header}.", row=1,
                                         expected=f"{meta['columns']}", fix="Use the file as export wrote it.")
                    meta["rows"] = [[None if v == "\\N" else v for v in row] for row in reader]
        except (zipfile.BadZipFile, KeyError) as exc:
            raise InputError(path, f"not an export ZIP ({exc}).", fix="Use the file as export wrote it.") from None
    else:
        raise InputError(path, "not a .json or .zip export.", fix="Give the file export wrote.")
    if data.get("format") != FORMAT:
        raise InputError(path, "not an observatory records export.", expected=f'"format": "{FORMAT}"',
                         fix="Give a file made by `observatory records export`.")
    return data


def import_(records: Records, path: Path) -> dict[str, int]:
    """Restore an export into this (empty, migrated) database, all or nothing."""
    data = _read(path)
    known = {t.name: t for t in tables()}
    unknown = sorted(set(data["tables"]) - set(known))
    if unknown:
        raise InputError(path, f"holds table(s) {', '.join(unknown)} this database does not have.",
                         fix="Upgrade the observatory and run `observatory records upgrade`, then import again.")
    counts = {}
    with records.session() as s:
        for table in known.values():
            if s.scalar(select(func.count()).select_from(table)):
                raise ObservatoryError(f"The records database is not empty (table {table.name} has rows). "
                                       "Import only into a new database: create one and run "
                                       "`observatory records upgrade` first.")
        for table in known.values():  # parents before children
            t = data["tables"].get(table.name)
            if not t:
                continue
            columns = [table.c[name] for name in t["columns"] if name in table.c]
            missing = [n for n in t["columns"] if n not in table.c]
            if missing:
                raise InputError(path, f"table {table.name} has column(s) {', '.join(missing)} this database does not have.",
                                 fix="Run `observatory records upgrade`, then import again.")
            rows = [{c.name: _in(c, v) for c, v in zip(columns, row, strict=True)} for row in t["rows"]]
            if rows:
                s.execute(insert(table), rows)
            counts[table.name] = len(rows)
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
