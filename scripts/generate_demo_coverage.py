#!/usr/bin/env python3
"""Write the SYNTHETIC Ofcom small-area coverage ZIP bundled with the West Yorkshire demo.

Every figure below district level in the output is made up (see
observatory.demo.synthetic_ofcom); district totals match Ofcom's real July 2025 table.

    .venv/bin/python scripts/generate_demo_coverage.py [--seed N] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from observatory.demo.synthetic_ofcom import DEFAULT_OUT, DEFAULT_SEED, generate  # noqa: E402

DATA = REPO / "examples" / "west-yorkshire" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=DATA / DEFAULT_OUT, help="ZIP to write")
    parser.add_argument("--data", type=Path, default=DATA, help="vendored data directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = generate(args.data, args.out, seed=args.seed)
    print(
        f"wrote {out} (SYNTHETIC, seed {args.seed}, {out.stat().st_size:,} bytes) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
