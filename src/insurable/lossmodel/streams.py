"""Common random numbers: every draw of the loss model is addressed, not consumed from a stream.

A run's seed gives one 64-bit key (:func:`run_key`). Every uniform the kernels use is a counter-based
hash of the key and the draw's *address* (splitmix64's finaliser, which passes BigCrush as a
generator):

- cell (trial-year ``y``, its index in the whole run, not in a block; event type ``p``):
  ``cell = mix(key + ((y + 1) * 2**16 + p) * G)``, i.e. splitmix64's output number
  ``(y + 1) * 2**16 + p`` from the key; the type's count uniform is ``unit(cell)`` and draw ``j`` of
  the cell is ``mix(cell + (j + 1) * G)`` (splitmix64 seeded with the cell);
- event ``i`` of a cell uses draws ``3i`` (severity), ``3i + 1`` (whether its second part happens)
  and ``3i + 2`` (the second part's severity); the common-shock uniform of a year is the count
  uniform of the pseudo type :data:`SHOCK`.

So what a trial-year draws does not depend on what other years, other event types or earlier events
drew: two runs under the same seed share every number they both use. A lower frequency inverts the
same uniform through a lower count CDF, so its events are the first of the higher frequency's, each
with the same severity draws (a subset, event by event); a lower severity factor scales the same
draws down. That is what makes a control lower the retained loss in every trial-year, not only on
average (docs/lossmodel.md, "Common random numbers"). Thread count, block size and chunking cannot
change a number either.

The helpers come in three forms with the same arithmetic: Python ints (the plain-Python kernel),
NumPy ``uint64`` arrays (the reference kernel; array arithmetic wraps silently) and the numba
``uint64`` versions compiled from the first (kernel_fast).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

U64 = NDArray[np.uint64]
F64 = NDArray[np.float64]

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # the splitmix64 increment
KIND_BITS = 16  # event types per year (the last one is SHOCK)
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
SHOCK = 0xFFFF  # the pseudo event type whose count uniform decides a common-shock year
DRAWS_PER_EVENT = 3
TWO_M53 = 2.0**-53


class Stream(NamedTuple):
    """What a block of trial-years draws from: the run's key and the index of its first year."""

    key: int
    first_year: int


def run_key(seed: int) -> int:
    """The 64-bit key of a run: the first word of NumPy's ``SeedSequence(seed)`` state."""
    return int(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0])


# -- Python ints ----------------------------------------------------------------------------------
def mix(z: int) -> int:
    """splitmix64's finaliser on a Python int (0 <= z < 2**64)."""
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    return z ^ (z >> 31)


def cell_hash(key: int, year: int, kind: int) -> int:
    return mix((key + (((year + 1) << KIND_BITS) | kind) * GOLDEN) & MASK)


def draw_hash(cell: int, j: int) -> int:
    return mix((cell + (j + 1) * GOLDEN) & MASK)


def unit(h: int) -> float:
    """A uniform on [0, 1) from the top 53 bits."""
    return float(h >> 11) * TWO_M53


def open_unit(h: int) -> float:
    """A uniform on (0, 1), never 0 or 1 (a probability to invert)."""
    return (float(h >> 11) + 0.5) * TWO_M53


