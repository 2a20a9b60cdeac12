"""Which workspace the demo belongs to, and how what the demo seeds is labelled.

The demo's records (board actions, a Shared Care Record register, a programme register of West
Yorkshire buildings, metric values) describe the bundled demo workspace and nothing else. The seed
commands refuse any other workspace unless asked explicitly (--allow-other-workspace), and whatever
they write carries the demo's name, so that nobody reads it as their own council's.

The demo workspace is recognised by what it is, not where it lies (tests and `make demo` work on
copies of it): its region is the demo's and it holds the demo's site file. A council's own
workspace for the same region, written by `observatory init --region`, has no such file and is not
the demo.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ObservatoryError
from ..workspace import Workspace

# How a reader sees what the demo seeds: an example, not the council's records ("demo" is a word of
# the project's, not the reader's).
DEMO_NAME = "West Yorkshire example"
DEMO_REGION = "E47000003"
# the demo's own file (OpenStreetMap public buildings of its five districts)
DEMO_SITES = Path("data/sites/wy_osm_public_sites_2023.csv")
ALLOW = "--allow-other-workspace"


def is_demo(ws: Workspace) -> bool:
    """Whether `ws` is the bundled demo workspace (or a copy of it)."""
    return ws.region_code == DEMO_REGION and (ws.root / DEMO_SITES).is_file()


def labelled(text: str) -> str:
    """A demo record's name or note, with the demo's name on it."""
    return f"{text} ({DEMO_NAME}, illustrative)"


def refuse_outside_demo(ws: Workspace, what: str, instead: str, allow: bool) -> bool:
    """Raise unless `ws` is the demo workspace or the user asked for the demo elsewhere (`allow`).
    `what` names what the seed adds, `instead` how to add the workspace's own. Returns whether the
    workspace is another's (so the command can say the demo was added there, labelled)."""
    if is_demo(ws):
        return False
    if allow:
        return True
    region = ws.region_name or ws.name
    raise ObservatoryError(
        f"This adds {what} of the bundled {DEMO_NAME}, which describe West Yorkshire, not {region} "
        f"({ws.region_code}); the workspace at {ws.root} is not the demo workspace, so nothing was added. "
        f"{instead} To add the demo's records here anyway, each labelled \"{DEMO_NAME}, illustrative\", "
        f"give {ALLOW}."
    )


# What the demo's programme register is, as a banner credits it.
REGISTER_SOURCE = ("statuses and dates made up by a seeded script for the example; locations "
                   "© OpenStreetMap contributors, ODbL 1.0")


def register_note(demo: int, total: int) -> str | None:
    """The banner over `total` programme sites of which `demo` are the demo's: the demo's credited to
    its script and OpenStreetMap, the workspace's own records to nobody else (None: none is the demo's)."""
    if not demo:
        return None
    if demo == total:
        return f"Illustrative register: all {total:,} sites are the {DEMO_NAME}'s ({REGISTER_SOURCE})."
    return (f"{demo:,} of these {total:,} sites are the {DEMO_NAME}'s illustrative register ({REGISTER_SOURCE}); "
            f"the other {total - demo:,} are this workspace's own records.")
