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

   **Outage thinning.** Most outage hits end below the insured's waiting period and pay nothing.
   An outage instance's members are grouped by their *threshold* T (the hours above which the
   policy pays: the waiting period, plus deductible / (loss per hour x share) where the deductible
   applies on top). Given the event's share h and duration D, an insured of a group pays iff it is
   hit (probability h) and its hours D x exp(s Z) exceed T, i.e. Z > c = ln(T / D) / s: so the
   paying insureds of a group are an exact Bernoulli(h x q) sample, q = P(Z > c), walked by
   geometric skips, each with Z from the normal truncated to (c, inf) (exact, by inversion). That is
   the same distribution of every insured's net loss as drawing every hit, at the cost of the
   paying hits only. The ground-up loss of the hits below the threshold enters the year's gross
   at its expectation given (h, D): h x D x sum(rate) x exp(s^2 / 2) x Phi(c - s) per group (the
   mean of the gross is exact; only the spread of these small unpaid losses is averaged out).
   Instances whose members have many distinct thresholds walk every hit as before.
2. **By bands of insureds.** The insureds are processed ``band`` at a time (the engine orders
   the book so that each small instance's members, an MSP's clients, are neighbours): every event
   walks the band's members only (``unit_off``), so the terms it reads and the hits it writes
   stay in the CPU's cache; the walks of one event over consecutive bands together are the same
   Bernoulli sample as one walk over all members (the skips are memoryless). The band's paying
   hits are sorted by insured in cache; per insured its own events (Poisson count, uniform year,
   spliced severity, deductible, occurrence limit) and its systemic hits go into a block-long
   scratch buffer with a touched-years list; at the end of each touched year the BI coverages'
   annual sublimits trim the year, then the aggregate limit caps it, and the capped loss is
   allocated pro rata to its sources (own events, each scenario).

Memory is O(block years x sources + insureds + events + hits in one band), never O(years); the
hit buffers are a per-thread workspace the caller keeps between blocks. Two random streams, both a
function of (seed, block) only: the block's ``numpy.random.Generator`` (an outage's duration, a
Poisson count above 30) and the kernel's own xoshiro256** state seeded from it (everything else:
the events' years and hit shares, the geometric skips, the Poisson counts by inversion, the
normals by a ziggurat, the truncated normals by inversion). The draws are consumed in a fixed
order, so a block's result does not depend on where it runs.

**Speed** (docs/performance.md, "Portfolio"). The hot loops work a chunk of hits at a time: the
chunk's uniforms and normals are drawn with the xoshiro state in registers (``_fill_uniform``,
``_fill_normal``: one draw through the state array waits for the previous draw's store), the
skips' logarithms, a thinned outage's hours and its loss under the terms are branch-free loops
that compile to SIMD code, and the chunk's paying hits go to the band's list in a loop of their
own (a store or a buffer's growth inside the loss loop keeps the compiler from holding anything
in registers, since it cannot tell the arrays apart).
numba compiles it (``nogil``: blocks run in parallel on threads); without numba the same Python
runs (slowly: small books only).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from insurable.portfolio import vecmath
from insurable.portfolio.vecmath import vexp, vlog, vndtri

AVAILABLE = importlib.util.find_spec("numba") is not None
OUTAGE = 0
COMPROMISE = 1
#: hits per chunk of a walk (their terms, 128 bytes each, stay in L1)
CHUNK = 256


