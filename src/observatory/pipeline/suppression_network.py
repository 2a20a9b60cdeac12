"""The published totals of one release as a network, and complementary suppression on it.

Every total the store publishes is the sum of its output areas (or, above districts, of its
districts). The areas a release totals form at most two laminar families, each a tree: output
area -> LSOA -> MSOA -> district, and output area -> ward (-> district). Two such families are a
network (Cox, "Network models for complementary cell suppression", JASA 90, 1995; Hundepool et al.,
Statistical Disclosure Control, 2012, section 4.3): a node for every total and one ground node,
an edge for every cell, from the node of its parent in the first tree to the node of its parent in
the second, and for every total an edge from its node to its parent's node in its own tree. "A
total is the sum of its parts" is then conservation of flow at every node, so what an attacker who
knows the shown cells can change in the hidden ones, keeping every published total, is a
circulation on the hidden edges:

- a hidden cell is worked out exactly iff it is on no cycle of hidden cells (a bridge);
- shifting t around a cycle of hidden cells keeps every total and every cell >= 0 if no cell on it
  is below t, so a cell on a cycle whose other cells are all at least p can be anything within
  +/- p of its value as far as the attacker can tell (a sufficient condition; the exact interval is
  a maximum flow, which is wider still).

`bottlenecks` finds, for every hidden cell, the best such p (maximum spanning forest, then the
best non-tree edge over each tree edge); where that is not enough, the exact interval is a maximum
flow (`_room`). `protect` adds suppressions along cheapest augmenting paths until every hidden cell
reaches its protection level either way: the tau-argus "network" heuristic in outline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ObservatoryError

if TYPE_CHECKING:  # scipy is imported where a flow or a path is worked out (see _room)
    from scipy.sparse import csr_matrix

GROUND = 0
ZERO_COST = 1e-9  # an already hidden cell costs (almost) nothing to use again


@dataclass(frozen=True)
class Network:
    """Cells as edges: cell i runs from node u[i] to node v[i]; size[i] is its premises count. A
    cell in no published total has u == v == -1 (nothing constrains it). Orientation matters only
    for the exact intervals (`shortfall`): at every node, the cells in sum to the cells out."""

    u: np.ndarray
    v: np.ndarray
    size: np.ndarray
    nodes: int


def network(size: np.ndarray, member: pd.DataFrame) -> Network:
    """The network of one release's totals.

    size: premises count of every cell (indexed 0..n-1).
    member: cell (a base cell), level, parent (the cell that totals it at that level); one row per
    base cell and level of total.
    """
    n = len(size)
    u = np.full(n, -1, dtype=np.int64)
    v = np.full(n, -1, dtype=np.int64)
    if member.empty:
        return Network(u, v, np.asarray(size, dtype=float), 1)
    if member.duplicated(["cell", "level"]).any():
        dup = member[member.duplicated(["cell", "level"], keep=False)].iloc[0]
        raise ObservatoryError(f"suppression: cell {dup['cell']} is counted in two {dup['level']} totals; "
                               "a figure is summed into one parent per level")
    wide = member.pivot(index="cell", columns="level", values="parent")
    first, second = _chains(wide)
    parents = pd.unique(member["parent"].to_numpy())
    node = np.zeros(n, dtype=np.int64)
    node[parents] = np.arange(1, len(parents) + 1)
    for chain, ends in ((first, u), (second, v)):
        leaf = _first_present(wide, chain)
        ends[wide.index.to_numpy()] = np.where(np.isnan(leaf), GROUND, node[np.nan_to_num(leaf).astype(np.int64)])
        for j, level in enumerate(chain):
            sets = wide[wide[level].notna()]
            above = _first_present(sets, chain[j + 1:])
            cells = sets[level].to_numpy().astype(np.int64)
            outer = np.where(np.isnan(above), GROUND, node[np.nan_to_num(above).astype(np.int64)])
            # oriented so that flow is conserved: down the first tree, across a cell, up the second
            (u if ends is v else v)[cells] = node[cells]
            ends[cells] = outer
    return Network(u, v, np.asarray(size, dtype=float), len(parents) + 1)


def _first_present(wide: pd.DataFrame, levels: list[str]) -> np.ndarray:
    """Per row, the parent at the finest of `levels` that the row has (NaN if none)."""
    out = np.full(len(wide), np.nan)
    for level in reversed(levels):
        col = wide[level].to_numpy(dtype=float)
        out = np.where(np.isnan(col), out, col)
    return out


def _chains(wide: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The levels split into two chains, each nested (every total of a finer level lies inside one
    total of each coarser level, or outside them all), finest first."""
    levels = list(wide.columns)

    def nests(a: str, b: str) -> bool:
        rows = wide[wide[a].notna()]
        return bool((rows.groupby(a)[b].nunique(dropna=False) <= 1).all())

    inside = {(a, b): nests(a, b) for a in levels for b in levels if a != b}
    crosses = {a: [b for b in levels if b != a and not inside[a, b] and not inside[b, a]] for a in levels}
    colour: dict[str, int] = {}
    for start in levels:
        if start in colour:
            continue
        colour[start] = 0
        queue = [start]
        while queue:
            a = queue.pop()
            for b in crosses[a]:
                if b not in colour:
                    colour[b] = 1 - colour[a]
                    queue.append(b)
                elif colour[b] == colour[a]:
                    raise ObservatoryError(
                        f"suppression: the {a}, {b} and other totals cross each other in more than two "
                        "ways, so hidden cells cannot be audited as a network; report this with the "
                        "workspace's lookups")
    chains = ([a for a in levels if colour[a] == 0], [a for a in levels if colour[a] == 1])

    def order(chain: list[str]) -> list[str]:
        # finest first: a finer level nests in every level its parents nest in, and in them
        return sorted(chain, key=lambda a: (-sum(inside[a, b] for b in chain if b != a),
                                            -wide[a].nunique(), a))
    return order(chains[0]), order(chains[1])


