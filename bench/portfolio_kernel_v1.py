"""The block kernel: one block of years of a whole book, from one random stream.

Per block (docs/portfolio.md, "Engine"):

1. **Systemic events.** For each instance (a scenario, or a scenario and one vendor), a Poisson
   count of events in the block; per event a year, a hit share ``h ~ Beta`` and (outages) a
   duration shared by every insured hit. The exposed insureds are hit independently with
   probability ``h``, walked by geometric skips (exact Bernoulli(h) per insured in O(hits)).
   Per hit the loss under the insured's terms: BI hours (an outage's duration, or the insured's
   ransomware downtime) less the waiting period, capped at the indemnity period, times the loss
   per hour and the coverage's share; a compromise adds the non-BI ransomware part; then the
   deductible (unless the waiting period replaces it) and the occurrence limit.
2. **Per insured** (the hits sorted by insured): its own events (Poisson count, uniform year,
   lognormal severity, deductible, occurrence limit) and its systemic hits go into a block-long
   scratch buffer with a touched-years list; at the end of each touched year the BI coverages'
   annual sublimits trim the year, then the aggregate limit caps it, and the capped loss is
   allocated pro rata to its sources (own events, each scenario).

Memory is O(block years x sources + insureds + hits in the block), never O(years). The RNG is
the block's own ``numpy.random.Generator`` and the draws are consumed in a fixed order, so a
block's result does not depend on where it runs. numba compiles it (``nogil``: blocks run in
parallel on threads); without numba the same Python runs (slowly: small books only).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

AVAILABLE = importlib.util.find_spec("numba") is not None
OUTAGE = 0
COMPROMISE = 1


def _grow(a: Any, n: int) -> Any:
    out = np.empty(n, dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


def _poisson(rng: Any, lam: float) -> int:
    """Poisson(lam): inversion from one uniform for small means (numba's sampler costs ~0.4 us a
    call, and most insureds expect a handful of events per block), the library's above 30."""
    if lam <= 0.0:
        return 0
    if lam > 30.0:
        return int(rng.poisson(lam))
    u = rng.random()
    p = math.exp(-lam)
    f = p
    k = 0
    while u > f and k < 1000:
        k += 1
        p *= lam / k
        f += p
    return k


def _grow_rows(a: Any, n: int) -> Any:
    out = np.empty((n, a.shape[1]))
    out[: a.shape[0]] = a
    return out


