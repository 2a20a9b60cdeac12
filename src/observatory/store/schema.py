"""The store's layout, and how it is opened for reading.

Tables
  releases     one row per source loaded: publisher, title, as-of month, licence, checksum, synthetic
  areas        code, name, level, vintage, representative point, geometry (WKB, EPSG:4326)
  shapes       simplified geometry per level for maps (WKB, EPSG:4326), one band per level
  membership   child -> parent links with the method (lookup, spatial, best-fit), weight and the
               share of a best-fit child's postcodes (a proxy for its premises) inside the parent
  facts        release x area x indicator: numerator, denominator, value, method, suppressed, synthetic
  indicators   id, label, unit, definition, citation, direction, finest level (targets are the
               strategy's, set in the workspace: strategy/coverage_targets.py)
  findings     what `observatory check` reports: kind, subject, detail, count
  meta         key/value: when and from what the store was built
"""

from __future__ import annotations

import os
from pathlib import Path

# The store's layout; part of the build fingerprint and of meta, so a store of an older layout is
# rebuilt rather than misread. 2: areas.local_name and local_name_kind (readable MSOA names).
# 3: indicators.threshold dropped (a target is the workspace's, not the store's).
STORE_SCHEMA = 3

# The facts table's columns, in its order: what every step that adds figures hands the writer.
FACT_COLUMNS = [
    "release_id", "release", "area_code", "level", "indicator", "numerator", "denominator",
    "value", "method", "suppressed", "synthetic",
]

SCHEMA = """
CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY,   -- e.g. 'ofcom-laua-2025-07'
    source VARCHAR NOT NULL,          -- the workspace's source key
    publisher VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    as_of VARCHAR,                    -- snapshot month YYYY-MM (NULL for reference data)
    published VARCHAR,
    licence VARCHAR NOT NULL,
    attribution VARCHAR,
    origin VARCHAR,
    file VARCHAR NOT NULL,
    files_used VARCHAR,               -- JSON list: members of a ZIP actually read
    checksum VARCHAR NOT NULL,        -- sha256 of the file as loaded
    vintage VARCHAR,                  -- geography vintage of the area codes, e.g. 'OA 2011'
    synthetic BOOLEAN NOT NULL,
    rows INTEGER,
    notes VARCHAR                     -- JSON list: what was derived differently from the file's headings
);
CREATE TABLE areas (
    code VARCHAR PRIMARY KEY,
    name VARCHAR,                     -- the publisher's name (ONS: 'Bradford 001' for an MSOA)
    level VARCHAR NOT NULL,
    vintage VARCHAR,
    lon DOUBLE,
    lat DOUBLE,
    geometry BLOB,
    local_name VARCHAR,               -- MSOAs: a readable name, or a description from their wards
    local_name_kind VARCHAR           -- 'hcl' (House of Commons Library name) | 'wards' (a description)
);
CREATE TABLE shapes (
    code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    geometry BLOB NOT NULL
);
CREATE TABLE membership (
    child VARCHAR NOT NULL,
    parent VARCHAR NOT NULL,
    parent_level VARCHAR NOT NULL,
    method VARCHAR NOT NULL,          -- lookup | spatial | best-fit
    weight DOUBLE NOT NULL DEFAULT 1.0,
    share DOUBLE                      -- best fit: share of the child's postcodes inside this parent
);
CREATE TABLE facts (
    release_id VARCHAR NOT NULL,
    release VARCHAR NOT NULL,         -- as-of month YYYY-MM
    area_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    method VARCHAR NOT NULL,          -- published | rolled-up | estimated-weights
    suppressed BOOLEAN NOT NULL DEFAULT FALSE,
    synthetic BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE indicators (
    id VARCHAR PRIMARY KEY,
    label VARCHAR, unit VARCHAR, definition VARCHAR, citation VARCHAR,
    direction VARCHAR, finest_level VARCHAR, has_counts BOOLEAN
);
CREATE TABLE findings (
    kind VARCHAR NOT NULL,
    subject VARCHAR,
    detail VARCHAR,
    count BIGINT
);
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
"""


# Readers of the store touch nothing but the store: no COPY ... TO, ATTACH, INSTALL or reading other
# files, and the setting cannot be turned back on from SQL (DuckDB "Securing DuckDB" guidance).
SANDBOX = {
    "enable_external_access": False,
    "lock_configuration": True,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    # a runaway query fails with a message instead of taking the machine's memory
    "memory_limit": "2GB",
}


def store_path(workspace_dir: Path) -> Path:
    return Path(workspace_dir) / "build" / "observatory.duckdb"


def identity(path: Path) -> tuple[int, int] | None:
    """What changes when a build replaces the store (it renames a new file into place) or the
    file is rewritten: its inode and modification time; None when there is no file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns
