"""Map classes chosen for the data and the question, not equal counts: one classification for the
dashboard's maps and the annual update's printed maps, so the same figures get the same breaks.

Equal-count (quantile) classes hide what a coverage map is for: a skewed indicator (nearly every
area at 0% of premises below the USO, a few with some) collapses into one class, and five
districts a tenth of a point apart get five colours. So:

- zero gets a class of its own when some areas are at zero and others are not (for "below the
  USO" the areas with any premises below it are then never the same colour as those with none);
- the indicator's target, where it has one inside the range, is a class break, so the legend
  separates areas that meet it from those that do not;
- the other breaks are natural breaks (Fisher-Jenks: the classes that minimise the squared
  deviations of values from their class means; Jenks 1977, as in mapclassify.FisherJenks),
  computed on the values as shown (one decimal place), weighted by how many areas share each,
  which keeps it exact and fast for thousands of areas;
- few areas get few classes (two for up to five areas, three up to twelve, five above), so five
  districts a tenth of a point apart are not drawn as differently as an eight-point gap;
- where there are no more distinct values than classes, each value is its own class.

Colours run from light to dark as the figure gets *worse*, so the problem areas are the darkest
and stand out from the pale background: for coverage (higher is better) the lowest class is
darkest; for premises below the USO (lower is better) the highest is. The ramp is ColorBrewer's
YlOrRd without its near-white first step, sequential and distinct in greyscale print.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RAMP = ("#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")  # best -> worst
MAX_CLASSES = 5  # besides the class for zero
PRECISION = 1
STEP = 10.0**-PRECISION


def shown(value: float) -> float:
    return round(value, PRECISION)


def classes_for(n: int) -> int:
    """How many classes `n` areas get (besides zero's)."""
    return 2 if n <= 5 else 3 if n <= 12 else MAX_CLASSES


def classify(values: list[float], direction: str = "higher-is-better", target: float | None = None,
             k: int | None = None) -> list[dict[str, Any]]:
    """Legend entries, lowest first: class, colour, from, to (inclusive bounds of the values as
    shown, never sharing an edge), label, `kind` (zero, natural, target) and `count` (areas in it)."""
    if not values:
        return []
    k = classes_for(len(values)) if k is None else k
    distinct, counts = np.unique(np.round(np.asarray(values, dtype=float), PRECISION), return_counts=True)
    lows: list[float] = []
    zero = bool(distinct[0] == 0.0 and len(distinct) > 1)
    if zero:
        lows.append(0.0)
        distinct, counts = distinct[1:], counts[1:]
    lows += _breaks(distinct, counts, k, target)
    top = float(distinct[-1])
    out = []
    for i, low in enumerate(lows):
        high = shown(lows[i + 1] - STEP) if i + 1 < len(lows) else top
        if zero and i == 0:
            high = 0.0  # zero alone, however far the next value is
        label = f"{low:.{PRECISION}f}" if high == low else f"{low:.{PRECISION}f} to {high:.{PRECISION}f}"
        kind = "zero" if zero and i == 0 else ("target" if target is not None and low == shown(target) else "natural")
        out.append({"class": i, "from": low, "to": high, "label": label, "kind": kind})
    for entry, colour in zip(out, _colours(len(out), direction), strict=True):
        entry["colour"] = colour
    members = [class_of(v, out) for v in values]
    for entry in out:
        entry["count"] = members.count(entry["class"])
    return out


def class_of(value: float | None, legend: list[dict[str, Any]]) -> int | None:
    """The class whose range holds the value as shown: the last whose lower bound it reaches."""
    if value is None or not legend:
        return None
    v = shown(value)
    found = legend[0]["class"]
    for entry in legend:
        if v >= entry["from"]:
            found = entry["class"]
    return found


def _breaks(distinct: np.ndarray, counts: np.ndarray, k: int, target: float | None) -> list[float]:
    """Lower bounds of the classes of the (non-zero) values."""
    if len(distinct) == 0:
        return []
    if len(distinct) <= k:
        return [float(v) for v in distinct]
    t = shown(target) if target is not None else None
    if t is not None and distinct[0] < t <= distinct[-1]:
        below = distinct < t
        # Most of the classes go where the problem is (below the target); the areas that meet it
        # get one class, or two when there are many classes to spend.
        above_k = 1 if k <= 3 else 2
        below_k = max(1, k - above_k)
        return (_jenks(distinct[below], counts[below], below_k)
                + _jenks(distinct[~below], counts[~below], above_k, first=float(t)))
    return _jenks(distinct, counts, k)


def _jenks(values: np.ndarray, weights: np.ndarray, k: int, first: float | None = None) -> list[float]:
    """Fisher-Jenks optimal breaks of sorted distinct `values` with `weights` (how many areas
    hold each): dynamic programming over where each class starts, O(k * m^2) for m values."""
    m = len(values)
    if m == 0:
        return []
    k = min(k, m)
    w = np.concatenate([[0.0], np.cumsum(weights)])
    s = np.concatenate([[0.0], np.cumsum(weights * values)])
    q = np.concatenate([[0.0], np.cumsum(weights * values * values)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:  # values[i..j] inclusive, i an array of starts
        n = w[j + 1] - w[i]
        total = s[j + 1] - s[i]
        return (q[j + 1] - q[i]) - total * total / n

    cost = np.full((k, m), np.inf)
    start = np.zeros((k, m), dtype=int)
    cost[0] = ssd(np.zeros(m, dtype=int), 0) if m == 1 else np.array([ssd(np.array([0]), j)[0] for j in range(m)])
    for c in range(1, k):
        for j in range(c, m):
            starts = np.arange(c, j + 1)
            total = cost[c - 1][starts - 1] + ssd(starts, j)
            best = int(np.argmin(total))
            cost[c][j], start[c][j] = total[best], starts[best]
    lows = []
    j = m - 1
    for c in range(k - 1, 0, -1):
        i = start[c][j]
        lows.append(float(values[i]))
        j = i - 1
    lows.append(float(values[0]) if first is None else first)
    return sorted(lows)


def _colours(n: int, direction: str) -> list[str]:
    """n colours from the ramp, spread over it; the worst class darkest."""
    if n == 1:
        return [RAMP[2]]
    picked = [RAMP[round(i * (len(RAMP) - 1) / (n - 1))] for i in range(n)]  # best -> worst
    return picked if direction == "lower-is-better" else picked[::-1]
