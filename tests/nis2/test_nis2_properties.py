"""Properties of the size rule and the classification (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurable.catalog import load_catalog
from insurable.nis2 import classify, nis2_catalogue
from insurable.nis2.size import Figures, rank, size_category
from insurable.profile import GroupEnterprise, Nis2Flags, Organisation

NIS2 = nis2_catalogue(load_catalog())
TYPE_IDS = [t.id for t in NIS2.entity_types]
ORDER = {"out_of_scope": 0, "not_assessed": 0.5, "in_scope_neither": 1, "important": 2, "essential": 3}
DORA_TYPES = {t.id for t in NIS2.entity_types if "dora" in t.flags}

money = st.floats(min_value=0, max_value=2e9, allow_nan=False)
# staff near the edges as well as anywhere
staff = st.one_of(st.sampled_from([0, 9, 10, 49, 49.5, 50, 249, 250]), st.floats(min_value=0, max_value=5000))
edges = st.sampled_from([2e6, 2e6 + 1, 10e6, 10e6 + 1, 43e6, 43e6 + 1, 50e6, 50e6 + 1])
amount = st.one_of(money, edges)


@st.composite
def enterprises(draw, relation=None):
    rel = relation or draw(st.sampled_from(["linked", "partner"]))
    control = None if rel == "partner" else draw(st.sampled_from([None, "voting_majority", "board_majority"]))
    if rel == "partner":
        share = draw(st.floats(0.25, 0.5))
    elif control == "board_majority":
        share = draw(st.floats(0, 1))
    else:
        share = draw(st.floats(0.5, 1.0, exclude_min=True))
    return GroupEnterprise(
        relation=rel,
        share=share,
        control=control,
        consolidated=draw(st.booleans()),
        employees=draw(staff),
        annual_turnover_eur=draw(amount),
        balance_sheet_total_eur=draw(amount),
    )


@st.composite
def organisations(draw):
    types = draw(st.lists(st.sampled_from(TYPE_IDS), max_size=3, unique=True))
    if "A1.10.0.1" in types and "A1.10.0.2" in types:
        types.remove("A1.10.0.2")
    level = "central" if "A1.10.0.1" in types else "regional" if "A1.10.0.2" in types else None
    country = draw(st.sampled_from([None, "NL", "DE", "US"]))
    flags = Nis2Flags(
        qualified_trust_service_provider="A1.8.0.7" in types and draw(st.booleans()),
        public_administration=level,
        public_administration_identified=draw(st.sampled_from([None, True, False])) if level == "regional" else None,
        cer_critical_entity=draw(st.booleans()),
        member_state_designation=draw(st.sampled_from([None, "essential", "important"])) if types else None,
        former_operator_of_essential_services=draw(st.booleans()),
        eu_services=draw(st.sampled_from([None, True]))
        if country in ("NL", "DE")
        else draw(st.sampled_from([None, True, False])),
        domain_registration=draw(st.sampled_from([None, "registrar", "agent"])),
        dora_exempt=bool(DORA_TYPES.intersection(types)) and draw(st.booleans()),
    )
    if flags.eu_services is False and (
        level
        or flags.cer_critical_entity
        or flags.member_state_designation
        or flags.former_operator_of_essential_services
    ):
        flags = flags.model_copy(update={"eu_services": None})
    return Organisation(
        country=country,
        employees=draw(staff),
        annual_turnover_eur=draw(amount),
        balance_sheet_total_eur=draw(amount),
        nis2_entity_types=tuple(types),
        nis2_flags=flags,
        group=tuple(draw(st.lists(enterprises(), max_size=3))),
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(), extra=enterprises(relation="linked"))
def test_adding_a_linked_enterprise_never_lowers_size_or_classification(org: Organisation, extra: GroupEnterprise):
    before = classify(org, NIS2)
    after = classify(org.model_copy(update={"group": (*org.group, extra)}), NIS2)
    assert rank(after.size_category) >= rank(before.size_category)
    effective_before = before.provisional_classification or before.classification
    effective_after = after.provisional_classification or after.classification
    assert ORDER[effective_after] >= ORDER[effective_before]


@settings(max_examples=300)
@given(h=staff, t=amount, b=amount, dh=st.floats(0, 1000), dt=st.floats(0, 1e9), db=st.floats(0, 1e9))
def test_size_category_is_monotone_in_every_figure(h, t, b, dh, dt, db):
    low = size_category(Figures(h, t, b), NIS2)
    high = size_category(Figures(h + dh, t + dt, b + db), NIS2)
    assert rank(high) >= rank(low)


@settings(max_examples=300)
@given(h=staff, t=amount, b=amount)
def test_size_category_matches_the_reference_formula(h, t, b):
    small_or_micro = h < 50 and (t <= 10e6 or b <= 10e6)
    large = h >= 250 or (t > 50e6 and b > 43e6)
    category = size_category(Figures(h, t, b), NIS2)
    assert (category in ("micro", "small")) == small_or_micro
    assert (category == "large") == large
    if category == "micro":
        assert h < 10 and (t <= 2e6 or b <= 2e6)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations())
def test_outcome_is_consistent(org: Organisation):
    result = classify(org, NIS2)
    assert result.legal_basis and result.rules
    if result.classification in ("out_of_scope", "not_assessed"):
        assert result.fine_cap_eur is None and result.duties == () and result.art21_letters == ()
    elif result.classification == "in_scope_neither":
        assert result.fine_cap_eur is None and result.art21_letters == ()
        assert "art28.domain_data" in result.duties
    elif result.lex_specialis is not None:  # DORA: no NIS2 fine, Art. 21 required under DORA
        assert result.fine_cap_eur is None and result.art21_letters == tuple("abcdefghij")
        assert not any(d.startswith(("art21.", "art23.")) for d in result.duties)
    else:
        fine = NIS2.fine(result.classification)
        assert result.fine_cap_eur is not None and result.fine_cap_eur >= fine.fixed_eur
        assert result.art21_letters == tuple("abcdefghij")
        assert result.fine_infringements == ("Art. 21", "Art. 23")
    if result.eu_link == "no":
        assert result.classification == "out_of_scope"
    if result.eu_link == "unknown":
        assert result.classification in ("out_of_scope", "not_assessed")
    annex_ii_only = all(t.startswith("A2") for t in org.nis2_entity_types)
    flags = org.nis2_flags
    designated = flags.member_state_designation == "essential" or flags.former_operator_of_essential_services
    if annex_ii_only and not flags.cer_critical_entity and not designated:
        assert result.classification != "essential"
