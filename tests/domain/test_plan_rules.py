"""Plan rules files that do not parse or validate: file, line and reason."""

from __future__ import annotations

import pytest

from fsfield.domain.plan_rules import PlanRulesError, RuleKind, load_plan_rules, parse_plan_rules

GOOD = """version = 1

[trips]
stops_per_day = 3

[[rules]]
id = "cycle"
kind = "cycle"
months = 12
why = "Une fois par an."
"""


def test_default_rules_each_say_why():
    rules = load_plan_rules()
    assert {r.kind for r in rules.rules} == set(RuleKind)
    assert all(r.why.strip() for r in rules.rules)
    assert rules.trips.stops_per_day == 3


@pytest.mark.parametrize("text, line, words", [
    (GOOD.replace('months = 12', 'months = 12 12'), 9, "syntaxe TOML"),
    (GOOD.replace('kind = "cycle"', 'kind = "hebdo"'), 8, "sorte de règle inconnue « hebdo »"),
    (GOOD.replace('months = 12\n', ''), 6, "champ « months » obligatoire"),
    (GOOD.replace('months = 12', 'months = "douze"'), 9, "« months » doit être un nombre entier"),
    (GOOD.replace('why = "Une fois par an."', 'why = ""'), 10, "why"),
    (GOOD.replace('stops_per_day = 3', 'stops_per_day = 0'), 4, "[trips]"),
    (GOOD.replace('months = 12', 'months = 12\nfirst_within_months = 3'), 10, "sans effet"),
    (GOOD + GOOD[GOOD.index("[[rules]]"):], 12, "en double"),
])
def test_bad_rules_name_file_line_and_reason(text, line, words):
    with pytest.raises(PlanRulesError) as caught:
        parse_plan_rules(text, "mon-plan.toml")
    message = str(caught.value)
    assert message.startswith(f"mon-plan.toml, ligne {line} : ") or (
        caught.value.line is None and message.startswith("mon-plan.toml : ")), message
    assert words in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(PlanRulesError, match="absent.toml : lecture impossible"):
        load_plan_rules(tmp_path / "absent.toml")