def _grow(a: Any, n: int) -> Any:
    out = np.empty(n, dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


_M64 = (1 << 64) - 1
_TWO_M53 = 1.0 / 9007199254740992.0


def _next53_py(st: Any) -> int:
    """The top 53 of the next 64 random bits (:func:`_next64`)."""
    return _next64(st) >> 11


def _next53_nb(st: Any) -> Any:
    return _next64(st) >> np.uint64(11)


def _next64_py(st: Any) -> int:
    """xoshiro256** (Blackman & Vigna 2018): the next 64 random bits of the state ``st`` (four
    uint64, not all zero), advanced in place. Python ints here; :func:`_next64_nb` is the same in
    numba's wrapping uint64 arithmetic."""
    s0, s1, s2, s3 = int(st[0]), int(st[1]), int(st[2]), int(st[3])
    x = (s1 * 5) & _M64
    r = ((((x << 7) | (x >> 57)) & _M64) * 9) & _M64
    t = (s1 << 17) & _M64
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = ((s3 << 45) | (s3 >> 19)) & _M64
    st[0], st[1], st[2], st[3] = s0, s1, s2, s3
    return r


def _next64_nb(st: Any) -> Any:
    r, s0, s1, s2, s3 = _xo(st[0], st[1], st[2], st[3])
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3
    return r


_next64 = _next64_py
_next53 = _next53_py


def _uniform(st: Any) -> float:
    """U(0, 1), both ends excluded: the 53 bits of :func:`_next53`, plus half a step."""
    return (float(_next53(st)) + 0.5) * _TWO_M53


_ZIG_R = 3.6541528853610088  # the base layer's right edge (256 layers)


def _zig_tables() -> tuple[Any, Any, Any]:
    """The 256-layer ziggurat of the standard normal density f(x) = exp(-x**2 / 2) (Marsaglia &
    Tsang 2000, in numpy's layout): per layer ``ki`` (the abscissa below which a draw is inside the
    layer's rectangle, times 2**52), ``wi`` (the layer's width / 2**52) and ``fi`` (f at its edge).
    Every layer has the area v = r f(r) + the tail beyond r; computed here, they agree with
    numpy's tables to 1e-13."""
    m = 2.0**52
    r = _ZIG_R
    v = r * math.exp(-0.5 * r * r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    ki = np.zeros(256, dtype=np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    q = v / math.exp(-0.5 * r * r)
    ki[0] = int(r / q * m)
    wi[0] = q / m
    wi[255] = r / m
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * r * r)
    dn = tn = r
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(v / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = int(dn / tn * m)
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / m
    return ki, wi, fi


_KI, _WI, _FI = _zig_tables()


def _normal_py(st: Any) -> float:
    """N(0, 1) by the ziggurat from the kernel's own stream: one 64-bit draw gives the layer (8
    bits), the sign (1) and the abscissa (52); inside the layer's rectangle (99.3 %) that is the
    draw, else the wedge's or the tail's exact rejection step. A function call of a few
    nanoseconds where the Generator's ``normal`` goes through a function pointer to its bit
    generator. :func:`_normal_nb` is the same in numba's uint64 arithmetic (the same bits)."""
    while True:
        r = _next64(st)
        idx = r & 0xFF
        r >>= 8
        rabs = (r >> 1) & 0x000FFFFFFFFFFFFF
        x = float(rabs) * float(_WI[idx])
        if r & 1:
            x = -x
        if rabs < int(_KI[idx]):
            return x
        x = _normal_rest(st, idx, x, rabs)
        if not math.isnan(x):
            return x


def _zig_nb(r: Any) -> Any:
    """The ziggurat's first step for the 64 bits ``r`` (numba's uint64): (x, layer, abscissa, x
    inside the layer's rectangle?), as :func:`_normal_py` takes it."""
    idx = np.intp(r & np.uint64(0xFF))
    r = r >> np.uint64(8)
    rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
    x = float(rabs) * _WI[idx]
    if r & np.uint64(1):
        x = -x
    return x, idx, rabs, rabs < _KI[idx]


def _normal_nb(st: Any) -> Any:
    while True:
        x, idx, rabs, inside = _zig(_next64(st))
        if inside:
            return x
        x = _normal_rest(st, idx, x, rabs)
        if not math.isnan(x):
            return x


def _normal_rest(st: Any, idx: Any, x: float, rabs: Any) -> float:
    """The ziggurat's rejection steps for a draw outside its layer's rectangle: the tail beyond r
    (Marsaglia 1964) for the base layer, else the wedge's test; nan: draw again."""
    if idx == 0:
        while True:
            xx = -math.log1p(-_uniform(st)) / _ZIG_R
            yy = -math.log1p(-_uniform(st))
            if yy + yy > xx * xx:
                return -(_ZIG_R + xx) if (int(rabs) >> 8) & 1 else _ZIG_R + xx
    if (_FI[idx - 1] - _FI[idx]) * _uniform(st) + _FI[idx] < math.exp(-0.5 * x * x):
        return x
    return math.nan


_normal = _normal_py


def _fill_uniform_py(st: Any, buf: Any, n: int, scale: float) -> None:
    """``buf[:n]`` = n uniforms (:func:`_uniform`) times ``scale``. :func:`_fill_uniform_nb` draws
    the same bits with the state in registers (one store to ``buf`` per draw, no reload of
    ``st``), for the loops that draw a chunk of uniforms at once."""
    for c in range(n):
        buf[c] = _uniform(st) * scale


def _xo_nb(s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    """One xoshiro256** step on a state held in registers: (64 bits, the next state)."""
    x = s1 * np.uint64(5)
    r = ((x << np.uint64(7)) | (x >> np.uint64(57))) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    return r, s0, s1, s2, s3


def _fill_uniform_nb(st: Any, buf: Any, n: int, scale: float) -> None:
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    for c in range(n):
        r, s0, s1, s2, s3 = _xo(s0, s1, s2, s3)
        buf[c] = (float(r >> np.uint64(11)) + 0.5) * _TWO_M53 * scale
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3


def _fill_normal_py(st: Any, buf: Any, n: int) -> None:
    """``buf[:n]`` = n normals (:func:`_normal`); :func:`_fill_normal_nb`: the same bits, the
    state in registers."""
    for c in range(n):
        buf[c] = _normal(st)


def _fill_normal_nb(st: Any, buf: Any, n: int) -> None:
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    for c in range(n):
        while True:
            r, s0, s1, s2, s3 = _xo(s0, s1, s2, s3)
            x, idx, rabs, inside = _zig(r)
            if inside:
                break
            st[0] = s0  # the rare rejection steps (0.7 %) draw through the array
            st[1] = s1
            st[2] = s2
            st[3] = s3
            x = _normal_rest(st, idx, x, rabs)
            s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
            if not math.isnan(x):
                break
        buf[c] = x
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3


_xo = _xo_nb
_zig = _zig_nb
_fill_uniform = _fill_uniform_py
_fill_normal = _fill_normal_py


_RECIPROCAL = 1.0 / np.maximum(np.arange(1001, dtype=np.float64), 1.0)


def _poisson(rng: Any, st: Any, lam: float, p0: float) -> int:
    """Poisson(lam), ``p0`` = exp(-lam): inversion from one uniform for small means (numba's
    sampler costs ~0.4 us a call, and most insureds expect a handful of events per block), the
    library's above 30."""
    if lam <= 0.0:
        return 0
    if lam > 30.0:
        return int(rng.poisson(lam))
    u = _uniform(st)
    p = p0
    f = p
    k = 0
    while u > f and k < 1000:
        k += 1
        p *= lam * _RECIPROCAL[k]  # a multiplication: the division's latency was the loop's cost
        f += p
    return k


def _gamma(st: Any, a: float) -> float:
    """Gamma(a, 1) (Marsaglia & Tsang 2000: a normal and a uniform per try, 2 % rejected at a = 1);
    a < 1 as Gamma(a + 1) U**(1 / a)."""
    boost = 1.0
    if a < 1.0:
        boost = math.pow(_uniform(st), 1.0 / a)
        a += 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(st)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform(st)
        if u < 1.0 - 0.0331 * x * x * x * x or math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return d * v * boost


def _beta(st: Any, a: float, b: float) -> float:
    """Beta(a, b) as Ga / (Ga + Gb): an event's hit share."""
    ga = _gamma(st, a)
    return ga / (ga + _gamma(st, b))


def _inv_log1m(p: float) -> float:
    """1 / ln(1 - p) for the geometric skips of one walk (0.0 for p >= 1: every member is hit)."""
    return 0.0 if p >= 1.0 else 1.0 / math.log1p(-p)


def _gpd(z: float, t: float, b: float, q: float, xi: float) -> float:
    """A spliced loss above its splice point for the normal draw ``z`` (what
    :meth:`insurable.lossmodel.severity.Spliced.sample` computes there): the generalised Pareto
    quantile (threshold ``t``, scale ``b``, shape ``xi``) at the normal's survival beyond the splice,
    ``q`` = P(Z > z_t)."""
    return _gpd_at(0.5 * math.erfc(z / math.sqrt(2.0)) / q, t, b, xi)


def _gpd_at(s: float, t: float, b: float, xi: float) -> float:
    """The generalised Pareto loss above ``t`` whose survival beyond ``t`` is ``s`` in (0, 1]. Given
    Z > z_t, P(Z > z | Z > z_t) is uniform: a fresh uniform for ``s`` gives the same distribution of
    the loss (the own events draw it so, without the erfc; a compromise keeps its normal's, which its
    downtime shares)."""
    if xi == 0.0:
        return t - b * math.log(s)
    return t + b / xi * (math.exp(-xi * math.log(s)) - 1.0)  # s**-xi: one exp and one log beat pow


def _grow_rows(a: Any, n: int) -> Any:
    out = np.empty((n, a.shape[1]))
    out[: a.shape[0]] = a
    return out


def _kernel(  # noqa: PLR0912, PLR0913, PLR0915 - one flat kernel over flat arrays, as numba wants
    rng: Any,
    st: Any,
    n_years: int,
    own_p: Any,
    cov_p: Any,
    comp_p: Any,
    comp_xi: Any,
    ann_p: Any,
    inst_rate: Any,
    inst_scen: Any,
    inst_members: Any,
    inst_gptr: Any,
    grp_logt: Any,
    grp_rate: Any,
    sc_kind: Any,
    sc_cov: Any,
    sc_a: Any,
    sc_b: Any,
    sc_dmu: Any,
    sc_dsig: Any,
    sc_isig: Any,
    sc_sev: Any,
    tail_mask: Any,
    unit_off: Any,
    unit_bands: Any,
    band: int,
    ws_ins: Any,
    ws_row: Any,
    ws_rows: Any,
) -> Any:
    n = own_p.shape[0]
    n_src = sc_kind.shape[0] + 1
    n_inst = inst_rate.shape[0]
    n_bands = unit_off.shape[1] - 1
    gross_y = np.zeros(n_years)
    net_y = np.zeros(n_years)
    src_y = np.zeros((n_years, n_src))
    occ_max = np.zeros(n_years)
    ins_sum = np.zeros(n)
    want_tail = tail_mask.shape[0] == n_years
    ins_tail = np.zeros(n if want_tail else 0)
    # 1. the block's systemic events, instance by instance: a count, then per event its year, hit
    # share and (outages) duration; per event its walks ("entries"): the instance's members with
    # probability h, or per threshold group the paying members with probability h x q (thinning)
    counts = np.zeros(n_inst, dtype=np.int64)
    n_ev = 0
    for m in range(n_inst):
        cnt = _poisson(rng, st, inst_rate[m] * n_years, math.exp(-inst_rate[m] * n_years))
        counts[m] = cnt
        n_ev += cnt
    ev_year = np.zeros(n_ev, dtype=np.int64)
    ev_inst = np.zeros(n_ev, dtype=np.int64)
    ev_net = np.zeros(n_ev)
    ev_gross = np.zeros(n_ev)
    ev_hits = np.zeros(n_ev, dtype=np.int64)
    ev_dur = np.zeros(n_ev)
    n_ent = 0
    for m in range(n_inst):
        ng = inst_gptr[m + 1] - inst_gptr[m]
        n_ent += counts[m] * (ng if ng > 0 else 1)
    ent_ev = np.zeros(n_ent, dtype=np.int64)
    ent_unit = np.zeros(n_ent, dtype=np.int64)
    ent_p = np.zeros(n_ent)
    ent_q = np.zeros(n_ent)
    e = 0
    q_i = 0
    for m in range(n_inst):
        s = inst_scen[m]
        gs = inst_gptr[m]
        ge = inst_gptr[m + 1]
        sig = sc_isig[s]
        for _ in range(counts[m]):
            y = min(int(_uniform(st) * n_years), n_years - 1)
            h = min(max(_beta(st, sc_a[s], sc_b[s]), 1e-12), 1.0)
            duration = 0.0
            if sc_kind[s] == OUTAGE:
                duration = math.exp(sc_dmu[s] + sc_dsig[s] * rng.normal())
            ev_year[e] = y
            ev_inst[e] = m
            ev_dur[e] = duration
            if ge > gs:
                below = 0.0
                log_d = math.log(duration)
                for g in range(gs, ge):
                    if sig > 0.0:
                        cg = (grp_logt[g] - log_d) / sig
                        qg = 0.5 * math.erfc(cg / math.sqrt(2.0))
                        below += grp_rate[g] * math.exp(sig * sig / 2.0) * 0.5 * math.erfc((sig - cg) / math.sqrt(2.0))
                    else:
                        qg = 1.0 if log_d > grp_logt[g] else 0.0
                        below += grp_rate[g] * (1.0 - qg)
                    ent_ev[q_i] = e
                    ent_unit[q_i] = n_inst + g
                    ent_p[q_i] = h * qg
                    ent_q[q_i] = qg
                    q_i += 1
                gross_y[y] += h * duration * below
            else:
                ent_ev[q_i] = e
                ent_unit[q_i] = m
                ent_p[q_i] = h
                ent_q[q_i] = 1.0
                q_i += 1
            e += 1
    # 2. per band of insureds, the entries that have members in it (a unit's members in band b are
    # positions unit_off[u, b] to unit_off[u, b + 1] of inst_members; its bands with members lie
    # from unit_bands[u, 0] to unit_bands[u, 1])
    b_cnt = np.zeros(n_bands + 1, dtype=np.int64)
    for k_e in range(n_ent):
        if ent_p[k_e] < 1e-300:
            continue
        u = ent_unit[k_e]
        for b in range(unit_bands[u, 0], unit_bands[u, 1]):
            if unit_off[u, b + 1] > unit_off[u, b]:
                b_cnt[b + 1] += 1
    for b in range(n_bands):
        b_cnt[b + 1] += b_cnt[b]
    b_fill = b_cnt[:n_bands].copy()
    b_ent = np.zeros(b_cnt[n_bands], dtype=np.int64)
    for k_e in range(n_ent):
        if ent_p[k_e] < 1e-300:
            continue
        u = ent_unit[k_e]
        for b in range(unit_bands[u, 0], unit_bands[u, 1]):
            if unit_off[u, b + 1] > unit_off[u, b]:
                b_ent[b_fill[b]] = k_e
                b_fill[b] += 1
    # the band's paying hits (insured within the band; year x 1024 + source x 2 + coverage, net, BI
    # part) and the same sorted by insured: per-thread workspace buffers the caller keeps
    h_ins = ws_ins
    h_row = ws_row
    rows = ws_rows
    cap = min(h_ins.shape[0], h_row.shape[0])
    cand = np.zeros(CHUNK, dtype=np.int64)
    ubuf = np.empty(CHUNK)
    hbuf = np.empty(CHUNK)
    lbuf = np.empty(CHUNK)
    zbuf = np.empty(CHUNK)
    ybuf = np.empty(CHUNK)
    nbuf = np.empty(CHUNK)
    # an insured's year: its net, its own events' net, its BI per coverage (one cache line a year)
    yr = np.zeros((n_years, 4))
    touched = np.zeros(n_years, dtype=np.int64)
    lptr = np.zeros(band + 2, dtype=np.int64)
    p_none = np.zeros(band)
    lfill = np.zeros(band + 1, dtype=np.int64)
    for b in range(n_bands):
        # 3. the band: every entry's walk over the band's members (their terms stay in cache),
        # in chunks of CHUNK hits: (a) who is hit, by geometric skips; (b) their terms gathered;
        # (c) each hit's loss, a thinned outage's hours for the whole chunk in SIMD code
        i0 = b * band
        n_hits = 0
        for li in range(band + 2):
            lptr[li] = 0  # the band's hits per insured, counted as they come
        for idx in range(b_cnt[b], b_cnt[b + 1]):
            k_e = b_ent[idx]
            e = ent_ev[k_e]
            u = ent_unit[k_e]
            m = ev_inst[e]
            s = inst_scen[m]
            k = sc_cov[s]
            y = ev_year[e]
            sig = sc_isig[s]
            cov_k = cov_p[k]
            compromise = sc_kind[s] != OUTAGE
            duration = ev_dur[e]
            qg = ent_q[k_e]
            p = ent_p[k_e]
            first = unit_off[u, b]
            size = unit_off[u, b + 1] - first
            inv = _inv_log1m(p)
            e_gross = 0.0
            e_net = 0.0
            e_hits = 0
            jf = -1.0
            n_pool = 0
            used = 0
            walking = True
            while walking:
                nc = 0
                while nc < CHUNK:
                    if inv == 0.0:
                        jf += 1.0
                    else:
                        if used == n_pool:  # the next skips' logs, in SIMD code
                            n_pool = min(CHUNK, int(p * (size - jf)) + 4)
                            _fill_uniform(st, lbuf, n_pool, 1.0)
                            for c in range(n_pool):
                                lbuf[c] = vlog(lbuf[c])
                            used = 0
                        jf += math.floor(lbuf[used] * inv) + 1.0
                        used += 1
                    if jf >= size:
                        walking = False
                        break
                    cand[nc] = inst_members[first + int(jf)]
                    nc += 1
                if nc == 0:
                    break
                thinned = not compromise and sig > 0.0 and qg < 1.0
                if thinned:  # hours, then the losses under the terms: branch-free loops, SIMD code
                    _fill_uniform(st, ubuf, nc, qg)
                    for c in range(nc):
                        hbuf[c] = duration * vexp(sig * -vndtri(ubuf[c]))
                    for c in range(nc):
                        i = cand[c]
                        hours = hbuf[c]
                        ubuf[c] = hours * cov_k[i, 0]  # ground-up
                        covered = min(hours, cov_k[i, 5]) - cov_k[i, 4]
                        bi = max(covered, 0.0) * cov_k[i, 0] * cov_k[i, 6]
                        net = min(bi - min(cov_k[i, 1], bi * cov_k[i, 7]), cov_k[i, 2])
                        nbuf[c] = net  # all of it BI: an outage has no other part
                        hbuf[c] = net
                    for c in range(nc):
                        e_gross += ubuf[c]
                else:
                    if compromise or sig > 0.0:
                        _fill_normal(st, zbuf, nc)
                    for c in range(nc):
                        i = cand[c]
                        other = 0.0
                        if not compromise:
                            z = zbuf[c] if sig > 0.0 else 0.0
                            hours = duration * math.exp(sig * z)
                            gross = hours * cov_k[i, 0]
                        else:
                            z = zbuf[c]
                            if z <= comp_p[i, 4]:
                                x = math.exp(comp_p[i, 0] + comp_p[i, 1] * z) * sc_sev[s]
                            else:
                                x = _gpd(z, comp_p[i, 5], comp_p[i, 6], comp_p[i, 7], comp_xi[i]) * sc_sev[s]
                            hours = math.exp(comp_p[i, 2] + comp_p[i, 3] * z) if comp_p[i, 2] > -math.inf else 0.0
                            gross = x + hours * cov_k[i, 0]
                            other = x * cov_k[i, 3]
                        e_gross += gross
                        covered = min(hours, cov_k[i, 5]) - cov_k[i, 4]
                        bi = covered * cov_k[i, 0] * cov_k[i, 6] if covered > 0 else 0.0
                        taken = min(cov_k[i, 1], other + bi * cov_k[i, 7])
                        bi_after = bi - (taken - min(taken, other))
                        net = other + bi - taken
                        if net > cov_k[i, 2]:
                            bi_after *= cov_k[i, 2] / net
                            net = cov_k[i, 2]
                        nbuf[c] = net  # <= 0: below the waiting period or the deductible, ground-up only
                        hbuf[c] = bi_after
                # the chunk's paying hits to the band's list (room made once per chunk)
                if n_hits + nc > cap:
                    cap = n_hits + nc + (n_hits + nc) // 2
                    h_ins = _grow(h_ins, cap)
                    h_row = _grow_rows(h_row, cap)
                code = y * 1024 + (s + 1) * 2 + k
                for c in range(nc):
                    if nbuf[c] > 0.0:
                        h_ins[n_hits] = cand[c] - i0
                        lptr[cand[c] - i0 + 1] += 1
                        h_row[n_hits, 0] = code
                        h_row[n_hits, 1] = nbuf[c]
                        h_row[n_hits, 2] = hbuf[c]
                        n_hits += 1
                        e_hits += 1
                        e_net += nbuf[c]
            ev_gross[e] += e_gross
            ev_hits[e] += e_hits
            ev_net[e] += e_net
        # 4. the band's hits by insured (a counting sort that stays in cache), then per insured its
        # own events and hits, and per touched year the annual terms and the allocation
        i1 = min(n, i0 + band)
        for li in range(band):
            lptr[li + 1] += lptr[li]
        for li in range(band + 1):
            lfill[li] = lptr[li]
        if rows.shape[0] < n_hits:
            rows = np.zeros((n_hits + n_hits // 4, 3))
        for t in range(n_hits):
            w = lfill[h_ins[t]]
            lfill[h_ins[t]] += 1
            for c3 in range(3):
                rows[w, c3] = h_row[t, c3]
        for i in range(i0, i1):  # P(no own event in the block), SIMD code
            p_none[i - i0] = vexp(-own_p[i, 0] * n_years)
        for i in range(i0, i1):
            # the insured's terms in registers (the loops below store to arrays the compiler
            # cannot tell apart from ann_p and own_p)
            agg, sub0, sub1 = ann_p[i, 0], ann_p[i, 1], ann_p[i, 2]
            mu, sigma, z_t, ded, occ = own_p[i, 1], own_p[i, 2], own_p[i, 6], own_p[i, 3], own_p[i, 4]
            n_t = 0  # the years with a paying loss (yr[y, 0] > 0) in touched[:n_t]
            cnt = _poisson(rng, st, own_p[i, 0] * n_years, p_none[i - i0])
            for o in range(cnt):
                if o % CHUNK == 0:  # the next events' years and normals
                    _fill_uniform(st, ybuf, min(CHUNK, cnt - o), float(n_years))
                    _fill_normal(st, zbuf, min(CHUNK, cnt - o))
                y = min(int(ybuf[o % CHUNK]), n_years - 1)
                z = zbuf[o % CHUNK]
                if z <= z_t:
                    x = math.exp(mu + sigma * z)
                else:
                    x = _gpd_at(1.0 - _uniform(st), own_p[i, 7], own_p[i, 8], own_p[i, 10])
                gross_y[y] += x
                net = min(max(x - ded, 0.0), occ)
                if net > 0.0:
                    if net > occ_max[y]:
                        occ_max[y] = net
                    if yr[y, 0] == 0.0:
                        touched[n_t] = y
                        n_t += 1
                    yr[y, 0] += net
                    yr[y, 1] += net
            for t in range(lptr[i - i0], lptr[i - i0 + 1]):
                packed = int(rows[t, 0])
                y = packed >> 10
                code = packed & 1023
                if yr[y, 0] == 0.0:
                    touched[n_t] = y
                    n_t += 1
                yr[y, 0] += rows[t, 1]
                src_y[y, code >> 1] += rows[t, 1]  # in full: trimmed below if the year is capped
                yr[y, 2 + (code & 1)] += rows[t, 2]
            paid = 0.0
            paid_tail = 0.0
            for t in range(n_t):
                y = touched[t]
                total = yr[y, 0]
                excess = max(yr[y, 2] - sub0, 0.0) + max(yr[y, 3] - sub1, 0.0)
                final = min(max(total - excess, 0.0), agg)
                if final < total:  # capped: each source keeps its share final / total
                    ratio = final / total
                    src_y[y, 0] += yr[y, 1] * ratio
                    for t2 in range(lptr[i - i0], lptr[i - i0 + 1]):
                        if int(rows[t2, 0]) >> 10 == y:
                            src_y[y, (int(rows[t2, 0]) & 1023) >> 1] -= rows[t2, 1] * (1.0 - ratio)
                else:
                    src_y[y, 0] += yr[y, 1]
                yr[y, 0] = 0.0
                yr[y, 1] = 0.0
                yr[y, 2] = 0.0
                yr[y, 3] = 0.0
                net_y[y] += final
                paid += final
                if want_tail and tail_mask[y]:
                    paid_tail += final
            ins_sum[i] += paid
            if want_tail:
                ins_tail[i] += paid_tail
    # 5. each event's gross and its net (an occurrence: the largest of the year?), summed over bands
    for e in range(n_ev):
        y = ev_year[e]
        gross_y[y] += ev_gross[e]
        if ev_net[e] > occ_max[y]:
            occ_max[y] = ev_net[e]
    workspace = (h_ins, h_row, rows)
    return gross_y, net_y, src_y, occ_max, ins_sum, ins_tail, ev_year, ev_inst, ev_net, ev_hits, workspace


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

                    # the jitted kernel calls the jitted helpers: bound in this module's globals
                    global _beta, _fill_normal, _fill_uniform, _gamma, _gpd, _gpd_at, _grow, _grow_rows, _inv_log1m  # noqa: PLW0603
                    global _next53, _next64, _normal, _normal_rest, _poisson, _uniform, _xo, _zig  # noqa: PLW0603
                    plain = numba.njit(nogil=True, cache=True)
                    inline = numba.njit(nogil=True, cache=True, inline="always")  # the state stays in registers
                    _gpd_at = plain(_gpd_at)
                    _gpd = plain(_gpd)
                    _next64 = plain(_next64_nb)
                    _next53 = plain(_next53_nb)
                    _uniform = plain(_uniform)
                    _grow = plain(_grow)
                    _grow_rows = plain(_grow_rows)
                    _poisson = plain(_poisson)
                    _normal = plain(_normal_nb)
                    _normal_rest = plain(_normal_rest)
                    _inv_log1m = plain(_inv_log1m)
                    _gamma = plain(_gamma)
                    _beta = plain(_beta)
                    _xo = inline(_xo_nb)
                    _zig = inline(_zig_nb)
                    _fill_uniform = inline(_fill_uniform_nb)
                    _fill_normal = inline(_fill_normal_nb)
                    global vexp, vlog, vndtri  # noqa: PLW0603
                    fast = vecmath.jit()
                    vexp, vlog, vndtri = fast["vexp"], fast["vlog"], fast["vndtri"]
                    _JITTED = numba.njit(nogil=True, cache=True, error_model="numpy")(_kernel)
                else:
                    _JITTED = _kernel
    return _JITTED
