"""Claim files: the shipped ones are valid; a broken one is reported with its file, line and
field; the scaffold writes a valid claim and never overwrites one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from conftest import REAL_VS_RANDOM, ROOT, TINY, write_claim

from {{ cookiecutter.package_name }} import new_claim
from {{ cookiecutter.package_name }}.reproduction.claims import load_claim, load_claims
from {{ cookiecutter.package_name }}.reproduction.plan import make_plan
from {{ cookiecutter.package_name }}.reproduction.schema import CLAIM_SCHEMA, ClaimFileError

PACKAGE = "{{ cookiecutter.package_name }}"


def test_the_shipped_claims_are_valid_and_cite_their_source():
    claims = load_claims(None, ROOT / "claims")
    assert len(claims) >= 5
    assert len({claim.paper["title"] for claim in claims}) >= 3
    for claim in claims:
        assert claim.source["quote"] and claim.source["location"]
        assert claim.deviations, f"{claim.id} logs no deviation from the paper"


def test_the_shipped_schema_file_is_the_schema_the_code_checks():
    shipped = json.loads((ROOT / "claims" / "schema.json").read_text())
    assert shipped == json.loads(json.dumps(CLAIM_SCHEMA))


def _broken(tmp_path, change) -> str:
    claim = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    change(claim)
    path = write_claim(tmp_path, "broken", claim)
    with pytest.raises(ClaimFileError) as caught:
        load_claim(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:"), message
    return message


def test_a_missing_field_is_named_with_file_and_line(tmp_path):
    message = _broken(tmp_path, lambda c: c["source"].pop("quote"))
    assert "source: 'quote' is missing" in message
    line = int(message.split(":")[1])
    assert "source:" in (tmp_path / "broken.yaml").read_text().splitlines()[line - 1]


def test_a_wrong_type_names_the_field(tmp_path):
    message = _broken(tmp_path, lambda c: c.update(seeds="three"))
    assert ": seeds: 'three' is not of type 'integer'" in message


def test_a_misspelt_field_lists_the_allowed_ones(tmp_path):
    message = _broken(tmp_path, lambda c: c["metric"].update(directoin="higher"))
    assert "metric: Additional properties are not allowed ('directoin'" in message
    assert "direction" in message


def test_a_rule_option_of_another_rule_is_refused(tmp_path):
    message = _broken(tmp_path, lambda c: c["rule"].update(tolerance=0.1))
    assert "rule:" in message and "'tolerance'" in message


def test_a_rule_naming_a_missing_arm_lists_the_arms(tmp_path):
    message = _broken(tmp_path, lambda c: c["rule"].update(treatment="ture"))
    assert "rule.treatment: names the arm 'ture'" in message and "random, true" in message


def test_a_trend_without_a_sweep_is_refused(tmp_path):
    def change(claim):
        claim["rule"] = {"name": "trend", "arm": "true", "direction": "increasing"}

    assert "experiments.true: a trend rule needs a sweep" in _broken(tmp_path, change)


def test_bad_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("claim: x\npaper: [unclosed\nseeds: 3\n")
    with pytest.raises(ClaimFileError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_claim(path)


def test_an_unknown_config_key_in_an_arm_names_the_claim_field_and_the_close_key(tmp_path):
    claim = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    claim["experiments"]["true"]["set"] = {"model.dept": 3}
    path = write_claim(tmp_path, "typo", claim)
    with pytest.raises(ClaimFileError, match=r"experiments\.true\.set:.*did you mean model\.depth"):
        make_plan([load_claim(path)])


def test_an_arm_setting_a_mapping_replaces_the_section(tmp_path):
    claim = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    claim["experiments"]["true"]["set"] = {"model": {"name": "my_model", "channels": 4}}
    plan = make_plan([load_claim(write_claim(tmp_path, "mine", claim))], overrides=["runs_dir=r"])
    models = {run.config["model"]["name"]: run.config["model"] for run in plan.runs.values()}
    assert models["my_model"] == {"name": "my_model", "channels": 4}  # no mlp options left over


def test_runs_are_shared_between_claims_and_named_by_their_config_hash(tmp_path):
    write_claim(tmp_path, "one", REAL_VS_RANDOM)
    other = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    other["rule"] = {"name": "tolerance", "arm": "true", "tolerance": 0.1}
    other["reported"] = {"value": 0.9, "text": "90%"}
    other["experiments"]["true"]["set"]["threads"] = 2  # a runtime key: not a new experiment
    write_claim(tmp_path, "two", other)
    plan = make_plan(load_claims(None, tmp_path), overrides=["runs_dir=r"])
    assert len(plan.runs) == 6  # 2 arms x 3 seeds; claim two reuses its 3 runs of "true"
    names = [run.name for run in plan.runs.values()]
    assert len(set(names)) == 6 and all(
        name.endswith(("-seed0", "-seed1", "-seed2")) for name in names
    )
    again = make_plan(load_claims(None, tmp_path), overrides=["runs_dir=r"])
    assert list(again.runs) == list(plan.runs)  # the hash is stable


@pytest.mark.parametrize("rule", ["difference", "tolerance", "trend"])
def test_new_claim_scaffolds_a_valid_claim_and_never_overwrites(tmp_path, monkeypatch, rule):
    monkeypatch.chdir(ROOT)  # the scaffold's default config is configs/quick.yaml
    path = new_claim.scaffold("smith2024-test", rule, tmp_path)
    claim = load_claim(path)
    assert claim.rule["name"] == rule and "TODO" in path.read_text()
    with pytest.raises(Exception, match="exists.*--force"):
        new_claim.scaffold("smith2024-test", rule, tmp_path)
    new_claim.scaffold("smith2024-test", rule, tmp_path, force=True)


def test_new_claim_refuses_a_bad_id(tmp_path):
    with pytest.raises(Exception, match="lower-case"):
        new_claim.scaffold("Bad Id!", "difference", tmp_path)


def test_reproduce_reports_a_broken_claim_in_one_line(tmp_path):
    claim = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    claim["seeds"] = 0
    write_claim(tmp_path / "claims", "zero-seeds", claim, TINY)
    done = subprocess.run(
        [sys.executable, "-m", f"{PACKAGE}.reproduce", "--claims-dir", str(tmp_path / "claims")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "zero-seeds.yaml:" in done.stderr
    assert "seeds: 0 is less than the minimum of 1" in done.stderr
