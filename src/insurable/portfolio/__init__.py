"""Portfolio accumulation: a broker's or insurer's book under systemic cyber events (issue 17).

Pure kernels and metrics; the adapters (Dask, OED, Parquet, the CLI) import what they need lazily.
Public API (docs/portfolio.md):

- :class:`~insurable.portfolio.book.Book` - the insureds as flat arrays ("compiled once", as
  OasisLMF's fmpy compiles its financial structure), built from organisation files
  (:func:`~insurable.portfolio.book.book_from_organisations`), the service database or OED v4;
- :class:`~insurable.portfolio.catalog.SystemicFile` - the systemic scenarios (``systemic.yaml``);
- :func:`~insurable.portfolio.engine.run_portfolio` - blocks of years, one random stream per block,
  locally (threads) or on a Dask cluster, bit-identical either way;
- :mod:`~insurable.portfolio.metrics` - AEP/OEP, PML/TVaR, Euler contributions, vendor
  concentration and single points of failure.
"""
