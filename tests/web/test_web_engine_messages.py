"""The i18n completeness test for engine messages shown on pages (issue 12, item 7): the reasons the
domain core writes in English for input problems are all translated, and a Dutch page shows none of
them in English."""

from __future__ import annotations

from fastapi import FastAPI

from insurable.errors import _reason
from insurable.web.engine_messages import OTHER, REASONS
from insurable.web.i18n import Msg, gettext
from insurable.web.labels import NIS2_CLASSES, VERDICTS
from tests.web.conftest import MakeAccount, csrf_of, login, new_org


def test_every_engine_reason_a_page_can_show_is_translated() -> None:
    emitted = {_reason({"type": "missing", "msg": "Field required"}), _reason({"type": "extra_forbidden"})}
    assert emitted <= set(REASONS), f"engine reasons without a translation entry: {emitted - set(REASONS)}"
    for msgid in [*REASONS.values(), OTHER, *VERDICTS.values(), *NIS2_CLASSES.values()]:
        assert gettext("nl", msgid) != msgid, f"no Dutch for engine message {msgid!r}"


def test_a_dutch_page_shows_engine_problems_in_dutch(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client)
    overview = client.get(f"/orgs/{org}")
    assert "Land" in overview.text and ">country<" not in overview.text  # field labels, not ids
    response = client.post(f"/orgs/{org}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert response.status_code == 422
    problems = response.text[response.text.index('id="submit-problems"') :]
    problems = problems[: problems.index("</div>")]
    assert Msg("required field is missing").render("nl") in problems
    assert "required field is missing" not in problems and "<code>" not in problems


def test_the_nis2_legal_basis_is_shown_in_dutch() -> None:
    from insurable.nis2.scope import SIZE_BASIS
    from insurable.web.results import legal_basis
    from tests.web.conftest import full_catalog

    cat = full_catalog()
    from insurable.catalog.nis2 import Nis2File

    types = {t.id: t for t in cat.get("nis2.yaml", Nis2File).entity_types}
    some = next(iter(types.values()))
    entry = f"Annex {some.annex}, {some.sector.en}: {some.name.en} ({some.id})"
    shown = legal_basis({"legal_basis": ["Art. 2(1)", SIZE_BASIS, entry]}, types, "nl")
    assert shown[0] == "Art. 2(1)"
    assert shown[1].startswith("Aanbeveling 2003/361/EG")
    assert shown[2].startswith(f"Bijlage {some.annex}, {some.sector.nl}") and some.name.nl in shown[2]
