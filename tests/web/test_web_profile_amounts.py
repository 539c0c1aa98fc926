"""The web profile form reads amounts as people write them, in the user's language, within the
profile's bounds (issue 13, items 1, 4 and 5 through the web)."""

from __future__ import annotations

from fastapi import FastAPI

from tests.web.conftest import MakeAccount, csrf_of, login, new_org


def post_profile(client, org: int, lang: str, **fields: str):
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    client.cookies.set("insurable_lang", lang)
    return client.post(f"/orgs/{org}/profile", data={"csrf_token": token, "activities_shown": "1", **fields})


def stored(client, org: int) -> dict:
    return client.get(f"/api/v1/organisations/{org}/profile").json()


def test_dutch_amounts_are_read_in_dutch(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client)
    response = post_profile(
        client,
        org,
        "nl",
        annual_turnover_eur="7.200.000",
        balance_sheet_total_eur="7,2 mln",
        requested_limit_eur="€ 1.000.000,00",
        requested_deductible_eur="2.500",
        employees="25",
    )
    assert response.status_code == 303, response.text
    profile = stored(client, org)
    assert profile["annual_turnover_eur"] == 7_200_000 and profile["balance_sheet_total_eur"] == 7_200_000
    assert profile["requested_limit_eur"] == 1_000_000 and profile["requested_deductible_eur"] == 2500


def test_english_amounts_and_dutch_thousands_in_english(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client)
    response = post_profile(client, org, "en", annual_turnover_eur="7.2 million", requested_deductible_eur="2.5")
    assert response.status_code == 422
    assert "Did you mean thousands? Enter the whole amount, such as 2,500." in response.text
    assert stored(client, org)["annual_turnover_eur"] == 7_200_000
    assert stored(client, org)["requested_deductible_eur"] is None


def test_absurd_numbers_and_a_deductible_above_the_limit_are_refused(
    web_app: FastAPI, make_account: MakeAccount
) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client)
    response = post_profile(
        client,
        org,
        "nl",
        employees="1e308",
        annual_turnover_eur="zeven miljoen",
        requested_limit_eur="1.000.000",
        requested_deductible_eur="5.000.000",
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="f-employees-err"' in text and "Vul een waarde in van 0 tot 10.000.000" in text
    assert 'id="f-annual_turnover_eur-err"' in text and "Vul een bedrag in, zoals 7.200.000" in text
    assert "Het eigen risico kan niet hoger zijn dan het gevraagde verzekerde bedrag." in text
    profile = stored(client, org)
    assert profile["requested_limit_eur"] == 1_000_000 and profile["requested_deductible_eur"] is None
    assert profile["employees"] is None


def test_a_number_answer_with_thousands_dots_is_not_read_as_decimals() -> None:
    from insurable.web.forms import parse_answer
    from tests.web.conftest import full_catalog

    question = full_catalog().questionnaire.by_id()["q.data.card_transactions_per_year"]
    value, error = parse_answer(question, ["1.500"])
    assert error is not None and error.params == {"n": "1500"}
    assert parse_answer(question, ["7,500"])[1] is not None
    assert parse_answer(question, ["1500"]) == (1500, None)
    assert parse_answer(question, ["2.5"]) == (2.5, None)
