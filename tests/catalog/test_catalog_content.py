"""Content checks on the two core catalogue files: controls.yaml and questionnaire.yaml.

The files are loaded on their own through the models (not through the whole catalogue), so these
tests pin the content contract of /tmp/insurable-spec/questions.md and domain reference §2.2/§3.3:
control coverage BM-01..BM-22, bilingual text, answer types, skip logic and framework mappings.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from insurable.catalog.controls import ControlsFile
from insurable.catalog.loader import _load_file, default_directory
from insurable.catalog.questionnaire import AnswerType, QuestionnaireFile, check_answer
from insurable.catalog.sources import SourcesFile

DATA: Path = default_directory()

#: Topics of reference §3.3 the questionnaire must cover.
REFERENCE_TOPICS = (
    "organisation",
    "history",
    "data",
    "governance",
    "mfa",
    "access",
    "exposure",
    "endpoint",
    "patching",
    "backup",
    "network",
    "logging",
    "email",
    "training",
    "incident",
    "suppliers",
    "payments",
)
ANSWER_TYPES: tuple[AnswerType, ...] = (
    "bool",
    "choice",
    "multi_choice",
    "number",
    "money",
    "percentage",
    "date",
    "text",
)


@pytest.fixture(scope="module")
def controls() -> ControlsFile:
    model, problems = _load_file(DATA / "controls.yaml", ControlsFile)
    assert problems == []
    return cast(ControlsFile, model)


@pytest.fixture(scope="module")
def questionnaire() -> QuestionnaireFile:
    model, problems = _load_file(DATA / "questionnaire.yaml", QuestionnaireFile)
    assert problems == []
    return cast(QuestionnaireFile, model)


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    model, problems = _load_file(DATA / "sources.yaml", SourcesFile)
    assert problems == []
    return {s.id for s in cast(SourcesFile, model).header.sources}


def test_headers(controls: ControlsFile, questionnaire: QuestionnaireFile) -> None:
    assert (controls.header.id, controls.header.kind) == ("insurable.controls", "controls")
    assert (questionnaire.header.id, questionnaire.header.kind) == ("insurable.questionnaire", "questionnaire")
    # controls 1.1.0 added effort and cost; questionnaire 2.0.0 split and retired questions (issue 10)
    assert (controls.header.version, questionnaire.header.version) == ("1.1.0", "2.0.0")
    for header in (controls.header, questionnaire.header):
        assert header.licence == "CC-BY-4.0"
        assert header.title.nl != header.title.en


def test_controls_cover_every_reference_row(controls: ControlsFile) -> None:
    refs = {c.ref for c in controls.controls}
    assert len(controls.controls) >= 22
    assert {f"BM-{n:02d}" for n in range(1, 23)} <= refs
    assert len(refs) == len(controls.controls), "each reference row appears once"


def test_every_control_is_mapped(controls: ControlsFile) -> None:
    for c in controls.controls:
        # BM-22 (governance) rests on NIS2 Art. 20 alone in reference §2.2; every other control
        # names at least one Art. 21(2) letter.
        assert c.nis2_art21 or c.nis2_art20, c.id
        assert c.cis_v8, c.id
        assert c.iso27001, c.id
        assert c.nist_csf, c.id
    by_id = {c.id: c for c in controls.controls}
    assert by_id["ctl.governance"].nis2_art20
    assert by_id["ctl.awareness"].nis2_art20
    assert sum(1 for c in controls.controls if c.nis2_art21) >= 22
    covered = {letter for c in controls.controls for letter in c.nis2_art21}
    assert covered == set("abcdefghij"), "every NIS2 Art. 21(2) letter has a control"


def test_controls_are_bilingual_and_cite_the_mapping_assumption(controls: ControlsFile) -> None:
    for c in controls.controls:
        for text in (c.name, c.description, c.remediation, c.ncsc_measure):
            assert text.nl.strip() and text.en.strip(), c.id
            assert text.nl != text.en, c.id
        assert "insurable-assumption" in c.sources, c.id


def test_questionnaire_size_and_types(questionnaire: QuestionnaireFile) -> None:
    assert len(questionnaire.questions) >= 60
    assert {q.type for q in questionnaire.questions} == set(ANSWER_TYPES)


def test_skip_logic_is_used(questionnaire: QuestionnaireFile) -> None:
    conditional = [q for q in questionnaire.questions if q.show_if is not None]
    assert len(conditional) >= 5
    reads_profile = [q.id for q in conditional if q.show_if is not None and q.show_if.profile_fields()]
    assert "q.development.secure_sdlc" in reads_profile
    ids = questionnaire.by_id()
    for q in conditional:
        assert q.show_if is not None
        for dep in q.show_if.question_ids():
            assert dep in ids, f"{q.id} depends on unknown {dep}"
            assert dep != q.id


def test_questions_are_bilingual(questionnaire: QuestionnaireFile) -> None:
    for q in questionnaire.questions:
        for text in (q.text, q.help):
            assert text.nl.strip() and text.en.strip(), q.id
            assert text.nl != text.en, q.id
        for option in q.options:
            assert option.text.nl.strip() and option.text.en.strip(), f"{q.id}:{option.id}"
        if q.type in ("number", "money", "percentage"):
            assert q.unit is not None, q.id


def test_reference_topics_are_covered(questionnaire: QuestionnaireFile) -> None:
    topics = {t.id for t in questionnaire.topics}
    used = {q.topic for q in questionnaire.questions}
    assert set(REFERENCE_TOPICS) <= topics
    assert set(REFERENCE_TOPICS) <= used
    assert used == topics, "no orphan topics"
    for t in questionnaire.topics:
        assert t.title.nl != t.title.en or t.description.nl != t.description.en, t.id


def test_evidences_resolve_and_every_control_is_evidenced(
    controls: ControlsFile, questionnaire: QuestionnaireFile
) -> None:
    known = {c.id for c in controls.controls}
    evidenced: set[str] = set()
    for q in questionnaire.questions:
        assert set(q.evidences) <= known, q.id
        evidenced.update(q.evidences)
        if q.evidences:
            assert q.target is not None and check_answer(q, q.target) is None, q.id
            assert q.meets_target(q.target), q.id
    assert evidenced == known


def test_best_first_choices_rank_the_target(questionnaire: QuestionnaireFile) -> None:
    for q in questionnaire.questions:
        if q.better == "first":
            best, worst = q.option_ids()[0], q.option_ids()[-1]
            assert q.meets_target(best), q.id
            assert not q.meets_target(worst), q.id


def test_hard_questions_match_the_contract(questionnaire: QuestionnaireFile) -> None:
    hard = {q.id for q in questionnaire.questions if "hard" in q.treatment}
    assert {
        "q.mfa.remote_access",
        "q.mfa.email",
        "q.mfa.privileged",
        "q.exposure.rdp_exposed",
        "q.backup.frequency",
        "q.backup.offline_copy",
        "q.hist.known_circumstances",
    } <= hard
    assert questionnaire.by_id()["q.exposure.rdp_exposed"].target is False


def test_cited_sources_exist(controls: ControlsFile, questionnaire: QuestionnaireFile, source_ids: set[str]) -> None:
    cited = {s for c in controls.controls for s in c.sources}
    cited |= {s for q in questionnaire.questions for s in q.sources}
    assert cited <= source_ids, sorted(cited - source_ids)
