"""Alerts raised once per threshold and per new gap; the e-mail in Dutch and English through a real
SMTP server on loopback (aiosmtpd); SMTP settings errors name the variable."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from insurable.errors import InputError
from insurable.mail import MemoryMailer, SmtpMailer, smtp_settings
from insurable.suppliers import alerts, evaluate_register, message, state_of

DAY = dt.date(2026, 12, 1)


def test_first_check_reports_everything_then_only_what_is_new(reqs, hospital):
    first = evaluate_register(reqs, hospital, DAY)
    found = alerts(None, first)
    kinds = {(a.supplier_id, a.finding.requirement): a.kind for a in found}
    assert kinds[("datacenter-delta", "cover.cyber")] == "expiry"
    assert kinds[("veilig-netwerk", "cover.cyber")] == "gap"
    assert kinds[("labkoppeling", "cover.cyber")] == "gap"
    assert ("telefonie-oost", "supplier.answer") not in kinds  # unknown is no alert, only a status
    state = state_of(first)
    # the next day nothing crossed a threshold and no gap is new
    assert alerts(state, evaluate_register(reqs, hospital, DAY + dt.timedelta(days=1))) == []
    # 15 days on, the datacenter's policy is 30 days from its end (one alert per cover, at 30) and
    # its pen-test letter 56 days from a year old (crosses 60)
    later = evaluate_register(reqs, hospital, dt.date(2026, 12, 16))
    crossed = alerts(state, later)
    assert {(a.supplier_id, a.finding.requirement, a.finding.alert_days) for a in crossed} == {
        ("datacenter-delta", "cover.cyber", 30),
        ("datacenter-delta", "cover.pi", 30),
        ("datacenter-delta", "evidence.pentest", 60),
    }
    # after the end date it is expired: a new alert of its own kind
    gone = alerts(state_of(later), evaluate_register(reqs, hospital, dt.date(2027, 1, 16)))
    assert {(a.finding.requirement, a.kind) for a in gone if a.supplier_id == "datacenter-delta"} == {
        ("cover.cyber", "expired"),
        ("cover.pi", "expired"),
        ("evidence.pentest", "expiry"),  # 25 days left: crosses 30
    }


def test_message_in_dutch_and_english(reqs, hospital):
    found = alerts(None, evaluate_register(reqs, hospital, DAY))
    subject_nl, body_nl = message(hospital.client, found, DAY, "nl", link="http://127.0.0.1:8000/suppliers")
    subject_en, body_en = message(hospital.client, found, DAY, "en")
    assert subject_nl == f"{hospital.client}: {len(found)} leveranciersmelding(en) op 2026-12-01"
    assert subject_en == f"{hospital.client}: {len(found)} supplier alert(s) on 2026-12-01"
    assert "Nieuwe tekortkomingen" in body_nl and "verloopt op 2027-01-15 (over 45 dagen)" in body_nl
    assert "New gaps" in body_en and "expires on 2027-01-15 (in 45 days)" in body_en
    assert "leverancier verklaart niet verzekerd te zijn" in body_nl
    assert "the supplier declares it is not insured" in body_en
    assert "ZRV-778812" in body_nl and "http://127.0.0.1:8000/suppliers" in body_nl
    assert "Indicatief" in body_nl and "Indicative" in body_en


class Sink:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_server():
    sink = Sink()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd's readiness check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.mark.parametrize(("lang", "phrase"), [("nl", "Verloopt binnenkort"), ("en", "Expiring soon")])
def test_alert_mail_arrives_over_smtp_in_both_languages(reqs, hospital, smtp_server, lang, phrase):
    sink, port = smtp_server
    settings = smtp_settings(
        {
            "INSURABLE_SMTP_HOST": "127.0.0.1",
            "INSURABLE_SMTP_PORT": str(port),
            "INSURABLE_SMTP_FROM": "alerts@zkh.example",
        }
    )
    assert settings is not None
    found = alerts(None, evaluate_register(reqs, hospital, DAY))
    subject, body = message(hospital.client, found, DAY, lang)
    SmtpMailer(settings).send(["ciso@zkh.example"], subject, body, lang)
    assert len(sink.envelopes) == 1
    envelope = sink.envelopes[0]
    assert envelope.mail_from == "alerts@zkh.example" and envelope.rcpt_tos == ["ciso@zkh.example"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert " ".join(str(received["Subject"]).split()) == subject  # unfolded
    assert received["Content-Language"] == lang
    text = received.get_content()
    assert phrase in text and "Datacenter Delta B.V." in text
    assert text.replace("\r\n", "\n") == body  # SMTP line ends are CRLF


def test_memory_mailer_keeps_messages():
    mailer = MemoryMailer()
    mailer.send(["a@b.example"], "Onderwerp", "Tekst met ë\n", "nl")
    assert mailer.sent[0].get_content() == "Tekst met ë\n"


def test_smtp_settings_name_every_bad_variable():
    assert smtp_settings({}) is None
    with pytest.raises(InputError) as caught:
        smtp_settings(
            {
                "INSURABLE_SMTP_HOST": "mail",
                "INSURABLE_SMTP_PORT": "x",
                "INSURABLE_SMTP_SECURITY": "ssl3",
                "INSURABLE_SMTP_FROM": "nobody",
            }
        )
    assert {p.path for p in caught.value.problems} == {
        "INSURABLE_SMTP_PORT",
        "INSURABLE_SMTP_SECURITY",
        "INSURABLE_SMTP_FROM",
    }
