"""The shipped rule sets: the numbers of REGULATIONS.md, with sources and honest assumptions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from certgov.errors import NotFound
from certgov.rules import (
    Duration,
    IntRange,
    Money,
    MoneyRange,
    ParameterKind,
    Regime,
    RuleSet,
    RuleSetStatus,
    find_catalogue,
    load_rule_sets,
    parse_catalogue,
)

RULE_SETS = load_rule_sets()
M2015 = RULE_SETS["measures-2015"]
DRAFT = RULE_SETS["measures-2024-draft"]
APP = RULE_SETS["ccrc-app-2019"]


def test_shipped_rule_sets_declare_regime_status_and_dates() -> None:
    """SYS-2: rule sets are versioned and effective-dated."""
    assert (M2015.regime, M2015.status) == (Regime.ECS, RuleSetStatus.IN_FORCE)
    assert M2015.effective_from == date(2015, 4, 29)
    assert (DRAFT.regime, DRAFT.status) == (Regime.ECS, RuleSetStatus.DRAFT)
    assert DRAFT.effective_from is None
    assert (APP.regime, APP.status) == (Regime.APP, RuleSetStatus.IN_FORCE)
    assert APP.effective_from == date(2019, 3, 15)
    for rule_set in RULE_SETS.values():
        assert rule_set.effective_until is None


def test_application_thresholds_2015_and_draft() -> None:
    """ECS-2.1: registered capital and technical staff, M2015 against the 2024 draft."""
    assert M2015.money("registered_capital_min") == Money(30_000_000)
    assert M2015.count("technical_staff_min") == 30
    assert DRAFT.money("registered_capital_min") == Money(70_000_000)
    assert DRAFT.count("technical_staff_min") == 60
    for key in ("registered_capital_min", "technical_staff_min"):
        assert not M2015.parameter(key).assumed
        assert not DRAFT.parameter(key).assumed
        assert "Draft" in DRAFT.parameter(key).source
        assert "M2015" in M2015.parameter(key).source


def test_both_ecs_rule_sets_have_the_same_keys() -> None:
    """SYS-2: code reads either ECS rule set the same way; kinds agree key by key."""
    assert set(M2015.parameters) == set(DRAFT.parameters)
    for key, parameter in M2015.parameters.items():
        assert DRAFT.parameter(key).kind is parameter.kind, key


@pytest.mark.parametrize("rule_set", [M2015, DRAFT], ids=["measures-2015", "draft"])
def test_ecs_periods(rule_set: RuleSet) -> None:
    """ECS-2.2, ECS-2.3, ECS-2.4, ECS-3.4, ECS-3.6, ECS-4.4, ECS-5.2, ECS-7.3 periods."""
    expected = {
        "licence_decision_period": ("45 calendar days", False),
        "licence_validity": ("5 years", True),
        "licence_renewal_lead": ("30 calendar days", True),
        "registration_change_filing_period": ("15 calendar days", rule_set is DRAFT),
        "record_retention_after_expiry": ("5 years", False),
        "subordinate_ca_filing_period": ("7 calendar days", True),
        "incident_preliminary_report": ("72 hours", True),
        "incident_full_report": ("14 calendar days", True),
        "cessation_notice_to_parties": ("90 calendar days", False),
        "cessation_report_to_regulator": ("60 calendar days", False),
        "complaint_acceptance_period": ("5 business days", True),
        "complaint_outcome_period": ("30 business days", True),
        "credit_ban_period": ("3 years", True),
        "responsible_person_ban_period": ("10 years", False),
    }
    for key, (text, assumed) in expected.items():
        assert rule_set.duration(key) == Duration.parse(text), key
        assert rule_set.parameter(key).assumed is assumed, key


@pytest.mark.parametrize("rule_set", [M2015, DRAFT], ids=["measures-2015", "draft"])
def test_ecs_penalties(rule_set: RuleSet) -> None:
    """ECS-6.1 catalogue with a fine range per violation; ECS-6.2 and ECS-6.3 amounts."""
    for code in rule_set.items("violation_catalogue"):
        fine = rule_set.money_range(f"{code}_fine")
        assert fine.low.amount <= fine.high.amount
    general = rule_set.parameter("general_fine")
    assert general.assumed
    assert general.note is not None and "several thousand" in general.note
    assert rule_set.money_range("general_fine") == MoneyRange(Money(3_000), Money(30_000))
    cessation = rule_set.parameter("cessation_not_reported_fine")
    assert rule_set.money_range("cessation_not_reported_fine") == MoneyRange(
        Money(10_000), Money(50_000)
    )
    assert not cessation.assumed
    assert "ESL Art. 30" in cessation.source
    assert rule_set.money("unlicensed_service_gains_threshold") == Money(300_000)
    assert rule_set.int_range("unlicensed_service_gains_multiplier") == IntRange(1, 3)
    assert rule_set.money_range("unlicensed_service_fine") == MoneyRange(
        Money(100_000), Money(300_000)
    )
    for key in ("unlicensed_service_gains_threshold", "unlicensed_service_fine"):
        assert "ESL Art. 29" in rule_set.parameter(key).source
        assert not rule_set.parameter(key).assumed
    assert rule_set.items("penalty_types") == (
        "warning",
        "fine",
        "order to correct",
        "licence revocation",
    )


@pytest.mark.parametrize("rule_set", [M2015, DRAFT], ids=["measures-2015", "draft"])
def test_ecs_lists_and_algorithm_policy(rule_set: RuleSet) -> None:
    """ECS-3.2 critical functions; ECS-3.4 / ECS-8.2 algorithm policy, marked assumed."""
    assert rule_set.items("critical_outsourced_functions") == (
        "key management",
        "certificate issuance",
        "identity vetting decision",
        "revocation",
    )
    assert rule_set.count("rsa_min_bits") == 2048
    assert "sm3" in rule_set.items("allowed_hashes")
    assert "sha1" not in rule_set.items("allowed_hashes")
    assert "sm2p256v1" in rule_set.items("allowed_curves")
    assert "SM2-with-SM3" in rule_set.items("allowed_signature_algorithms")
    for key in ("rsa_min_bits", "allowed_curves", "allowed_hashes", "allowed_signature_algorithms"):
        assert rule_set.parameter(key).assumed, key


def test_app_rule_set() -> None:
    """APP-1, APP-2, APP-3, APP-5, APP-6, APP-7, APP-8, APP-10 parameters of seed 001."""
    assert APP.items("required_documents") == (
        "application form",
        "legal-person proof",
        "version-control statement",
        "GB/T 35273 self-evaluation",
        "channel-difference statement",
    )
    assert APP.duration("serious_incident_lookback") == Duration.parse("12 months")
    assert APP.items("additional_eligibility_bars") == ()
    assert len(APP.items("illegal_collection_categories")) == 6
    assert len(APP.items("gbt35273_requirement_groups")) == 6
    assert len(APP.items("self_assessment_triggers")) == 5
    assert len(APP.items("special_inspection_triggers")) == 3
    assert set(APP.items("supported_operating_systems")) == {"Android", "iOS", "HarmonyOS"}
    seed_periods = {
        "complaint_filing_window": "10 business days",
        "complaint_acceptance_period": "5 business days",
        "complaint_decision_period": "30 business days",
        "suspension_period": "180 calendar days",
        "serious_incident_lookback": "12 months",
    }
    for key, text in seed_periods.items():
        assert APP.duration(key) == Duration.parse(text), key
        assert not APP.parameter(key).assumed, key
    assumed_periods = {
        "certificate_validity": "3 years",
        "surveillance_interval": "12 months",
        "revocation_ban_period": "12 months",
        "deficiency_remediation_period": "90 calendar days",
    }
    for key, text in assumed_periods.items():
        assert APP.duration(key) == Duration.parse(text), key
        assert APP.parameter(key).assumed, key


def test_every_parameter_cites_a_catalogued_requirement() -> None:
    """SYS-2: each parameter names requirements that exist in REGULATIONS.md."""
    try:
        catalogue_path = find_catalogue(Path(__file__), environ={})
    except NotFound as exc:
        pytest.skip(f"the catalogue lives beside the repository, not in it: {exc.message}")
    known = {r.id for r in parse_catalogue(catalogue_path.read_text(encoding="utf-8"))}
    for rule_set in RULE_SETS.values():
        for parameter in rule_set.parameters.values():
            assert set(parameter.requirements) <= known, (rule_set.id, parameter.key)


def test_money_parameters_are_whole_yuan_and_every_set_serialises() -> None:
    for rule_set in RULE_SETS.values():
        body = rule_set.as_dict()
        assert json.loads(json.dumps(body, ensure_ascii=False)) == body
        for parameter in rule_set.parameters.values():
            if parameter.kind is ParameterKind.MONEY:
                assert isinstance(body["parameters"][parameter.key]["value"], int)
