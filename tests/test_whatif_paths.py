"""PATH=values parsing and applying PATHs to scenario documents (optimiser/whatif/paths.py)."""

from __future__ import annotations

import pytest

from optimiser.errors import InputError
from optimiser.whatif.paths import (
    PathError,
    apply_path,
    apply_point,
    parse_values,
    parse_vary,
    scenario_file,
)

BASE = {
    "name": "s",
    "parameters": {"absence_penalty": 4},
    "overrides": {"contingent_size": [{"contingent": "CN", "specialty": "ANES", "size": 5}]},
    "constraints": [{"name": "ttah-floor", "region": "TTAH", "min": 97},
                    {"region": "DT", "max": 3},
                    {"name": "fixed", "delegation": "TATA", "fix": 2}],
}


@pytest.mark.parametrize(("text", "values"), [
    ("0,2,4,8", [0, 2, 4, 8]),
    ("60:120:10", [60, 70, 80, 90, 100, 110, 120]),  # inclusive of b when reached
    ("0:25:10", [0, 10, 20]),                        # b not reached: stops before
    ("0:1:0.25", [0, 0.25, 0.5, 0.75, 1.0]),
    ("0.1:0.3:0.1", [0.1, 0.2, 0.3]),                # no float drift drops the last point
    ("10:0:-5", [10, 5, 0]),
    ("true,false", [True, False]),
    ("null,100", [None, 100]),
])
def test_values(text, values):
    assert parse_values(text) == values


@pytest.mark.parametrize("text", ["0:10:0", "0:10:-1", "1,,2", "x", "parameters.a=", "=1,2",
                                  "overrides.unknown.A=1", "constraints.x.size=1",
                                  "parameters.absence_penalty=1,1"])
def test_bad_vary(text):
    with pytest.raises(PathError):
        parse_vary(text) if "=" in text or text == "x" else parse_values(text)


def test_parameters_and_mappings():
    doc = apply_point(BASE, {"parameters.budget": 1000, "overrides.norm_multiplier.ANES": 1.2,
                             "overrides.priority_weight.TATA": 2})
    assert doc["parameters"] == {"absence_penalty": 4, "budget": 1000}
    assert doc["overrides"]["norm_multiplier"] == {"ANES": 1.2}
    assert doc["overrides"]["priority_weight"] == {"TATA": 2}
    assert BASE["parameters"] == {"absence_penalty": 4}  # the base document is not touched


def test_keyed_lists_update_or_add_items():
    doc = apply_path(BASE, "overrides.contingent_size.CN.ANES", 9)
    assert doc["overrides"]["contingent_size"] == [
        {"contingent": "CN", "specialty": "ANES", "size": 9}]
    doc = apply_path(doc, "overrides.contingent_size.CN.CHIR", 4)
    assert doc["overrides"]["contingent_size"][1] == {"contingent": "CN", "specialty": "CHIR",
                                                      "size": 4}
    # promotion and specialty in either order
    a = apply_path(BASE, "overrides.posts.ANES.2024", 10)
    b = apply_path(BASE, "overrides.posts.2024.ANES", 10)
    assert a == b
    assert a["overrides"]["posts"] == [{"specialty": "ANES", "promotion": 2024, "posts": 10}]
    doc = apply_path(BASE, "overrides.capacity.TATA.ANES", 3)
    assert doc["overrides"]["capacity"] == [{"delegation": "TATA", "specialty": "ANES",
                                             "max_new": 3}]
    scenario_file(doc, "x")  # still a valid scenario


def test_constraints_by_name_generated_name_and_index():
    assert apply_path(BASE, "constraints.ttah-floor.min", 120)["constraints"][0]["min"] == 120
    assert apply_path(BASE, "constraints.constraint-2.max", 7)["constraints"][1]["max"] == 7
    assert apply_path(BASE, "constraints.1.min", 1)["constraints"][1] == {
        "region": "DT", "max": 3, "min": 1}
    assert apply_path(BASE, "constraints.fixed.fix", 5)["constraints"][2]["fix"] == 5
    with pytest.raises(PathError, match="no constraint 'nope'"):
        apply_path(BASE, "constraints.nope.min", 1)
    with pytest.raises(PathError, match="has fix"):
        apply_path(BASE, "constraints.fixed.min", 1)
    with pytest.raises(PathError, match="has min/max"):
        apply_path(BASE, "constraints.ttah-floor.fix", 1)


def test_invalid_values_are_input_errors():
    doc = apply_path(BASE, "parameters.absence_penalty", -1)
    with pytest.raises(InputError) as info:
        scenario_file(doc, "point")
    assert "parameters.absence_penalty" in info.value.render()
