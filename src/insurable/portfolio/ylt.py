"""The year-loss table to Parquet (pyarrow), streamed: one row group per block, in block order, so
memory holds one block's rows, never the whole table."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from insurable.portfolio.engine import BlockResult

__all__ = ["YltWriter"]


class YltWriter:
    """``with YltWriter(path, scenario_ids, first_years) as w: run_portfolio(..., on_block=w)``.

    Columns: ``year`` (0-based), ``gross`` (ground-up), ``net`` (after every term),
    ``max_occurrence`` (the year's largest occurrence, net, for the OEP), ``own`` and one column per
    scenario (the net year loss allocated to its sources; they sum to ``net``)."""

    def __init__(self, path: Path, scenario_ids: tuple[str, ...], block_starts: list[int]) -> None:
        import pyarrow as pa

        self.path = path
        self.sources = ("own", *scenario_ids)
        self.starts = block_starts
        self.schema = pa.schema(
            [("year", pa.int64()), ("gross", pa.float64()), ("net", pa.float64()), ("max_occurrence", pa.float64())]
            + [(s, pa.float64()) for s in self.sources]
        )
        self._writer: Any = None
        self.rows = 0

    def __enter__(self) -> YltWriter:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        return self

    def __call__(self, block: BlockResult) -> None:
        import numpy as np
        import pyarrow as pa

        first = self.starts[block.index]
        n = block.net.shape[0]
        columns = [
            pa.array(np.arange(first, first + n, dtype=np.int64)),
            pa.array(block.gross),
            pa.array(block.net),
            pa.array(block.max_occurrence),
            *(pa.array(np.ascontiguousarray(block.by_source[:, s])) for s in range(len(self.sources))),
        ]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))
        self.rows += n

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._writer is not None:
            self._writer.close()