def bottlenecks(net: Network, hidden: np.ndarray) -> np.ndarray:
    """For every hidden cell, the largest p such that it lies on a cycle of hidden cells all (but
    itself) of at least p premises; -inf on a bridge (worked out exactly), +inf for a cell in no
    total. Non-hidden cells get +inf.

    A maximum spanning forest of the hidden cells holds a best-bottleneck path between any two
    nodes, so a cell off the forest lies on a cycle of cells at least its own size, and a forest
    cell's best cycle closes through the largest off-forest cell whose forest path covers it
    (painted largest first, each forest cell once, with a union-find that skips painted ones).
    """
    n = len(net.size)
    out = np.full(n, np.inf)
    cells = np.flatnonzero(hidden & (net.u >= 0))
    cells = cells[np.argsort(-net.size[cells], kind="stable")]
    root = list(range(net.nodes))

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    tree: list[int] = []
    off: list[int] = []
    for c in cells.tolist():
        a, b = find(int(net.u[c])), find(int(net.v[c]))
        if a == b:
            off.append(c)
        else:
            root[a] = b
            tree.append(c)
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(net.nodes)]
    for c in tree:
        a, b = int(net.u[c]), int(net.v[c])
        adjacent[a].append((b, c))
        adjacent[b].append((a, c))
    up = list(range(net.nodes))     # parent node in the forest
    up_cell = [-1] * net.nodes      # the forest cell to the parent
    depth = [0] * net.nodes
    seen = [False] * net.nodes
    for start in range(net.nodes):
        if seen[start] or not adjacent[start]:
            continue
        seen[start] = True
        stack = [start]
        while stack:
            a = stack.pop()
            for b, c in adjacent[a]:
                if not seen[b]:
                    seen[b] = True
                    up[b], up_cell[b], depth[b] = a, c, depth[a] + 1
                    stack.append(b)
    for c in tree:
        out[c] = -np.inf
    jump = list(range(net.nodes))  # nearest ancestor (or self) whose forest cell is not painted yet

    def top(x: int) -> int:
        while jump[x] != x:
            jump[x] = jump[jump[x]]
            x = jump[x]
        return x

    for c in off:  # largest first
        s = float(net.size[c])
        out[c] = s if net.u[c] != net.v[c] else np.inf  # its cycle: forest cells at least as large
        a, b = top(int(net.u[c])), top(int(net.v[c]))
        while a != b:
            if depth[a] < depth[b]:
                a, b = b, a
            out[up_cell[a]] = s
            jump[a] = up[a]
            a = top(a)
    return out


