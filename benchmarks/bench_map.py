"""The map page in a real browser: how long until the map is drawn (every area coloured, the
map script's `data-ready`), and how big the page is, at each level, in headless Chromium (Debian's,
as the browser tests use) against a uvicorn server this script starts over the bundled store.

    .venv/bin/python benchmarks/bench_map.py            # 3 loads per level, fresh browser context each

Goal (issue 12): the output-area map drawn in under 2 s here; no page over 300 KB of HTML.
Baseline in the same run: the district map (5 areas), so the ratio shows what the level costs.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "examples" / "west-yorkshire"
LEVELS = ("lad", "ward", "msoa", "lsoa", "oa")
CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import uvicorn
    from playwright.sync_api import sync_playwright

    from observatory.pipeline import ensure_built
    from observatory.web.app import create_app

    store = ensure_built(WORKSPACE)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Path(store), WORKSPACE), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for level in LEVELS:
            url = f"{base}/map?indicator=gigabit&level={level}"
            times, size = [], 0
            for run in range(args.runs + 1):  # the first load warms the server's caches, not timed
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                start = time.perf_counter()
                response = page.goto(url)
                page.wait_for_selector("#map[data-ready=true]", timeout=60_000)
                elapsed = time.perf_counter() - start
                size = len(response.body())
                if run:
                    times.append(elapsed)
                context.close()
            results[level] = (statistics.median(times), max(times), size)
        browser.close()
    server.should_exit = True

    load = os.getloadavg()[0]
    print(f"bench_map: map page drawn in headless Chromium, {args.runs} loads per level after one warm-up, "
          f"{os.cpu_count()} CPUs, 1-minute load average {load:.1f}")
    print("| level | median s | max s | HTML KB | ratio to district |")
    print("|---|---:|---:|---:|---:|")
    for level, (median, worst, size) in results.items():
        print(f"| {level} | {median:.2f} | {worst:.2f} | {size / 1024:.0f} | {median / results['lad'][0]:.1f}x |")
    oa = results["oa"][0]
    heavy = max(size for _, _, size in results.values())
    print(f"goal (output-area map drawn < 2 s, every page < 300 KB): "
          f"{'met' if oa < 2 and heavy < 300 * 1024 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
