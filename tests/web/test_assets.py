"""The vendored browser assets ship inside the package, so `pip install` needs no npm."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from observatory.web import app as web_app

STATIC = Path(web_app.__file__).parent / "static"
REPO = Path(__file__).resolve().parents[2]


def test_vendored_assets_match_the_lockfile():
    lock = json.loads((REPO / "package-lock.json").read_text())["packages"]
    vendored = json.loads((STATIC / "vendor" / "VERSIONS.json").read_text())
    for package in ("govuk-frontend", "maplibre-gl", "swagger-ui-dist", "axe-core"):
        assert vendored[package].split()[0] == lock[f"node_modules/{package}"]["version"]
    assert lock["node_modules/maplibre-gl"]["version"].startswith("5.")  # 6.x has no UMD build


def test_assets_are_present_and_package_data_ships_them():
    for name in ("govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.js",
                 "maplibre/maplibre-gl.js", "maplibre/maplibre-gl.css",
                 "swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css"):
        assert (STATIC / "vendor" / name).stat().st_size > 1000, name
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "web/static/**/*" in package_data["observatory"]


def test_govuk_stylesheet_does_not_use_the_gov_uk_only_font():
    css = (STATIC / "vendor" / "govuk" / "govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css and "url(/assets/" not in css
