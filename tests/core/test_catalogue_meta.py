"""Meta-tests over the whole packaged catalogue: every id resolves, nothing is orphaned, every item
speaks Dutch and English, and every file's JSON Schema exports."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from insurable.catalog import collect_catalog
from insurable.catalog.loader import FILE_MODELS
from insurable.text import Text


def texts(model: object, path: str = "") -> Iterator[tuple[str, Text]]:
    if isinstance(model, Text):
        yield path, model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from texts(getattr(model, name), f"{path}.{name}")
    elif isinstance(model, tuple | list):
        for i, item in enumerate(model):
            yield from texts(item, f"{path}[{i}]")


def test_every_reference_resolves():
    catalog, problems = collect_catalog()
    assert problems == []
    assert set(catalog.files) == set(FILE_MODELS)


def test_every_item_has_dutch_and_english():
    catalog, _ = collect_catalog()
    count = 0
    for name, model in catalog.files.items():
        for path, text in texts(model, name):
            count += 1
            assert text.nl.strip() and text.en.strip(), path
    assert count > 500


def test_names_and_questions_are_translated_not_copied():
    catalog, _ = collect_catalog()
    same = [q.id for q in catalog.questionnaire.questions if q.text.nl == q.text.en or q.help.nl == q.help.en]
    same += [c.id for c in catalog.controls.controls if c.description.nl == c.description.en]
    assert same == []


def test_every_source_is_cited_and_every_citation_known():
    catalog, _ = collect_catalog()
    from insurable.catalog.references import _cited

    cited = {source for model in catalog.files.values() for _, source in _cited(model, "")}
    declared = set(catalog.sources())
    assert cited <= declared
    assert "insurable-assumption" in cited


def test_json_schemas_export():
    for model in FILE_MODELS.values():
        schema = model.model_json_schema(by_alias=True)
        assert schema["type"] == "object" and "header" in schema["properties"]
