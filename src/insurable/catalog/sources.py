"""The catalogue-wide source register: a file whose header lists the public sources items cite."""

from __future__ import annotations

from insurable.catalog.header import Frozen, Header


class SourcesFile(Frozen):
    header: Header
