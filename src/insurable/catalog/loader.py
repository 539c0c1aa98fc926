"""Load a catalogue directory through the frozen models, collecting every problem at once.

A catalogue directory holds one YAML file per kind (see :data:`FILE_MODELS`). ``load_catalog()``
with no argument loads the packaged default; ``guideline_dir`` swaps in an insurer's own
``guideline.yaml``. Cross-references between files are checked by :mod:`insurable.catalog.references`.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from insurable.catalog.anchors import AnchorsFile
from insurable.catalog.controls import ControlsFile
from insurable.catalog.coverages import CoveragesFile
from insurable.catalog.exposure import ExposureFile
from insurable.catalog.guideline import GuidelineFile
from insurable.catalog.header import Header, Source
from insurable.catalog.nis2 import Nis2File
from insurable.catalog.offers import OfferChecklistFile, OfferWordingFile
from insurable.catalog.perils import PerilsFile
from insurable.catalog.questionnaire import QuestionnaireFile
from insurable.catalog.sources import SourcesFile
from insurable.catalog.supplier_requirements import SupplierRequirementsFile
from insurable.catalog.vocabulary import VocabularyFile
from insurable.catalog.yamlio import read_yaml_document
from insurable.errors import InputError, Problem, problems_from_validation, with_lines
from insurable.portfolio.catalog import SystemicFile

#: File name -> model. Required files must be present in every catalogue directory.
FILE_MODELS: dict[str, type[BaseModel]] = {
    "sources.yaml": SourcesFile,
    "controls.yaml": ControlsFile,
    "questionnaire.yaml": QuestionnaireFile,
    "coverages.yaml": CoveragesFile,
    "vocabulary.yaml": VocabularyFile,
    "guideline.yaml": GuidelineFile,
    "nis2.yaml": Nis2File,
    "perils.yaml": PerilsFile,
    "anchors.yaml": AnchorsFile,
    "exposure.yaml": ExposureFile,
    "offer_checklist.yaml": OfferChecklistFile,
    "offer_wording.yaml": OfferWordingFile,
    "supplier_requirements.yaml": SupplierRequirementsFile,
    "systemic.yaml": SystemicFile,
}
#: Files a catalogue may omit (features that need them say so when they are absent).
OPTIONAL_FILES: set[str] = {
    "perils.yaml",
    "anchors.yaml",
    "exposure.yaml",
    "offer_checklist.yaml",
    "offer_wording.yaml",
    "supplier_requirements.yaml",
    "systemic.yaml",
}

M = TypeVar("M", bound=BaseModel)


def default_directory() -> Path:
    """The packaged default catalogue."""
    return Path(str(resources.files("insurable.catalog") / "data"))


@dataclass(frozen=True)
class Catalog:
    """A loaded, validated catalogue: one model per file, keyed by file name."""

    directory: Path
    files: dict[str, BaseModel] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def get(self, name: str, model: type[M]) -> M:
        found = self.files.get(name)
        if found is None:
            raise InputError([Problem(path="", reason="catalogue file is missing", file=str(self.directory / name))])
        assert isinstance(found, model)
        return found

    @property
    def controls(self) -> ControlsFile:
        return self.get("controls.yaml", ControlsFile)

    @property
    def questionnaire(self) -> QuestionnaireFile:
        return self.get("questionnaire.yaml", QuestionnaireFile)

    @property
    def coverages(self) -> CoveragesFile:
        return self.get("coverages.yaml", CoveragesFile)

    @property
    def vocabulary(self) -> VocabularyFile:
        return self.get("vocabulary.yaml", VocabularyFile)

    @property
    def guideline(self) -> GuidelineFile:
        return self.get("guideline.yaml", GuidelineFile)

    def sources(self) -> dict[str, Source]:
        """Every source declared in any file header, by id."""
        found: dict[str, Source] = {}
        for model in self.files.values():
            for source in header_of(model).sources:
                found.setdefault(source.id, source)
        return found

    def versions(self) -> dict[str, str]:
        """Catalogue id -> version of every loaded file (recorded with every assessment)."""
        return {header_of(m).id: header_of(m).version for m in self.files.values()}


def header_of(model: BaseModel) -> Header:
    """The header every catalogue file model carries."""
    header = model.__dict__.get("header")
    assert isinstance(header, Header)
    return header


def _load_file(path: Path, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    try:
        document = read_yaml_document(path)
    except InputError as exc:
        return None, exc.problems
    if document.problems:
        return None, document.problems
    data: Any = document.data
    if not isinstance(data, dict):
        return None, [Problem(path="", reason="expected a mapping with a header", file=str(path))]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, with_lines(problems_from_validation(exc, file=str(path)), document.lines)


def collect_catalog(directory: Path | None = None, guideline_dir: Path | None = None) -> tuple[Catalog, list[Problem]]:
    """Load what can be loaded and return it with every problem found (files and references)."""
    from insurable.catalog.references import check_references

    base = directory or default_directory()
    problems: list[Problem] = []
    if not base.is_dir():
        return Catalog(base), [Problem(path="", reason="catalogue directory not found", file=str(base))]
    if guideline_dir is not None and not (guideline_dir / "guideline.yaml").is_file():
        problems.append(Problem(path="", reason="guideline directory has no guideline.yaml", file=str(guideline_dir)))
    files: dict[str, BaseModel] = {}
    paths: dict[str, Path] = {}
    for name, model in FILE_MODELS.items():
        path = base / name
        if name == "guideline.yaml" and guideline_dir is not None:
            path = guideline_dir / name
            if not path.is_file():
                continue
        if not path.is_file():
            if name not in OPTIONAL_FILES:
                problems.append(Problem(path="", reason="required catalogue file is missing", file=str(path)))
            continue
        loaded, found = _load_file(path, model)
        problems.extend(found)
        if loaded is not None:
            files[name] = loaded
            paths[name] = path
    catalog = Catalog(base, files, paths)
    if not problems:
        problems.extend(check_references(catalog))
    return catalog, problems


def load_catalog(directory: Path | None = None, guideline_dir: Path | None = None) -> Catalog:
    """Load and validate a catalogue; raise :class:`InputError` listing every problem."""
    if directory is None and guideline_dir is None:
        return _default_catalog()
    catalog, problems = collect_catalog(directory, guideline_dir)
    if problems:
        raise InputError(problems)
    return catalog


#: Whether catalogue checks run their exhaustive sweeps (the NIS2 decision table's completeness over
#: every size x flags x EU-link x kind of type: ~35k cases, about 2 s). On for ``catalog check``, an
#: own catalogue directory and the test suite; off only while the packaged catalogue loads for a
#: command, whose completeness the test suite holds (tests/core/test_catalogue_meta.py).
THOROUGH: ContextVar[bool] = ContextVar("insurable_catalog_thorough", default=True)


@cache
def _default_catalog() -> Catalog:
    token = THOROUGH.set(False)
    try:
        catalog, problems = collect_catalog()
    finally:
        THOROUGH.reset(token)
    if problems:
        raise InputError(problems)
    return catalog
