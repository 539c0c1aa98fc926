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
