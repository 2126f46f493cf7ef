"""Versioned rulebooks: the weights, windows and norms of one PSO-handleiding (spec §2).

Rulebooks are JSON files in `scoring/rulebooks/`; every file found there is loaded once and
cached, so a new handleiding year is a data change only. Files are checked on load, because
the engine relies on a few properties of the data (see `_check`).
"""
from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from importlib import resources
from itertools import pairwise
from typing import Any

from .enums import CONTRACT_TYPES, RUNGS, STARTING_POSITIONS, WINDOW_DATE_FIELDS
from .errors import RulebookError
from .notation import exponent

# Every threshold comparison (rungs, PSO 30+, the nextRung search, charts): a value this
# close below a norm reaches it. The spec's absolute tolerance of 1e-9 percentage point;
# 28-digit arithmetic is exact far below it, so only the rounding of the inputs matters.
TOLERANCE = Decimal("1e-9")


def reaches(value: Decimal, threshold: Decimal) -> bool:
    """`value` ≥ `threshold` within TOLERANCE (spec §2.4: equal reaches)."""
    return value + TOLERANCE >= threshold


# Highest threshold a rulebook may hold. The nextRung search relies on it (see next_rung.py).
MAX_THRESHOLD = Decimal(75)


@dataclass(frozen=True)
class Limit:
    """One end of a counting window.

    years set:  ends the day before `years` after the `start` date (exclusive end); if `extend`
                names a date that is later, the window runs to that date instead (inclusive).
    until set:  ends on that date (inclusive). A limit whose date is not given does not apply.
    """
    years: int | None
    start: str  # attribute name on Employee
    extend: str | None
    until: str | None
    label: str  # Dutch, for notes


@dataclass(frozen=True)
class Factor:
    weight: Decimal
    limits: tuple[Limit, ...]
    note: str | None


@dataclass(frozen=True)
class Rulebook:
    id: str
    title: str
    valid_from: date
    valid_until: date | None
    positions: dict[str, Factor]
    contracts: dict[str, Factor]
    rungs: tuple[str, ...]  # quantitative rungs, lowest first (basistrede only when defined)
    norm_sizes: tuple[Decimal, ...]
    norm_columns: dict[str, tuple[Decimal, ...]]  # trede1..trede3 values per size row
    basistrede_factor: Decimal | None
    minimum_total_fte: Decimal
    cap_factor: Decimal  # indirect may be at most cap_factor × direct (0.8 share -> 4)
    pso30_rung: str
    pso30_min_pct: Decimal
    pso30_positions: frozenset[str]
    pso30_contracts: frozenset[str]
    pso30_register_flag: bool
    register_positions: frozenset[str]
    plan_max_years: int
    plan_target_rungs: frozenset[str]
    assumptions: tuple[dict[str, Any], ...]

    @property
    def indicative(self) -> bool:
        return bool(self.assumptions)

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def threshold(self, rung: str, size: Decimal) -> Decimal:
        """Threshold of one quantitative rung at `size` FTE (see thresholds())."""
        if rung == "basistrede":
            return self.threshold("trede1", size) * self.factor_of_basistrede
        col = self.norm_columns[rung]
        sizes = self.norm_sizes
        i = bisect_right(sizes, size)
        if i == 0:
            return col[0]
        if i == len(sizes):
            return col[-1]
        s0 = sizes[i - 1]
        return col[i - 1] + (col[i] - col[i - 1]) * (size - s0) / (sizes[i] - s0)

    @cached_property
    def float_norms(self) -> tuple[list[float], dict[str, list[float]]]:
        """The norm table as floats, for the first guess of the nextRung search only."""
        return ([float(s) for s in self.norm_sizes],
                {r: [float(v) for v in col] for r, col in self.norm_columns.items()})

    @cached_property
    def weight_scale(self) -> int:
        """10^m such that every combined weight times it is a whole number."""
        places = max(max(0, -exponent(p.weight * c.weight))
                     for p in self.positions.values() for c in self.contracts.values())
        return int(10**places)

    @cached_property
    def combos(self) -> dict[str, dict[str, tuple[Any, ...]]]:
        """[startingPosition][contractType] -> (weight, weight × weight_scale as int,
        weight as float, position weight float, contract weight float, window limits as
        tuples, zero-weight note).

        Precomputed once so the engine's inner loop does one dict lookup per employee.
        """
        out: dict[str, dict[str, tuple[Any, ...]]] = {}
        for pname, pos in self.positions.items():
            for cname, con in self.contracts.items():
                w = pos.weight * con.weight
                limits = tuple((lim.years, lim.start, lim.extend, lim.until, lim)
                               for lim in pos.limits + con.limits)
                out.setdefault(pname, {})[cname] = (
                    w, int(w * self.weight_scale), float(w), float(pos.weight),
                    float(con.weight), limits, pos.note or con.note)
        return out

    @property
    def factor_of_basistrede(self) -> Decimal:
        """The factor of a rulebook with a basistrede (its rungs say whether it has one)."""
        if self.basistrede_factor is None:
            raise RulebookError(f"{self.id}: no basistrede")
        return self.basistrede_factor

    def thresholds(self, size: Decimal) -> dict[str, Decimal]:
        """Thresholds (% total contribution) per quantitative rung at `size` FTE, lowest first.

        Linear between table rows; the first row below the table, the last row above it.
        Computed by threshold() so that the nextRung search compares exactly the same values.
        """
        return {rung: self.threshold(rung, size) for rung in self.rungs}


