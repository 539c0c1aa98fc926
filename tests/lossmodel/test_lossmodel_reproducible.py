"""Same seed, same numbers: across work chunks, threads and run lengths; fast kernel == reference."""

from __future__ import annotations

import numpy as np
import pytest

from insurable.lossmodel import kernel_fast
from insurable.lossmodel.arrays import simple_terms, stack_terms
from insurable.lossmodel.engine import simulate
from insurable.lossmodel.streams import Stream, run_key
from tests.lossmodel.helpers import perils

MODEL = perils(
    [0.6, 0.3, 0.0],
    [50_000.0, 200_000.0, 1_000.0],
    [1.6, 1.2, 1.0],
    split=[[0.7, 0.3], [0.0, 1.0], [1.0, 0.0]],
    nb=[None, 2.5, None],
)


def _terms():
    a = simple_terms(2, deductible=25_000, limit=500_000, aggregate_limit=750_000)
    a.sublimit[0, 1] = 100_000
    a.wait[0, 0] = 5_000
    a.cap[0, 0] = 300_000
    a.share[0, 1] = 0.9
    return stack_terms([a, simple_terms(2, deductible=10_000)])


def _same(a, b):
    np.testing.assert_array_equal(a.ground_up, b.ground_up)
    np.testing.assert_array_equal(a.by_peril, b.by_peril)
    np.testing.assert_array_equal(a.insured, b.insured)


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_same_seed_same_numbers_whatever_the_chunking(kernel):
    runs = [
        simulate(MODEL, _terms(), trials=10_000, seed=42, kernel=kernel, block_years=b, threads=t, blocks_per_chunk=c)
        for t, c, b in ((1, 1, 512), (2, 3, 512), (4, 7, 512), (1, 100, 512), (2, 1, 333), (1, 1, 10_000))
    ]
    for other in runs[1:]:
        _same(runs[0], other)


def test_a_shorter_run_is_a_prefix_of_a_longer_one_whatever_the_blocks():
    short = simulate(MODEL, _terms(), trials=1_500, seed=9, kernel="numpy", block_years=512)
    long = simulate(MODEL, _terms(), trials=4_000, seed=9, kernel="numpy", block_years=700)
    np.testing.assert_array_equal(short.ground_up, long.ground_up[:1_500])
    np.testing.assert_array_equal(short.insured, long.insured[:, :1_500])


def test_other_seed_other_numbers():
    a = simulate(MODEL, _terms(), trials=2_000, seed=1, kernel="numpy")
    b = simulate(MODEL, _terms(), trials=2_000, seed=2, kernel="numpy")
    assert not np.array_equal(a.ground_up, b.ground_up)


@pytest.mark.skipif(not kernel_fast.AVAILABLE, reason="numba not installed")
def test_fast_kernel_equals_reference_kernel():
    ref = simulate(MODEL, _terms(), trials=20_000, seed=3, kernel="numpy", block_years=4096)
    fast = simulate(MODEL, _terms(), trials=20_000, seed=3, kernel="numba", block_years=4096)
    np.testing.assert_allclose(fast.ground_up, ref.ground_up, rtol=1e-12)
    np.testing.assert_allclose(fast.by_peril, ref.by_peril, rtol=1e-6)
    np.testing.assert_allclose(fast.insured, ref.insured, rtol=1e-12)
    assert ref.ground_up.sum() > 0


def test_uncompiled_fast_kernel_equals_reference():
    """The same loop in plain Python: the numba-free path of kernel_fast is the same algorithm."""
    stream = Stream(run_key(5), 0)
    terms = _terms()
    out = [(np.empty(300), np.empty((300, 3), np.float32), np.empty((2, 300))) for _ in range(2)]
    from insurable.lossmodel import kernel_reference

    kernel_reference.run_block(stream, 300, MODEL, terms, *out[0])
    kernel_fast.run_block(stream, 300, MODEL, terms, *out[1], compiled=False)
    for a, b in zip(out[0], out[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
