"""`newproject recommend`: the data file, the formula, the CLI, bad input, --then-new."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from conftest import GAP_IDS, REPO, TEMPLATES, tree, venv_bin
from recommend_helpers import FIRST_GAPS, rank, templates_with

from newproject.catalog import TEMPLATES_ENV, load_catalog
from newproject.cli import main
from newproject.errors import NewprojectError
from newproject.recommender.gaps import read_gap_profiles
from newproject.recommender.profiles import MAX_SKILLS, load_profiles
from newproject.recommender.score import asked_skills

# The deployment-strong perception engineer aiming at applied CV in driving (tests/test_personas),
# the worked example of docs/recommender.md.
MODEL_USER = {
    "role": "applied-cv",
    "domain": "driving",
    "levels": {
        "dl-fundamentals": 1,
        "model-design": 1,
        "experiment-rigor": 1,
        "3d-perception": 1,
        "detection-tracking": 2,
        "lidar": 1,
        "deployment": 4,
        "ml-engineering": 3,
    },
}
EXTRA_GAP = """\
title = "Edge deployment"
pitch = "Quantise and serve a detector on a small device."
shows = "You can take a model to a device: quantisation, a serving loop, latency budgets."
skills = ["quantisation"]
datasets = ["procedural images"]
time = "2 weeks"