@dataclass
class Protection:
    hidden: np.ndarray
    exposed: int      # hidden cells still worked out exactly (a cell no suppression can save)
    uncertified: int  # hidden cells safe from exact recovery only: their interval is too narrow


def protect(net: Network, hidden: np.ndarray, need: np.ndarray, cost: np.ndarray) -> Protection:
    """Hide more cells until no hidden cell is determined and every hidden cell can move at least
    its `need` premises either way. `cost` is what hiding a cell loses (its premises count,
    tau-argus's default "cell value" cost), so the smallest sufficient cells go first.

    A cell on a cycle of hidden cells of at least its need each is safe (`bottlenecks`, fast); a
    cell with a shown twin (same LSOA and ward) gets the cheapest large enough twin hidden; any
    other is given its exact interval (a maximum flow) and, where short, the cheapest augmenting
    routes through shown cells are hidden until it is not."""
    hidden = hidden.copy()
    live = net.u >= 0
    given_up: set[int] = set()  # even hiding everything would not give them their interval
    while True:
        b = bottlenecks(net, hidden)
        short = [c for c in np.flatnonzero(hidden & live & (b < need)).tolist() if c not in given_up]
        if not short:
            break
        before = hidden.copy()
        bridges = np.array([c for c in short if b[c] == -np.inf], dtype=np.int64)
        rest = set(_partners(net, hidden, need, cost, bridges)) | {c for c in short if b[c] > -np.inf}
        for c in sorted(rest):
            if not (_widen(net, hidden, cost, c, need[c], rising=True)
                    and _widen(net, hidden, cost, c, need[c], rising=False)):
                given_up.add(c)
        if (hidden == before).all():
            break
    b = bottlenecks(net, hidden)
    exposed = int((hidden & live & (b == -np.inf)).sum())
    uncertified = sum(1 for c in np.flatnonzero(hidden & live & (b < need) & (b > -np.inf)).tolist()
                      if _room(net, hidden, c, need[c], True)[0] < need[c]
                      or _room(net, hidden, c, need[c], False)[0] < min(need[c], net.size[c]))
    return Protection(hidden, exposed, uncertified)


def _room(net: Network, hidden: np.ndarray, cell: int, need: float, rising: bool) -> tuple[float, csr_matrix]:
    """How far the attacker's interval for a hidden cell reaches above (rising) or below its value,
    capped a little past `need`, and the residual network of the hidden cells.

    Raising the cell by t sends t back from its head to its tail through the other hidden cells,
    each able to rise without limit or fall to zero, so the most it can rise is a maximum flow
    (Cox 1995); falling likewise the other way, and never below zero."""
    # deferred: start-up. scipy takes a tenth of a second to load, and a build loads this module
    # whether or not any figure is small enough to hide (the bundled workspace has none)
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow
    others = np.flatnonzero(hidden & (net.u >= 0) & (net.u != net.v))
    others = others[others != cell]
    source, sink = _ends(net, cell, rising)
    room = int(np.ceil(need)) + 1  # "without limit": enough to tell whether need is reached
    rows = np.concatenate([net.u[others], net.v[others]])
    cols = np.concatenate([net.v[others], net.u[others]])
    cap = np.concatenate([np.full(len(others), room, dtype=np.int64), np.floor(net.size[others]).astype(np.int64)])
    graph = csr_matrix((cap, (rows, cols)), shape=(net.nodes, net.nodes), dtype=np.int64)
    graph.sum_duplicates()
    graph.data = np.minimum(graph.data, np.iinfo(np.int32).max).astype(np.int32)
    if not len(others):
        return 0.0, graph
    result = maximum_flow(graph, source, sink)
    reach = float(result.flow_value)
    if not rising:
        reach = min(reach, float(net.size[cell]))
    return reach, (graph.astype(np.int64) - result.flow.astype(np.int64)).tocsr()


def _ends(net: Network, cell: int, rising: bool) -> tuple[int, int]:
    head, tail = int(net.v[cell]), int(net.u[cell])
    return (head, tail) if rising else (tail, head)


