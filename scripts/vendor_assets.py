"""Copy the browser assets the web app needs from node_modules into the package's static files.

Run by `make assets` after `npm ci` (package-lock.json pins every version). The copied files are
committed, so `pip install` works without npm; rerun this only to upgrade an asset.

    npm ci --ignore-scripts && python scripts/vendor_assets.py

Why the edits to GOV.UK Frontend's stylesheet: its fonts (GDS Transport) and crest are licensed for
GOV.UK services only, and a council's own service must not use them (GOV.UK Frontend docs, "Use
GOV.UK Frontend outside GOV.UK"). So the @font-face rules are dropped, the font stack falls back
to Arial, and the absolute `/assets/` URLs are made relative to the stylesheet.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
STATIC = ROOT / "src" / "observatory" / "web" / "static" / "vendor"
TESTS = ROOT / "tests" / "web" / "vendor"

# (package, file inside the package, destination relative to STATIC)
FILES = [
    ("govuk-frontend", "dist/govuk/govuk-frontend.min.js", "govuk/govuk-frontend.min.js"),
    ("govuk-frontend", "dist/govuk/assets/images/favicon.ico", "govuk/images/favicon.ico"),
    ("maplibre-gl", "dist/maplibre-gl.js", "maplibre/maplibre-gl.js"),
    ("maplibre-gl", "dist/maplibre-gl.css", "maplibre/maplibre-gl.css"),
    ("maplibre-gl", "LICENSE.txt", "maplibre/LICENSE.txt"),
    ("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("swagger-ui-dist", "swagger-ui.css", "swagger-ui/swagger-ui.css"),
    ("swagger-ui-dist", "LICENSE", "swagger-ui/LICENSE"),
    ("swagger-ui-dist", "NOTICE", "swagger-ui/NOTICE"),
]
# axe-core only runs in the browser tests, so it is vendored beside them, not shipped.
TEST_FILES = [("axe-core", "axe.min.js", "axe.min.js"), ("axe-core", "LICENSE", "axe-LICENSE")]


def _version(package: str) -> str:
    # govuk-frontend ships no licence file, so the record names each package's licence too.
    meta = json.loads((NODE / package / "package.json").read_text())
    return f"{meta['version']} ({meta.get('license', 'see package')})"


def _govuk_css() -> str:
    css = (NODE / "govuk-frontend" / "dist/govuk/govuk-frontend.min.css").read_text()
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace("GDS Transport,", "").replace("font-family:GDS Transport", "font-family:arial,sans-serif")
    css = re.sub(r"url\(/assets/images/govuk-crest\.svg\)", "none", css)
    css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
    return css


def main() -> int:
    if not NODE.exists():
        print("node_modules is missing: run `npm ci --ignore-scripts` first.", file=sys.stderr)
        return 1
    versions = {}
    for package, src, dest in FILES:
        target = STATIC / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        text_ok = src.endswith((".js", ".css"))
        if text_ok:
            # Drop the source-map pointer: the maps are not vendored, and a dangling one 404s.
            body = (NODE / package / src).read_text()
            body = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", body)
            target.write_text(body)
        else:
            shutil.copyfile(NODE / package / src, target)
        versions[package] = _version(package)
    (STATIC / "govuk" / "govuk-frontend.min.css").write_text(_govuk_css())
    for package, src, dest in TEST_FILES:
        TESTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / package / src, TESTS / dest)
        versions[package] = _version(package)
    (STATIC / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    print("vendored: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