[recommend]
exercises = { deployment = 4, ml-engineering = 3 }
roles = ["ml-platform"]
domains = ["general"]
"""


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def write_answers(path, answers, as_json=False):
    path.write_text(json.dumps(answers) if as_json else yaml.safe_dump(answers))
    return path


# --- the data ----------------------------------------------------------------------------------


def test_role_profiles_cover_every_skill_and_cite_their_source():
    profiles = load_profiles()
    assert [level.value for level in profiles.levels] == [0, 1, 2, 3, 4]
    assert [level.name for level in profiles.levels[1:]] == [
        "Awareness",
        "Working",
        "Advanced",
        "Expert",
    ]
    assert all(level.description for level in profiles.levels)
    assert len(profiles.skills) <= MAX_SKILLS  # with role and domain: at most 12 questions
    assert {"applied-cv", "research-engineer", "ml-platform", "robotics-perception"} <= set(
        profiles.roles
    )
    for role in profiles.roles.values():
        assert set(role.expected) == set(profiles.skills)
        assert role.basis
    assert any("devlevel.app" in url for url in profiles.urls)
    assert any("sfia-online.org" in url for url in profiles.urls)


def test_every_gap_of_the_catalog_is_ranked_and_every_role_served():
    profiles = load_profiles()
    gaps, unranked = read_gap_profiles(load_catalog(TEMPLATES).values(), profiles)
    assert unranked == []
    assert [gap.id for gap in gaps] == list(GAP_IDS)
    served = {role for gap in gaps for role in gap.roles}
    assert served == set(profiles.roles)


def test_a_broken_profiles_file_names_the_problem(tmp_path):
    text = (load_profiles().path).read_text()
    broken = tmp_path / "roles.toml"
    broken.write_text(text.replace("lidar = 1, deployment = 2", "deployment = 2", 1))
    with pytest.raises(NewprojectError, match=r"\[roles.applied-cv\] expected: lacks lidar"):
        load_profiles(broken)
    broken.write_text(text.replace("model-design = 3, experiment", "model-design = 9, experiment"))
    with pytest.raises(NewprojectError, match=r"model-design = 9 is not a level 0-4"):
        load_profiles(broken)


# --- the formula -------------------------------------------------------------------------------


def test_known_answer_for_the_model_user():
    """docs/recommender.md's worked example, hand-computed over the shipped catalog (templates/):
    applied-CV in driving expects DL fundamentals 3, model design 3, experiment rigour 2,
    3D perception 3, detection and tracking 3, LiDAR 2, deployment 2, ML engineering 2."""
    rec = rank(MODEL_USER, TEMPLATES)
    scores = {ranked.gap.id: ranked.score for ranked in rec.ranking}
    # lidar-perception: 3D perception 3-1, LiDAR min(3, 2)-1, model design 2-1, rigour 2-1
    #   -> 2+1+1+1
    # 3d-scene-understanding: 3D perception 3-1, model design 2-1, rigour 2-1 -> 2+1+1
    # custom-model-architecture: model design 3-1, DL fundamentals 2-1, rigour 2-1 -> 2+1+1
    # paper-reproduction: rigour min(3, 2)-1, model design 2-1, DL fundamentals 2-1 -> 1+1+1
    # detection-and-tracking: detection and tracking 3-2, rigour 2-1 (model design 1-1) -> 1+1
    # dl-fundamentals: DL fundamentals 3-1 -> 2 (its rigour 1 and ML engineering 2 close nothing)
    # Deployment (rated 4) and ML engineering (3) are above the role's 2: nothing to close.
    assert scores == {
        "lidar-perception": 5,
        "3d-scene-understanding": 4,
        "custom-model-architecture": 4,
        "paper-reproduction": 3,
        "detection-and-tracking": 2,
        "dl-fundamentals": 2,
    }
    assert all(ranked.multiplier == 1 for ranked in rec.ranking)  # all for applied CV, driving
    # Ties go to the gap exercising more of the role's profile: 11 against 10, 10 against 6.
    assert [ranked.gap.id for ranked in rec.ranking] == [
        "lidar-perception",
        "3d-scene-understanding",
        "custom-model-architecture",
        "paper-reproduction",
        "detection-and-tracking",
        "dl-fundamentals",
    ]
    assert [ranked.relevance for ranked in rec.ranking] == [13, 11, 10, 8, 10, 6]
    # Every torch gap requires DL fundamentals 2; the person rated 1. First step: dl-fundamentals
    # with the LiDAR gap (which closes all the 3D scene gap would and LiDAR besides); last slot:
    # the architecture lab still closes model design 3-2 and DL fundamentals is taught, where
    # the 3D scene gap and paper-reproduction close nothing left open.
    assert [ranked.gap.id for ranked in rec.top] == [
        "lidar-perception",
        "custom-model-architecture",
        "dl-fundamentals",
    ]
    assert rec.order == ("dl-fundamentals", "lidar-perception", "custom-model-architecture")
    assert rec.command == "newproject new dl-fundamentals"
    assert rec.order_notes == (
        "dl-fundamentals first: lidar-perception and custom-model-architecture expect "
        "DL fundamentals at 2 (Working) and you rated 1",
    )
    assert rec.choice_notes == (
        "3d-scene-understanding (#2, score 4) is left out: the chosen gaps already close what it "
        "would (model design, experiment rigour and 3D perception)",
        "paper-reproduction (#4, score 3) is left out: the chosen gaps already close what it "
        "would (DL fundamentals, model design and experiment rigour)",
        "detection-and-tracking (#5, score 2) is left out: the chosen gaps close more of what "
        "is open",
    )
    reasons = {ranked.gap.id: ranked.reasons for ranked in rec.ranking}
    assert reasons["custom-model-architecture"][0] == (
        "you rated model design 1 of 4 and the applied-CV role expects 3; "
        "this project works it at 3 (Advanced)"
    )
    assert reasons["3d-scene-understanding"][0] == (
        "you rated 3D perception 1 of 4 and the applied-CV role expects 3 in autonomous driving; "
        "this project works it at 3 (Advanced)"
    )


def test_the_known_answer_on_the_first_three_gaps_is_unchanged():
    """The same answers over the catalog they were first hand-computed against."""
    rec = rank(MODEL_USER, TEMPLATES, only=FIRST_GAPS)
    scores = {ranked.gap.id: ranked.score for ranked in rec.ranking}
    assert scores == {
        "custom-model-architecture": 4,
        "3d-scene-understanding": 4,
        "dl-fundamentals": 2,
    }
    assert rec.order == ("dl-fundamentals", "3d-scene-understanding", "custom-model-architecture")


def test_the_domain_changes_what_the_role_expects():
    general = rank({**MODEL_USER, "domain": "general"})
    driving = rank(MODEL_USER)
    assert general.expected["3d-perception"] == 1 and driving.expected["3d-perception"] == 3
    assert general.expected["lidar"] == 1 and driving.expected["lidar"] == 2
    by_id = {ranked.gap.id: ranked for ranked in general.ranking}
    scene = by_id["3d-scene-understanding"]
    # In general the rated 1 already meets the role's 3D perception 1; model design 2-1 and
    # rigour 2-1 are left: 2 levels, and the gap is aimed at particular domains while the
    # person named none: x 0.8. In driving it also closes 3D perception 3-1.
    assert {g.skill: g.closes for g in scene.gains if g.closes} == {
        "model-design": 1,
        "experiment-rigor": 1,
    }
    assert scene.score == pytest.approx(2 * 0.8)
    assert "you named no particular domain (score x 0.8)" in " ".join(scene.reasons)
    in_driving = next(r for r in driving.ranking if r.gap.id == "3d-scene-understanding")
    assert {g.skill: g.closes for g in in_driving.gains}["3d-perception"] == 2
    assert in_driving.score == 4


def test_a_gap_not_made_for_the_role_is_discounted():
    rec = rank({**MODEL_USER, "role": "ml-platform", "domain": "general"})
    custom = next(r for r in rec.ranking if r.gap.id == "custom-model-architecture")
    assert not custom.serves_role and custom.multiplier == pytest.approx(0.8)
    # ML platform expects model design 1 (rated 1), rigour 2, DL fundamentals 2: 0 + 1 + 1.
    assert custom.score == pytest.approx(2 * 0.8)
    assert "it is not made for the ML-platform role (score x 0.8)" in custom.reasons


def test_a_gap_aimed_at_another_domain_comes_after_those_that_fit(tmp_path):
    aimed_at_driving = (
        EXTRA_GAP.replace('roles = ["ml-platform"]', 'roles = ["applied-cv"]')
        .replace('domains = ["general"]', 'domains = ["driving"]')
        .replace("ml-engineering = 3", "model-design = 3, dl-fundamentals = 3, 3d-perception = 3")
    )
    templates = templates_with(tmp_path / "t", {"edge-deployment": aimed_at_driving})
    person = {**MODEL_USER, "domain": "ar", "levels": {**MODEL_USER["levels"], "deployment": 0}}
    rec = rank(person, templates)
    # lidar-perception is aimed at driving and robotics too: the two gaps that do not fit AR
    # come last, edge-deployment among them although it closes more than any gap that fits.
    assert {ranked.gap.id for ranked in rec.ranking[-2:]} == {"edge-deployment", "lidar-perception"}
    edge = next(ranked for ranked in rec.ranking if ranked.gap.id == "edge-deployment")
    assert edge.closes > max(r.closes for r in rec.ranking[:-2])  # the most, yet ranked last
    assert "edge-deployment" not in rec.order
    assert "it is aimed at autonomous driving, not AR / VR" in " ".join(edge.reasons)


def test_when_nothing_is_left_to_close_it_says_so():
    expert = {"role": "applied-cv", "levels": dict.fromkeys(MODEL_USER["levels"], 4)}
    rec = rank(expert)
    assert rec.nothing_to_close and all(ranked.score == 0 for ranked in rec.ranking)
    result = run("recommend", "--role", "applied-cv", "--no-input", *_levels(expert["levels"]))
    assert result.exit_code == 0
    assert "You already meet what the applied-CV role expects in every skill" in result.stdout


def test_same_answers_same_result_whatever_their_order(tmp_path):
    forward = write_answers(tmp_path / "a.yaml", MODEL_USER)
    backward = {**MODEL_USER, "levels": dict(reversed(list(MODEL_USER["levels"].items())))}
    results = [
        run("recommend", "--answers", str(forward), "--json").stdout,
        run("recommend", "--answers", str(forward), "--json").stdout,
        run(
            "recommend",
            "--answers",
            str(write_answers(tmp_path / "b.json", backward, True)),
            "--json",
        ).stdout,
    ]
    data = [json.loads(result) for result in results]
    for item in data[1:]:
        assert {k: v for k, v in item.items() if k != "answers"} == {
            k: v for k, v in data[0].items() if k != "answers"
        }


# --- the command -------------------------------------------------------------------------------


def _levels(levels: dict) -> list[str]:
    return [arg for skill, level in levels.items() for arg in ("--level", f"{skill}={level}")]


def test_json_output_holds_the_ranking_the_order_and_the_command(tmp_path, monkeypatch):
    first_three = templates_with(tmp_path / "templates", {}, FIRST_GAPS)
    monkeypatch.setenv("NEWPROJECT_TEMPLATES", str(first_three))
    result = run(
        "recommend", "--answers", str(write_answers(tmp_path / "a.yaml", MODEL_USER)), "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["answers"] == MODEL_USER
    assert (
        data["order"][0] == "dl-fundamentals"
        and data["command"] == "newproject new dl-fundamentals"
    )
    assert sorted(data["order"]) == sorted(data["top"])
    assert [entry["gap"] for entry in data["ranking"]] == [
        "3d-scene-understanding",
        "custom-model-architecture",
        "dl-fundamentals",
    ]
    entry = data["ranking"][1]
    assert entry["score"] == 4 and entry["skills"]["model-design"] == {
        "rated": 1,
        "expected": 3,
        "exercised": 3,
        "closes": 2,
        "beyond": 0,
    }
    assert data["scale"]["2"] == "Working"
    # The answers in the output read back as the same answers.
    again = run(
        "recommend",
        "--answers",
        str(write_answers(tmp_path / "b.json", data["answers"], True)),
        "--json",
    )
    assert json.loads(again.stdout) == data


def test_text_output_names_the_answers_reasons_order_and_command(tmp_path):
    result = run("recommend", "--answers", str(write_answers(tmp_path / "a.yaml", MODEL_USER)))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Aiming at: Applied computer vision / perception engineer (applied-CV)" in text
    assert text.index("1. Deep learning fundamentals") < text.index("2. LiDAR perception")
    assert "you rated model design 1 of 4 and the applied-CV role expects 3" in text
    assert "Shows a reviewer: You can design and justify architecture changes" in text
    assert text.rstrip().endswith("Start with:\n  newproject new dl-fundamentals")
    reasons = [line for line in text.splitlines() if line.startswith("   - ")]
    assert len(reasons) >= 6 and not any("deployment" in line for line in reasons)


def test_flags_win_over_the_file(tmp_path):
    answers = write_answers(tmp_path / "a.yaml", MODEL_USER)
    result = run(
        "recommend",
        "--answers",
        str(answers),
        "--json",
        "--role",
        "research-engineer",
        "--level",
        "dl-fundamentals=advanced",
    )
    data = json.loads(result.stdout)
    assert data["answers"]["role"] == "research-engineer"
    assert data["answers"]["levels"]["dl-fundamentals"] == 3
    assert data["answers"]["levels"]["model-design"] == 1


def test_a_new_gap_is_ranked_from_its_gap_toml_alone(tmp_path, monkeypatch):
    templates = templates_with(tmp_path / "templates", {"edge-deployment": EXTRA_GAP})
    monkeypatch.setenv(TEMPLATES_ENV, str(templates))
    devops = {
        "role": "ml-platform",
        "levels": dict.fromkeys(MODEL_USER["levels"], 2) | {"deployment": 1},
    }
    result = run(
        "recommend", "--answers", str(write_answers(tmp_path / "a.yaml", devops)), "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [entry["gap"] for entry in data["ranking"]][0] == "edge-deployment"
    assert data["command"] == "newproject new edge-deployment"
    edge = data["ranking"][0]
    assert edge["skills"]["deployment"]["closes"] == 2  # ML platform expects 3; rated 1
    assert "you rated deployment and optimisation 1 of 4" in edge["reasons"][0]
    # And rendered: --then-new takes the new gap with the file's identity answers.
    answers = {
        **devops,
        "project": {"author_name": "Grace Hopper", "author_email": "grace@example.org"},
    }
    out = tmp_path / "out"
    rendered = run(
        "recommend",
        "--answers",
        str(write_answers(tmp_path / "b.yaml", answers)),
        "--then-new",
        "--no-input",
        "--no-git",
        "-o",
        str(out),
        "--set",
        "project_name=Edge Serving",
    )
    assert rendered.exit_code == 0, rendered.output
    assert "Start with:\n  newproject new edge-deployment" in rendered.stdout
    assert "Created" in rendered.stdout
    (project,) = out.iterdir()
    assert project.name == "edge-serving"
    record = json.loads((project / ".newproject.json").read_text())
    assert record["gap"] == "edge-deployment"
    assert record["answers"]["author_name"] == "Grace Hopper"
    assert record["answers"]["author_email"] == "grace@example.org"
    assert record["answers"]["project_name"] == "Edge Serving"
    assert (project / "README.md").read_text() == "# Edge Serving\n"


def test_a_gap_without_a_recommend_table_is_listed_as_not_ranked(tmp_path, monkeypatch):
    bare = EXTRA_GAP.split("[recommend]")[0]
    monkeypatch.setenv(
        "NEWPROJECT_TEMPLATES", str(templates_with(tmp_path / "t", {"work-in-progress": bare}))
    )
    result = run("recommend", "--answers", str(write_answers(tmp_path / "a.yaml", MODEL_USER)))
    assert result.exit_code == 0, result.output
    assert "Not ranked: work-in-progress (its gap.toml has no [recommend] table)." in result.stdout


def test_a_broken_recommend_table_is_one_line_naming_the_file(tmp_path, monkeypatch):
    broken = EXTRA_GAP.replace("deployment = 4", "deploymnet = 4")
    templates = templates_with(tmp_path / "t", {"edge-deployment": broken})
    monkeypatch.setenv("NEWPROJECT_TEMPLATES", str(templates))
    result = run("recommend", "--answers", str(write_answers(tmp_path / "a.yaml", MODEL_USER)))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "edge-deployment/gap.toml [recommend]: exercises: unknown skill 'deploymnet'" in line


def test_example_answers_file_is_valid_input(tmp_path):
    example = run("recommend", "--example").stdout
    data = yaml.safe_load(example)
    assert set(data) == {"role", "domain", "levels"}
    assert set(data["levels"]) == set(load_profiles().skills)
    path = tmp_path / "mine.yaml"
    path.write_text(example)
    result = run("recommend", "--answers", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["answers"]["role"] == data["role"]


def test_help_and_the_lazy_import():
    result = run("recommend", "--help")
    assert result.exit_code == 0 and "--then-new" in result.stdout and "--answers" in result.stdout
    probe = (
        "import sys, newproject.cli;"
        "print('newproject.recommender' in sys.modules, 'yaml' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split() == ["False", "False"]


def test_answering_from_a_file_imports_neither_torch_nor_the_renderer(tmp_path):
    answers = write_answers(tmp_path / "a.yaml", MODEL_USER)
    probe = (
        "import sys; from newproject.cli import main\n"
        f"main(['recommend', '--answers', {str(answers)!r}, '--json'], standalone_mode=False)\n"
        "heavy = {'torch', 'cookiecutter', 'jinja2', 'numpy'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"


# --- bad input: one line, exit 2, nothing written ----------------------------------------------

BAD_FLAGS = {
    "unknown role": (["--role", "cv"], "--role: unknown role 'cv'. Valid roles: applied-cv"),
    "unknown domain": (["--domain", "space"], "--domain: unknown domain 'space'. Valid domains:"),
    "unknown skill": (
        ["--level", "model_design=1"],
        "unknown skill 'model_design'. Valid skills: dl-fundamentals, model-design",
    ),
    "level too high": (["--level", "model-design=5"], "level for model-design is 5; the scale is"),
    "level negative": (["--level", "model-design=-1"], "level for model-design is -1;"),
    "level not whole": (["--level", "model-design=2.5"], "must be a whole number 0-4"),
    "level not a name": (["--level", "model-design=great"], "got 'great'"),
    "no level": (["--level", "model-design"], "--level expects SKILL=LEVEL, got 'model-design'"),
    "missing answers": ([], "missing answers: role, dl-fundamentals, model-design"),
    "then-new json": (["--then-new", "--json"], "--then-new with --json"),
}


@pytest.mark.parametrize("case", list(BAD_FLAGS))
def test_bad_flags_are_one_line_and_exit_2(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, expected = BAD_FLAGS[case]
    full = args if case == "missing answers" else ["--role", "applied-cv", *args]
    result = run("recommend", *full)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and expected in line
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


BAD_FILES = {
    "yaml syntax": ("a.yaml", b"role: [applied-cv\n", "does not parse as YAML: "),
    "json syntax": ("a.json", b'{"role": "applied-cv",}', "does not parse as JSON: "),
    "not a mapping": ("a.yaml", b"- applied-cv\n", "must hold a mapping with the keys role"),
    "unknown key": ("a.yaml", b"role: applied-cv\nskills: {}\n", "unknown key 'skills'"),
    "levels not a mapping": ("a.yaml", b"role: applied-cv\nlevels: [1, 2]\n", "'levels' must map"),
    "level as boolean": (
        "a.yaml",
        b"role: applied-cv\nlevels: {deployment: yes}\n",
        "level for deployment must be a whole number 0-4 or a level name",
    ),
    "level out of range": ("a.json", b'{"levels": {"lidar": 9}}', "level for lidar is 9;"),
    "unknown role": ("a.yaml", b"role: astronaut\n", "unknown role 'astronaut'"),
    "binary": ("a.yaml", b"\xff\xfe\x00\x01", "not UTF-8 text"),
    "value with a newline": ("a.yaml", b'role: "applied-cv\\n"\n', "unknown role 'applied-cv\\n'"),
    "missing file": (None, None, "cannot read answers file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_answers_files_are_one_line_and_exit_2(case, tmp_path, monkeypatch):
    name, content, expected = BAD_FILES[case]
    path = tmp_path / (name or "absent.yaml")
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    before = tree(tmp_path)
    result = run("recommend", "--answers", str(path), "--then-new", "--no-input", "-o", str(out))
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert expected in line
    assert tree(tmp_path) == before and not out.exists()


def test_a_real_process_prints_one_line_on_stderr_and_exits_2(tmp_path):
    result = subprocess.run(
        [venv_bin("newproject"), "recommend", "--role", "applied-cv", "--level", "lidar=7"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: --level: level for lidar is 7; the scale is 0-4 "
        "(0 None, 1 Awareness, 2 Working, 3 Advanced, 4 Expert)"
    ]


# --- --then-new --------------------------------------------------------------------------------


def test_then_new_renders_the_first_gap_with_the_identity_answers(tmp_path):
    answers = {
        **MODEL_USER,
        "project": {"author_name": "Ada Lovelace", "author_email": "ada@example.org"},
    }
    path = write_answers(tmp_path / "me.yaml", answers)
    out = tmp_path / "out"
    result = run(
        "recommend",
        "--answers",
        str(path),
        "--then-new",
        "--no-input",
        "--no-git",
        "-o",
        str(out),
        "--set",
        "project_name=Grad Check",
    )
    assert result.exit_code == 0, result.output
    assert "Start with:\n  newproject new dl-fundamentals" in result.stdout
    assert "Created" in result.stdout
    record = json.loads((out / "grad-check" / ".newproject.json").read_text())
    assert record["gap"] == "dl-fundamentals"
    assert record["answers"]["author_name"] == "Ada Lovelace"
    assert record["answers"]["author_email"] == "ada@example.org"
    assert record["answers"]["project_name"] == "Grad Check"


def test_then_new_with_json_reports_the_created_folder(tmp_path):
    path = write_answers(tmp_path / "me.yaml", MODEL_USER)
    result = run(
        "recommend",
        "--answers",
        str(path),
        "--then-new",
        "--no-input",
        "--no-git",
        "--json",
        "-o",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["created"] == str(tmp_path / "out" / "deep-learning-from-scratch")


def test_then_new_with_a_bad_identity_answer_writes_nothing(tmp_path):
    answers = {**MODEL_USER, "project": {"package_name": "import"}}
    path = write_answers(tmp_path / "me.yaml", answers)
    out = tmp_path / "out"
    result = run("recommend", "--answers", str(path), "--then-new", "--no-input", "-o", str(out))
    assert result.exit_code == 2  # a bad answer is a usage error
    assert result.stderr.strip() == "Error: package_name 'import' is a Python keyword"
    assert not out.exists()


def test_the_role_table_in_the_docs_is_the_data_file():
    text = (REPO / "docs" / "recommender.md").read_text()
    table = text.split("<!-- role-table:start -->")[1].split("<!-- role-table:end -->")[0]
    rows = [line.strip("| ").split(" | ") for line in table.strip().splitlines()]
    header, rows = rows[0], rows[2:]
    profiles = load_profiles()
    assert header[1:] == list(profiles.skills)
    documented = {row[0].strip("`"): [int(cell) for cell in row[1:]] for row in rows}
    assert documented == {
        role.id: [role.expected[skill] for skill in profiles.skills]
        for role in profiles.roles.values()
    }


def _doc_between(marker: str) -> str:
    text = (REPO / "docs" / "recommender.md").read_text()
    return text.split(f"<!-- {marker}:start -->")[1].split(f"<!-- {marker}:end -->")[0]


def _doc_answers(tmp_path, monkeypatch):
    """docs/recommender.md's answers file (its first YAML block), saved, and the shipped
    catalog (templates/) as the one `recommend` reads."""
    text = (REPO / "docs" / "recommender.md").read_text()
    path = tmp_path / "me.yaml"
    path.write_text(text.split("```yaml\n", 1)[1].split("```", 1)[0])
    monkeypatch.setenv(TEMPLATES_ENV, str(TEMPLATES))
    return path


def test_the_docs_answers_file_is_complete_for_the_shipped_catalog(tmp_path, monkeypatch):
    path = _doc_answers(tmp_path, monkeypatch)
    answers = yaml.safe_load(path.read_text())
    assert {k: v for k, v in answers.items() if k != "project"} == MODEL_USER
    profiles = load_profiles()
    gaps, _ = read_gap_profiles(load_catalog(TEMPLATES).values(), profiles)
    assert set(asked_skills(gaps, profiles)) <= set(answers["levels"])  # nothing left to ask
    result = run("recommend", "--answers", str(path), "--no-input")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("Start with:\n  newproject new dl-fundamentals")


def test_the_docs_worked_example_is_what_the_command_gives(tmp_path, monkeypatch):
    path = _doc_answers(tmp_path, monkeypatch)
    data = json.loads(run("recommend", "--answers", str(path), "--json").stdout)
    rows = [line.strip("| ").split(" | ") for line in _doc_between("worked-example").splitlines()]
    table = [(row[0].split("`")[1], float(row[-1])) for row in rows if row[0].startswith("`")]
    assert table == [(entry["gap"], entry["score"]) for entry in data["ranking"]]
    assert sorted(gap for gap, _ in table) == sorted(GAP_IDS)  # the whole shipped catalog
    # The output the page shows is what the command prints, at 100 columns.
    monkeypatch.setenv("COLUMNS", "101")
    printed = run("recommend", "--answers", str(path), "--no-input")
    shown = _doc_between("worked-example-output").split("```text\n", 1)[1].rsplit("```", 1)[0]
    assert printed.stdout == shown
