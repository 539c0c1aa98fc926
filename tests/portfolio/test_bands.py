"""The kernel's order and bands (engine.kernel_order, engine._unit_offsets, kernel.py): an MSP's
clients become neighbours, each unit's band ranges cover exactly its members, and every
per-insured result comes back in the book's order."""

from __future__ import annotations

import numpy as np
import pytest

from insurable.portfolio.book import book_from_insureds
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import BAND, compile_run, kernel_order, run_portfolio
from insurable.portfolio.synthetic import synthetic_book
from tests.portfolio.helpers import one_scenario, plain_insured


def test_an_msps_clients_become_neighbours(systemic: SystemicFile) -> None:
    book = synthetic_book(5_000, systemic)
    order = kernel_order(book)
    assert sorted(order.tolist()) == list(range(book.size))
    msp = [book.vendors["msp"][i] for i in order.tolist()]
    seen: set[str | None] = set()
    previous = object()
    for v in msp:  # each vendor's clients form one run
        if v != previous:
            assert v not in seen, v
            seen.add(v)
            previous = v


def test_band_offsets_cover_each_units_members_once(systemic: SystemicFile) -> None:
    book = synthetic_book(3 * BAND + 100, systemic)
    c = compile_run(book, systemic)
    gptr, glo, ghi = c.groups[0], c.groups[1], c.groups[2]
    n_inst = len(c.instances)
    ranges = [(int(c.inst_ptr[m]), int(c.inst_ptr[m + 1])) for m in range(n_inst)]
    ranges += list(zip(glo.tolist(), ghi.tolist(), strict=True))
    for u, (lo, hi) in enumerate(ranges):
        off = c.unit_off[u]
        if u < n_inst and gptr[u + 1] > gptr[u]:
            assert (off == lo).all()  # walked by its groups
            continue
        assert off[0] == lo and off[-1] == hi and (np.diff(off) >= 0).all()
        for b in range(off.size - 1):
            members = c.inst_members[off[b] : off[b + 1]]
            assert ((members >= b * BAND) & (members < (b + 1) * BAND)).all()


def test_per_insured_results_are_in_the_books_order(systemic: SystemicFile) -> None:
    # insureds with vendors in reverse order: the kernel's order differs from the book's; the one
    # with many own events must still be the one with the largest AAL, at its own index
    sysf = one_scenario(systemic)
    insureds = [plain_insured(i, frequency=0.01, vendor=f"v{9 - i}") for i in range(10)]
    insureds[3] = plain_insured(3, frequency=5.0, vendor="v6")
    book = book_from_insureds(insureds, sysf)
    c = compile_run(book, sysf)
    assert c.order.tolist() != list(range(10))
    result = run_portfolio(c, years=2_000, threads=1, seed=4)
    assert int(np.argmax(result.insured_sum)) == 3
    assert result.insured_sum.sum() == pytest.approx(result.net.sum(), rel=1e-9)