def _dec(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise RulebookError(f"{where}: write numbers as decimal strings")
    return Decimal(value)


_LABELS = {
    ("employment_start", None): "{n} jaar na indiensttreding",
    ("employment_start", "wage_subsidy_until"):
        "{n} jaar na indiensttreding of einde loonkostensubsidie",
    ("school_left_on", None): "{n} jaar na schoolverlaten",
}
_UNTIL_LABELS = {
    "wsw_indication_until": "einde Wsw-indicatie",
    "wage_subsidy_until": "einde loonkostensubsidie",
    "school_left_on": "schoolverlaten",
}


def _limits(spec: list[dict[str, Any]], where: str) -> tuple[Limit, ...]:
    out = []
    for n, item in enumerate(spec):
        w = f"{where}.window[{n}]"
        unknown = set(item) - {"years", "from", "extendUntil", "until"}
        if unknown:
            raise RulebookError(f"{w}: unknown keys {sorted(unknown)}")
        fields = [item.get(k) for k in ("from", "extendUntil", "until") if item.get(k)]
        if any(f not in WINDOW_DATE_FIELDS for f in fields):
            raise RulebookError(f"{w}: unknown date field")
        if ("years" in item) == ("until" in item):
            raise RulebookError(f"{w}: give exactly one of years, until")
        if "years" in item:
            years = item["years"]
            if not isinstance(years, int) or years < 0:
                raise RulebookError(f"{w}: years must be a whole number")
            start = WINDOW_DATE_FIELDS[item.get("from", "employmentStart")]
            extend = WINDOW_DATE_FIELDS[item["extendUntil"]] if "extendUntil" in item else None
            label = _LABELS.get((start, extend), "{n} jaar").format(n=years)
            out.append(Limit(years, start, extend, None, label))
        else:
            until = WINDOW_DATE_FIELDS[item["until"]]
            label = _UNTIL_LABELS.get(until, until)
            out.append(Limit(None, "employment_start", None, until, label))
    return tuple(out)


def _factors(spec: dict[str, Any], names: tuple[str, ...], where: str) -> dict[str, Factor]:
    if set(spec) != set(names):
        raise RulebookError(f"{where}: must define exactly {sorted(names)}")
    out = {}
    for name, item in spec.items():
        w = _dec(item["weight"], f"{where}.{name}.weight")
        if not 0 <= w <= 1:
            raise RulebookError(f"{where}.{name}: weight must be within 0..1")
        out[name] = Factor(w, _limits(item.get("window", []), f"{where}.{name}"), item.get("note"))
    return out


def build(data: dict[str, Any]) -> Rulebook:
    """Turn the JSON of one rulebook into a checked Rulebook."""
    rid = data["id"]
    norms = data["norms"]
    columns = norms["columns"]
    if columns != ["trede1", "trede2", "trede3"]:
        raise RulebookError(f"{rid}: norms.columns must be trede1, trede2, trede3")
    rows = [[_dec(v, f"{rid}: norms.rows") for v in row] for row in norms["rows"]]
    sizes = tuple(r[0] for r in rows)
    cols = {c: tuple(r[k + 1] for r in rows) for k, c in enumerate(columns)}
    factor = data.get("basistredeFactor")
    factor = None if factor is None else _dec(factor, f"{rid}: basistredeFactor")
    share = _dec(data["maxIndirectShare"], f"{rid}: maxIndirectShare")
    p30 = data["pso30Plus"]
    plan = data["actionPlan"]
    rb = Rulebook(
        id=rid,
        title=data.get("title", rid),
        valid_from=date.fromisoformat(data["validFrom"]),
        valid_until=date.fromisoformat(data["validUntil"]) if data.get("validUntil") else None,
        positions=_factors(data["startingPositions"], STARTING_POSITIONS,
                           f"{rid}: startingPositions"),
        contracts=_factors(data["contractTypes"], CONTRACT_TYPES, f"{rid}: contractTypes"),
        rungs=(("basistrede",) if factor is not None else ()) + tuple(columns),
        norm_sizes=sizes,
        norm_columns=cols,
        basistrede_factor=factor,
        minimum_total_fte=_dec(data["minimumTotalFte"], f"{rid}: minimumTotalFte"),
        cap_factor=share / (1 - share),
        pso30_rung=p30["rung"],
        pso30_min_pct=_dec(p30["minPct"], f"{rid}: pso30Plus.minPct"),
        pso30_positions=frozenset(p30["startingPositions"]),
        pso30_contracts=frozenset(p30["contractTypes"]),
        pso30_register_flag=bool(p30.get("inTargetGroupRegisterCounts", False)),
        register_positions=frozenset(data["targetGroupRegister"]["startingPositions"]),
        plan_max_years=int(plan["maxYears"]),
        plan_target_rungs=frozenset(plan["targetRungs"]),
        assumptions=tuple(data.get("assumptions", ())),
    )
    _check(rb)
    return rb


def _check(rb: Rulebook) -> None:
    """Properties the engine relies on.

    - sizes strictly increasing, every column non-increasing with size, rows ordered
      trede1 <= trede2 <= trede3, all thresholds in (0, 75]: needed for the nextRung search
      (a larger organisation never faces a higher norm; see next_rung.py);
    - weights within 0..1 (checked in _factors): weighted FTE never exceeds unweighted FTE.
    """
    sizes = rb.norm_sizes
    if len(sizes) < 2 or any(a >= b for a, b in pairwise(sizes)):
        raise RulebookError(f"{rb.id}: norm sizes must increase")
    for rung, col in rb.norm_columns.items():
        if any(a < b for a, b in pairwise(col)):
            raise RulebookError(f"{rb.id}: {rung} norms must not increase with size")
        if any(not (0 < v <= MAX_THRESHOLD) for v in col):
            raise RulebookError(f"{rb.id}: {rung} norms must be within (0, {MAX_THRESHOLD}]")
    c = rb.norm_columns
    for k in range(len(sizes)):
        if not c["trede1"][k] <= c["trede2"][k] <= c["trede3"][k]:
            raise RulebookError(f"{rb.id}: norms of row {k} are not ordered")
    if rb.basistrede_factor is not None and not 0 < rb.basistrede_factor <= 1:
        raise RulebookError(f"{rb.id}: basistredeFactor must be within (0, 1]")
    if not 0 < rb.cap_factor:
        raise RulebookError(f"{rb.id}: maxIndirectShare must be within (0, 1)")
    if rb.pso30_rung not in RUNGS or not rb.plan_target_rungs <= set(RUNGS):
        raise RulebookError(f"{rb.id}: unknown rung")
    if rb.minimum_total_fte < sizes[0]:
        # Below the first norm row there is nothing to interpolate.
        raise RulebookError(f"{rb.id}: minimumTotalFte is below the first norm row")


@cache
def all_rulebooks() -> dict[str, Rulebook]:
    """Every rulebook shipped in scoring/rulebooks, by id (loaded once per process)."""
    out = {}
    folder = resources.files("scoring.rulebooks")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            rb = build(json.loads(entry.read_text(encoding="utf-8")))
        except (KeyError, ValueError, TypeError, ArithmeticError) as exc:
            raise RulebookError(f"{entry.name}: {exc!r}") from exc
        if rb.id in out:
            raise RulebookError(f"duplicate rulebook id {rb.id}")
        out[rb.id] = rb
    return out


def get_rulebook(name: str) -> Rulebook | None:
    return all_rulebooks().get(name)


def unknown_rulebook_reason() -> str:
    return "Onbekende normversie; kies uit: " + ", ".join(sorted(all_rulebooks())) + "."


def rulebook_for(day: date) -> Rulebook | None:
    """The rulebook in force on `day` (the latest one to take effect, if several overlap)."""
    found = [rb for rb in all_rulebooks().values() if rb.in_force_on(day)]
    return max(found, key=lambda rb: rb.valid_from) if found else None
