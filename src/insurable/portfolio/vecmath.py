"""Branch-free ln, exp and the normal quantile that the compiler can vectorise (issue 17's kernel).

The block kernel spends most of its time in ``math.log``, ``math.exp`` and the normal quantile of
each paying hit, one hit after another: a library call per value, which no loop around it can
turn into SIMD code. These are the same functions written as straight-line arithmetic on the
float's bits (fdlibm's ``__ieee754_log`` and ``__ieee754_exp`` cores; Wichura's AS 241 with its
three regions chosen by selects instead of branches), so a loop over a chunk of hits compiles to
AVX code that works on 4 or 8 values at once. Accuracy: within 1 ulp of the C library for ln and
exp, within a few ulp for the quantile (tests/portfolio/test_vecmath.py against math and scipy).

Every operation is an IEEE operation in a fixed order, so the plain-Python versions here (the
float's bits through ``struct``) give the same bits as the compiled ones: a block's result does
not depend on numba. Domains: ``vlog`` takes positive normal floats (the kernel's uniforms are at
least 2**-54); ``vexp`` returns 0.0 below -708 (where the C library returns subnormals) and inf
above 709 (the C library from 709.78).
"""

from __future__ import annotations

import math
import struct
from typing import Any

__all__ = ["f2i", "i2f", "vexp", "vlog", "vndtri"]


def f2i(x: float) -> int:
    """The float's 64 bits as a signed integer (compiled: an LLVM bitcast)."""
    return int(struct.unpack("<q", struct.pack("<d", x))[0])


def i2f(i: int) -> float:
    """The signed integer's 64 bits as a float (compiled: an LLVM bitcast)."""
    return float(struct.unpack("<d", struct.pack("<q", i))[0])


_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_P1 = 1.66666666666666019037e-01
_P2 = -2.77777777770155933842e-03
_P3 = 6.61375632143793436117e-05
_P4 = -1.65339022054652515390e-06
_P5 = 4.13813679705723846039e-08


def vlog(x: float) -> float:
    """ln x for a positive normal float: x = 2**k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)), then
    fdlibm's rational approximation of ln(1 + f) (error below 1 ulp)."""
    ix = f2i(x)
    hx = (ix >> 32) + (0x3FF00000 - 0x3FE6A09E)
    k = (hx >> 20) - 0x3FF
    m = i2f((((hx & 0x000FFFFF) + 0x3FE6A09E) << 32) | (ix & 0xFFFFFFFF))
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    dk = float(k)
    return s * (hfsq + (t2 + t1)) + dk * _LN2_LO - hfsq + f + dk * _LN2_HI


def vexp(x: float) -> float:
    """e**x: x = k ln2 + r with |r| <= ln2 / 2, fdlibm's rational approximation of e**r, times
    2**k built in the exponent bits. 0.0 below -708 (and for -inf), inf above 709."""
    xc = min(max(x, -708.0), 709.0)
    kf = float(int(xc * _INV_LN2 + 0.5 if xc >= 0.0 else xc * _INV_LN2 - 0.5))
    hi = xc - kf * _LN2_HI
    lo = kf * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    out = y * i2f((int(kf) + 1023) << 52)
    if x < -708.0:
        out = 0.0
    if x > 709.0:
        out = float("inf")
    return out


def _horner(r: float, c0: float, c1: float, c2: float, c3: float, c4: float, c5: float, c6: float, c7: float) -> float:
    return ((((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) * r + c6) * r + c7


def vndtri(p: float) -> float:
    """The standard normal quantile for p in (0, 1): Wichura's AS 241 (PPND16, as ``kernel._ndtri``),
    every region computed and the right one selected (no branch), the tails' sqrt(-ln) through
    :func:`vlog`."""
    q = p - 0.5
    r = 0.180625 - q * q
    num = _horner(
        r,
        2509.0809287301226727,
        33430.575583588128105,
        67265.770927008700853,
        45921.953931549871457,
        13731.693765509461125,
        1971.5909503065514427,
        133.14166789178437745,
        3.387132872796366608,
    )
    den = _horner(
        r,
        5226.495278852545925,
        28729.085735721942674,
        39307.89580009271061,
        21213.794301586595867,
        5394.1960214247511077,
        687.1870074920579083,
        42.313330701600911252,
        1.0,
    )
    central = q * num / den
    s = math.sqrt(-vlog(min(p, 1.0 - p)))
    t = s - 1.6
    near = _horner(
        t,
        7.7454501427834140764e-4,
        0.0227238449892691845833,
        0.24178072517745061177,
        1.27045825245236838258,
        3.64784832476320460504,
        5.7694972214606914055,
        4.6303378461565452959,
        1.42343711074968357734,
    ) / _horner(
        t,
        1.05075007164441684324e-9,
        5.475938084995344946e-4,
        0.0151986665636164571966,
        0.14810397642748007459,
        0.68976733498510000455,
        1.6763848301838038494,
        2.05319162663775882187,
        1.0,
    )
    t = s - 5.0
    far = _horner(
        t,
        2.01033439929228813265e-7,
        2.71155556874348757815e-5,
        0.0012426609473880784386,
        0.026532189526576123093,
        0.29656057182850489123,
        1.7848265399172913358,
        5.4637849111641143699,
        6.6579046435011037772,
    ) / _horner(
        t,
        2.04426310338993978564e-15,
        1.4215117583164458887e-7,
        1.8463183175100546818e-5,
        7.868691311456132591e-4,
        0.0148753612908506148525,
        0.13692988092273580531,
        0.59983220655588793769,
        1.0,
    )
    tail = near if s <= 5.0 else far
    tail = -tail if q < 0.0 else tail
    return central if abs(q) <= 0.425 else tail


_JITTED: dict[str, Any] = {}


def jit() -> dict[str, Any]:
    """The compiled functions (numba, inlined into their callers; ``error_model="numpy"``: no
    division check, so loops over them vectorise), bound in this module's globals."""
    if not _JITTED:
        import numba

        _register()
        g = globals()
        for name in ("_horner", "vlog", "vexp", "vndtri"):
            g[name] = numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")(g[name])
            _JITTED[name] = g[name]
    return _JITTED


def _register() -> None:
    """Compiled :func:`f2i` and :func:`i2f` (LLVM bitcasts), for numba to inline."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic, overload

    @intrinsic
    def _f2i_ll(typingctx: Any, x: Any) -> Any:  # noqa: ARG001 - numba's intrinsic signature
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:  # noqa: ARG001
            return builder.bitcast(args[0], ir.IntType(64))

        return types.int64(types.float64), codegen

    @intrinsic
    def _i2f_ll(typingctx: Any, i: Any) -> Any:  # noqa: ARG001 - numba's intrinsic signature
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:  # noqa: ARG001
            return builder.bitcast(args[0], ir.DoubleType())

        return types.float64(types.int64), codegen

    @overload(f2i, jit_options={"nogil": True}, inline="always")
    def _f2i_nb(x: Any) -> Any:  # noqa: ARG001 - typed by numba
        def impl(x: Any) -> int:
            return _f2i_ll(x)  # type: ignore[call-arg]

        return impl

    @overload(i2f, jit_options={"nogil": True}, inline="always")
    def _i2f_nb(i: Any) -> Any:  # noqa: ARG001 - typed by numba
        def impl(i: Any) -> float:
            return _i2f_ll(i)  # type: ignore[call-arg]

        return impl
