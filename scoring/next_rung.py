"""Contribution percentages and the nextRung search (spec §2.3, §2.4 step 6).

Why a bisection is correct here
-------------------------------
Hiring x FTE of full-period, weight-1, regular staff gives, with D = directFte,
I = indirectFte, T = totalFte, s = T + x:

    d(x) = 100 (D + x) / s          i(x) = 100 I / (s + I)
    P(x) = d(x) + min(i(x), c d(x))  (c = 4 for an 80 % indirect share)

and the norm is thr(s), piecewise linear in s. P is *not* monotone in general: i(x) falls
as the organisation grows. Still, the predicate "P(x) >= thr(T + x)" is monotone in x
(once true it stays true), so the smallest grid point can be found by bisection:

1. d is non-decreasing: d'(x) = 100 (T - D) / s^2 >= 0, because D <= T (weights are at
   most 1, checked when a rulebook loads, and unweighted target-group FTE <= totalFte,
   checked on input).
2. Where the cap binds, P = (1 + c) d, non-decreasing. Where it does not,
   P' = 100 (T - D) / s^2 - 100 I / (s + I)^2, and since (s + I)^2 >= 4 s I,
   P' < 0 implies (T - D) / s < 1/4, i.e. d(x) > 75 %.
3. thr(s) is non-increasing in s and at most 75 % (both checked when a rulebook loads).

Take x0 that reaches and x1 > x0. If P never decreases on [x0, x1], then
P(x1) >= P(x0) >= thr(T + x0) >= thr(T + x1). Otherwise P decreases at some y in between,
so d(y) > 75, and d(x1) >= d(y) > 75 >= thr(T + x1), so P(x1) >= d(x1) reaches as well.

The search bisects in floats for a first guess (fast) and then settles the answer with the
exact Decimal predicate, again by bisection, so the result is minimal on the 0.01 grid
by the Decimal rule itself: reach(k) is true and reach(k - 1) is false.
"""
from __future__ import annotations

from bisect import bisect_right
from decimal import ROUND_CEILING, Decimal

from .rulebook import Rulebook, reaches

ZERO, HUNDRED = Decimal(0), Decimal(100)


def total_pct(direct: Decimal, indirect: Decimal, total_fte: Decimal,
              cap: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(directPct, indirectPct, indirectPctCapped, totalPct) per spec §2.3."""
    direct_pct = direct * HUNDRED / total_fte
    indirect_pct = indirect * HUNDRED / (total_fte + indirect) if indirect else ZERO
    limit = cap * direct_pct
    capped = min(limit, indirect_pct)
    return direct_pct, indirect_pct, capped, direct_pct + capped


def additional_fte(direct: Decimal, indirect: Decimal, total_fte: Decimal, rb: Rulebook,
                   rung: str) -> Decimal | None:
    """Smallest x = k/100 (k >= 1) reaching `rung`, or None if none up to max(1000, 10 T).

    Assumes x = 0 does not reach `rung` (it is above the quantitative rung).
    """
    cap = rb.cap_factor
    # x <= max(1000, 10 T) on the 0.01 grid: k <= max(100000, floor(1000 T))
    k_max = max(100_000, int(total_fte.scaleb(3)))  # scaleb: exact, int(): floor

    def reach(k: int) -> bool:
        x = Decimal(k).scaleb(-2)
        size = total_fte + x
        total = total_pct(direct + x, indirect, size, cap)[3]
        return reaches(total, rb.threshold(rung, size))

    # An upper bound narrows the float search: with d(x_up) = thr(T) the rung is reached,
    # because P >= d and thr(T + x) <= thr(T). So 100 (D + x) >= thr (T + x) suffices.
    thr = rb.threshold(rung, total_fte)
    k_hi = k_max
    if thr < HUNDRED:
        x_up = (thr * total_fte - HUNDRED * direct) / (HUNDRED - thr)
        k_up = int((x_up * 100).to_integral_value(rounding=ROUND_CEILING))
        k_hi = min(k_max, max(1, k_up))
    k = _float_guess(float(direct), float(indirect), float(total_fte), float(cap), rb, rung, k_hi)
    # Settle with the exact predicate: the answer is k with reach(k) and not reach(k - 1).
    if reach(k):
        if k == 1 or not reach(k - 1):
            return Decimal(k).scaleb(-2)
        lo, hi = 0, k - 1
    else:
        if not reach(k_max):
            return None
        lo, hi = k, k_max
    while hi - lo > 1:  # invariant: lo does not reach, hi reaches
        mid = (lo + hi) // 2
        if reach(mid):
            hi = mid
        else:
            lo = mid
    return Decimal(hi).scaleb(-2)


def _float_guess(D: float, I: float, T: float, cap: float, rb: Rulebook, rung: str,
                 k_hi: int) -> int:
    """Smallest k in 1..k_hi that reaches by float arithmetic (k_hi if none): a first guess."""
    sizes, cols = rb.float_norms
    col = cols["trede1" if rung == "basistrede" else rung]
    factor = float(rb.factor_of_basistrede) if rung == "basistrede" else 1.0
    last = len(sizes)

    def reach(k: int) -> bool:
        x = k / 100
        s = T + x
        d = 100 * (D + x) / s
        i = 100 * I / (s + I)
        p = d + min(i, cap * d)
        j = bisect_right(sizes, s)
        if j == 0:
            thr = col[0]
        elif j == last:
            thr = col[-1]
        else:
            s0 = sizes[j - 1]
            thr = col[j - 1] + (col[j] - col[j - 1]) * (s - s0) / (sizes[j] - s0)
        return p >= thr * factor

    lo, hi = 0, k_hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reach(mid):
            hi = mid
        else:
            lo = mid
    return hi