def upper_z(w: float) -> float:
    """The standard normal ``z`` with ``Phi(-z) = w`` (Wichura's AS241, relative error ~1e-16):
    a severity's upper-tail probability ``w`` becomes its normal draw."""
    q = w - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (
            (
                (
                    (
                        (((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r)
                        + 4.5921953931549871457e4
                    )
                    * r
                    + 1.3731693765509461125e4
                )
                * r
                + 1.9715909503065514427e3
            )
            * r
            + 1.3314166789178437745e2
        ) * r + 3.3871328727963666080e0
        den = (
            (
                (
                    (
                        (((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r)
                        + 2.1213794301586595867e4
                    )
                    * r
                    + 5.3941960214247511077e3
                )
                * r
                + 6.8718700749205790830e2
            )
            * r
            + 4.2313330701600911252e1
        ) * r + 1.0
        return -(q * num / den)
    r = w if q <= 0.0 else 1.0 - w
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r = r - 1.6
        num = (
            (
                (
                    (
                        ((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1)
                        * r
                        + 1.27045825245236838258e0
                    )
                    * r
                    + 3.64784832476320460504e0
                )
                * r
                + 5.76949722146069140550e0
            )
            * r
            + 4.63033784615654529590e0
        ) * r + 1.42343711074968357734e0
        den = (
            (
                (
                    (
                        ((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2)
                        * r
                        + 1.48103976427480074590e-1
                    )
                    * r
                    + 6.89767334985100004550e-1
                )
                * r
                + 1.67638483018380384940e0
            )
            * r
            + 2.05319162663775882187e0
        ) * r + 1.0
    else:
        r = r - 5.0
        num = (
            (
                (
                    (
                        ((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3)
                        * r
                        + 2.65321895265761230930e-2
                    )
                    * r
                    + 2.96560571828504891230e-1
                )
                * r
                + 1.78482653991729133580e0
            )
            * r
            + 5.46378491116411436990e0
        ) * r + 6.65790464350110377720e0
        den = (
            (
                (
                    (
                        ((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5)
                        * r
                        + 7.86869131145613259100e-4
                    )
                    * r
                    + 1.48753612908506148525e-2
                )
                * r
                + 1.36929880922735805310e-1
            )
            * r
            + 5.99832206555887937690e-1
        ) * r + 1.0
    x = num / den
    # x is |quantile of w|: w below 1/2 is an upper tail (z > 0), above it a lower one.
    return x if q < 0.0 else -x


# -- NumPy uint64 arrays (the reference kernel) ----------------------------------------------------
def mix_array(z: U64) -> U64:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(M2)
    out: U64 = z ^ (z >> np.uint64(31))
    return out


def cell_hashes(key: int, first_year: int, n_years: int, kinds: NDArray[np.int64]) -> U64:
    """The cells of ``n_years`` trial-years from ``first_year`` on, shape (n_years, len(kinds))."""
    years = np.arange(first_year + 1, first_year + n_years + 1, dtype=np.uint64) << np.uint64(KIND_BITS)
    # Built type by type over the years (long inner loops), returned as a (years, types) view.
    counters = kinds.astype(np.uint64)[:, None] | years[None, :]
    return mix_array(np.uint64(key) + counters * np.uint64(GOLDEN)).T


def draw_hashes(cells: U64, j: NDArray[np.int64]) -> U64:
    return mix_array(cells + (j.astype(np.uint64) + np.uint64(1)) * np.uint64(GOLDEN))


def unit_array(h: U64) -> F64:
    out: F64 = (h >> np.uint64(11)).astype(np.float64) * TWO_M53
    return out


def open_unit_array(h: U64) -> F64:
    out: F64 = ((h >> np.uint64(11)).astype(np.float64) + 0.5) * TWO_M53
    return out


_CENTRAL = (
    (
        2.5090809287301226727e3,
        3.3430575583588128105e4,
        6.7265770927008700853e4,
        4.5921953931549871457e4,
        1.3731693765509461125e4,
        1.9715909503065514427e3,
        1.3314166789178437745e2,
        3.3871328727963666080e0,
    ),
    (
        5.2264952788528545610e3,
        2.8729085735721942674e4,
        3.9307895800092710610e4,
        2.1213794301586595867e4,
        5.3941960214247511077e3,
        6.8718700749205790830e2,
        4.2313330701600911252e1,
        1.0,
    ),
)
_NEAR = (
    (
        7.74545014278341407640e-4,
        2.27238449892691845833e-2,
        2.41780725177450611770e-1,
        1.27045825245236838258e0,
        3.64784832476320460504e0,
        5.76949722146069140550e0,
        4.63033784615654529590e0,
        1.42343711074968357734e0,
    ),
    (
        1.05075007164441684324e-9,
        5.47593808499534494600e-4,
        1.51986665636164571966e-2,
        1.48103976427480074590e-1,
        6.89767334985100004550e-1,
        1.67638483018380384940e0,
        2.05319162663775882187e0,
        1.0,
    ),
)
_FAR = (
    (
        2.01033439929228813265e-7,
        2.71155556874348757815e-5,
        1.24266094738807843860e-3,
        2.65321895265761230930e-2,
        2.96560571828504891230e-1,
        1.78482653991729133580e0,
        5.46378491116411436990e0,
        6.65790464350110377720e0,
    ),
    (
        2.04426310338993978564e-15,
        1.42151175831644588870e-7,
        1.84631831751005468180e-5,
        7.86869131145613259100e-4,
        1.48753612908506148525e-2,
        1.36929880922735805310e-1,
        5.99832206555887937690e-1,
        1.0,
    ),
)


def _horner(coefficients: tuple[float, ...], r: F64) -> F64:
    out = np.full_like(r, coefficients[0])
    for c in coefficients[1:]:
        out = out * r + c
    return out


def upper_z_array(w: F64) -> F64:
    """:func:`upper_z` on an array: the same operations in the same order, branch by branch."""
    q = w - 0.5
    out = np.empty_like(w)
    central = np.abs(q) <= 0.425
    if central.any():
        qc = q[central]
        r = 0.180625 - qc * qc
        out[central] = -(qc * _horner(_CENTRAL[0], r) / _horner(_CENTRAL[1], r))
    rest = ~central
    if rest.any():
        qr = q[rest]
        r = np.sqrt(-np.log(np.where(qr <= 0.0, w[rest], 1.0 - w[rest])))
        near = r <= 5.0
        x = np.empty_like(r)
        rn = r[near] - 1.6
        x[near] = _horner(_NEAR[0], rn) / _horner(_NEAR[1], rn)
        rf = r[~near] - 5.0
        x[~near] = _horner(_FAR[0], rf) / _horner(_FAR[1], rf)
        out[rest] = np.where(qr < 0.0, x, -x)
    return out