def _kernel(  # noqa: PLR0913, PLR0915 - one flat kernel over flat arrays, as numba wants
    rng: Any,
    n_years: int,
    freq: Any,
    mu: Any,
    sigma: Any,
    comp_mu: Any,
    comp_sigma: Any,
    down_mu: Any,
    down_sigma: Any,
    rate: Any,
    ded: Any,
    occ: Any,
    agg: Any,
    other_share: Any,
    wait: Any,
    indem: Any,
    bi_share: Any,
    sublim: Any,
    bi_ded: Any,
    inst_rate: Any,
    inst_scen: Any,
    inst_ptr: Any,
    inst_members: Any,
    sc_kind: Any,
    sc_cov: Any,
    sc_a: Any,
    sc_b: Any,
    sc_dmu: Any,
    sc_dsig: Any,
    sc_isig: Any,
    sc_sev: Any,
    tail_mask: Any,
) -> Any:
    n = freq.shape[0]
    n_src = sc_kind.shape[0] + 1
    n_inst = inst_rate.shape[0]
    gross_y = np.zeros(n_years)
    net_y = np.zeros(n_years)
    src_y = np.zeros((n_years, n_src))
    occ_max = np.zeros(n_years)
    ins_sum = np.zeros(n)
    ins_tail = np.zeros(n)
    want_tail = tail_mask.shape[0] == n_years

    # 1. systemic events and their hits
    counts = np.zeros(n_inst, dtype=np.int64)
    n_ev = 0
    for m in range(n_inst):
        c = _poisson(rng, inst_rate[m] * n_years)
        counts[m] = c
        n_ev += c
    ev_year = np.zeros(n_ev, dtype=np.int64)
    ev_inst = np.zeros(n_ev, dtype=np.int64)
    ev_net = np.zeros(n_ev)
    ev_hits = np.zeros(n_ev, dtype=np.int64)
    cap = 4096
    h_ins = np.zeros(cap, dtype=np.int64)
    h_row = np.zeros((cap, 4))  # year, source x 2 + coverage, net, BI part: one cache line per hit
    n_hits = 0
    e = 0
    for m in range(n_inst):
        s = inst_scen[m]
        k = sc_cov[s]
        lo = inst_ptr[m]
        n_exp = inst_ptr[m + 1] - lo
        for _ in range(counts[m]):
            y = min(int(rng.random() * n_years), n_years - 1)
            h = min(max(rng.beta(sc_a[s], sc_b[s]), 1e-12), 1.0)
            duration = 0.0
            if sc_kind[s] == OUTAGE:
                duration = math.exp(sc_dmu[s] + sc_dsig[s] * rng.normal())
            ev_year[e] = y
            ev_inst[e] = m
            j = rng.geometric(h) - 1
            while j < n_exp:
                i = inst_members[lo + j]
                j += rng.geometric(h)
                z = rng.normal()
                other = 0.0
                if sc_kind[s] == OUTAGE:
                    hours = duration * math.exp(sc_isig[s] * z)
                    gross = hours * rate[i]
                else:
                    x = math.exp(comp_mu[i] + comp_sigma[i] * z) * sc_sev[s]
                    hours = math.exp(down_mu[i] + down_sigma[i] * z) if down_mu[i] > -math.inf else 0.0
                    gross = x + hours * rate[i]
                    other = x * other_share[i]
                covered = min(hours, indem[k, i]) - wait[k, i]
                bi = covered * rate[i] * bi_share[k, i] if covered > 0 else 0.0
                base = other + bi * bi_ded[k, i]
                taken = min(ded[i], base)
                from_other = min(taken, other)
                bi_after = bi - (taken - from_other)
                net = other + bi - taken
                if net > occ[i]:
                    bi_after *= occ[i] / net
                    net = occ[i]
                gross_y[y] += gross
                ev_hits[e] += 1
                if net <= 0.0:
                    continue  # below the waiting period or the deductible: ground-up only
                if n_hits == cap:
                    cap *= 2
                    h_ins = _grow(h_ins, cap)
                    h_row = _grow_rows(h_row, cap)
                h_ins[n_hits] = i
                h_row[n_hits, 0] = y
                h_row[n_hits, 1] = (s + 1) * 2 + k
                h_row[n_hits, 2] = net
                h_row[n_hits, 3] = bi_after
                n_hits += 1
                ev_net[e] += net
            if ev_net[e] > occ_max[y]:
                occ_max[y] = ev_net[e]
            e += 1
    # counting sort of the hits by insured (stable: O(hits), no comparison sort)
    ptr = np.zeros(n + 1, dtype=np.int64)
    for t in range(n_hits):
        ptr[h_ins[t] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:n].copy()
    rows = np.empty((n_hits, 4))
    for t in range(n_hits):
        q = fill[h_ins[t]]
        fill[h_ins[t]] += 1
        for c4 in range(4):
            rows[q, c4] = h_row[t, c4]
    h_ins = h_ins[:0]
    h_row = h_row[:0]

    # 2. per insured: own events and systemic hits, annual terms, allocation
    tot = np.zeros(n_years)
    bi_y = np.zeros((2, n_years))
    src = np.zeros((n_years, n_src))
    flag = np.zeros(n_years, dtype=np.bool_)
    touched = np.zeros(n_years, dtype=np.int64)
    for i in range(n):
        n_t = 0
        c = _poisson(rng, freq[i] * n_years)
        for _ in range(c):
            y = min(int(rng.random() * n_years), n_years - 1)
            x = math.exp(mu[i] + sigma[i] * rng.normal())
            gross_y[y] += x
            net = min(max(x - ded[i], 0.0), occ[i])
            if net > 0.0:
                if net > occ_max[y]:
                    occ_max[y] = net
                tot[y] += net
                src[y, 0] += net
                if not flag[y]:
                    flag[y] = True
                    touched[n_t] = y
                    n_t += 1
        for t in range(ptr[i], ptr[i + 1]):
            y = int(rows[t, 0])
            code = int(rows[t, 1])
            tot[y] += rows[t, 2]
            src[y, code // 2] += rows[t, 2]
            bi_y[code % 2, y] += rows[t, 3]
            if not flag[y]:
                flag[y] = True
                touched[n_t] = y
                n_t += 1
        for t in range(n_t):
            y = touched[t]
            total = tot[y]
            excess = 0.0
            for k in range(2):
                over = bi_y[k, y] - sublim[k, i]
                if over > 0.0:
                    excess += over
                bi_y[k, y] = 0.0
            final = min(max(total - excess, 0.0), agg[i])
            ratio = final / total
            for s in range(n_src):
                src_y[y, s] += src[y, s] * ratio
                src[y, s] = 0.0
            net_y[y] += final
            ins_sum[i] += final
            if want_tail and tail_mask[y]:
                ins_tail[i] += final
            tot[y] = 0.0
            flag[y] = False
    return gross_y, net_y, src_y, occ_max, ins_sum, ins_tail, ev_year, ev_inst, ev_net, ev_hits


_LOCK = threading.Lock()
_JITTED: Callable[..., Any] | None = None


def kernel() -> Callable[..., Any]:
    """The compiled kernel (numba, cached on disk), or the plain Python function without numba."""
    global _JITTED  # noqa: PLW0603 - compiled once per process
    if _JITTED is None:
        with _LOCK:
            if _JITTED is None:
                if AVAILABLE:
                    import numba

                    global _grow, _grow_rows, _poisson  # noqa: PLW0603 - the jitted kernel calls the jitted helper
                    _grow = numba.njit(nogil=True, cache=True)(_grow)
                    _grow_rows = numba.njit(nogil=True, cache=True)(_grow_rows)
                    _poisson = numba.njit(nogil=True, cache=True)(_poisson)
                    _JITTED = numba.njit(nogil=True, cache=True)(_kernel)
                else:
                    _JITTED = _kernel
    return _JITTED