def _widen(net: Network, hidden: np.ndarray, cost: np.ndarray, cell: int, need: float, rising: bool) -> bool:
    """Hide shown cells along the cheapest augmenting paths (hidden cells free while they have
    room) until the cell can move `need` that way; False if no more shown cells can help."""
    target = need if rising else min(need, float(net.size[cell]))
    source, sink = _ends(net, cell, rising)
    for _ in range(64):
        reach, residual = _room(net, hidden, cell, need, rising)
        gap = target - reach
        if gap <= 0:
            return True
        floor = gap
        while True:
            path = _cheapest_path(net, hidden, cost, cell, residual, source, sink, floor)
            if path is not None:
                break
            if floor <= 1:
                return False
            floor = max(floor / 2, 1.0)
        hidden[path] = True
    return False


def _cheapest_path(net: Network, hidden: np.ndarray, cost: np.ndarray, cell: int, residual: csr_matrix,
                   source: int, sink: int, floor: float) -> np.ndarray | None:
    """The shown cells on the cheapest path from source to sink through arcs with at least `floor`
    to give: the hidden cells' residual arcs (free) and shown cells (at their cost; up without
    limit, down as far as their value). None if there is no path or it needs no shown cell."""
    from scipy.sparse import csr_matrix  # deferred: start-up (see _room)
    from scipy.sparse.csgraph import dijkstra
    res = residual.tocoo()
    keep = res.data >= floor
    shown = np.flatnonzero(~hidden & (net.u >= 0) & (net.u != net.v))
    shown = shown[shown != cell]
    down = shown[net.size[shown] >= floor]
    rows = np.concatenate([res.row[keep], net.u[shown], net.v[down]])
    cols = np.concatenate([res.col[keep], net.v[shown], net.u[down]])
    w = np.concatenate([np.full(int(keep.sum()), ZERO_COST), cost[shown] + ZERO_COST, cost[down] + ZERO_COST])
    who = np.concatenate([np.full(int(keep.sum()), -1), shown, down])
    order = np.lexsort((w, cols, rows))  # the cheapest arc for each ordered pair of nodes
    rows, cols, w, who = rows[order], cols[order], w[order], who[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, w, who = rows[first], cols[first], w[first], who[first]
    graph = csr_matrix((w, (rows, cols)), shape=(net.nodes, net.nodes))
    dist, pred = dijkstra(graph, directed=True, indices=source, return_predecessors=True)
    if not np.isfinite(dist[sink]):
        return None
    arc = dict(zip(zip(rows.tolist(), cols.tolist(), strict=True), who.tolist(), strict=True))
    path = []
    node = sink
    while node != source:
        prev = int(pred[node])
        if arc[(prev, node)] >= 0:
            path.append(arc[(prev, node)])
        node = prev
    return np.array(path, dtype=np.int64) if path else None


def _partners(net: Network, hidden: np.ndarray, need: np.ndarray, cost: np.ndarray, bad: np.ndarray) -> list[int]:
    """The quick repair: a cell with a shown twin (same two totals: same LSOA and same ward) gets
    the cheapest twin of at least its need hidden beside it (one per pair of totals, for the
    neediest cell). Returns the cells left for the path search."""
    lo, hi = np.minimum(net.u, net.v), np.maximum(net.u, net.v)
    wanted = pd.DataFrame({"cell": bad, "lo": lo[bad], "hi": hi[bad], "need": need[bad]})
    wanted = wanted.sort_values("need", ascending=False, kind="stable").drop_duplicates(["lo", "hi"])
    shown = np.flatnonzero(~hidden & (net.u >= 0))
    offers = pd.DataFrame({"twin": shown, "lo": lo[shown], "hi": hi[shown], "size": net.size[shown],
                           "cost": cost[shown]})
    pairs = wanted.merge(offers, on=["lo", "hi"])
    pairs = pairs[pairs["size"] >= pairs["need"]].sort_values("cost", kind="stable").drop_duplicates("cell")
    hidden[pairs["twin"].to_numpy()] = True
    done = set(pairs["cell"].tolist())
    return [c for c in bad.tolist() if c not in done]


