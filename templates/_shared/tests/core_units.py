"""Unit tests of the contract every project shares (src/<package>/core/): configs, registries,
metrics, the results writer and the error-to-exit-code mapping."""

from __future__ import annotations

import importlib
import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

PACKAGE = "{{ cookiecutter.package_name }}"
config = importlib.import_module(f"{PACKAGE}.core.config")
errors = importlib.import_module(f"{PACKAGE}.core.errors")
metrics = importlib.import_module(f"{PACKAGE}.core.metrics")
registry = importlib.import_module(f"{PACKAGE}.core.registry")
results = importlib.import_module(f"{PACKAGE}.core.results")


# ---- configs ---------------------------------------------------------------------------------
def test_overrides_are_typed_like_yaml_and_keep_their_siblings():
    cfg = config.load_config(
        None, ["epochs=7", "optimizer.lr=1e-3", "device=cuda", "+model.sizes=[8, 16]"]
    )
    assert cfg["epochs"] == 7
    assert isinstance(cfg["optimizer"]["lr"], float) and cfg["optimizer"]["lr"] == 1e-3
    assert cfg["device"] == "cuda"
    assert cfg["model"]["sizes"] == [8, 16]
    assert cfg["optimizer"]["name"] == "adamw"


def test_every_contract_key_can_be_overridden():
    keys = ["model.name=m", "data.name=d", "data.root=/x", "data.seed=3", "seed=4", "epochs=2",
            "batch_size=5", "optimizer.name=sgd", "optimizer.lr=0.5", "optimizer.weight_decay=0",
            "scheduler.name=none", "scheduler.warmup_epochs=1", "device=cpu", "runs_dir=r",
            "run_name=n"]  # fmt: skip
    cfg = config.load_config(None, keys)
    assert (cfg["model"]["name"], cfg["data"]["seed"], cfg["optimizer"]["lr"]) == ("m", 3, 0.5)
    assert config.run_dir_of(cfg).as_posix() == "r/n"


def test_unknown_override_key_is_a_config_error_with_a_suggestion():
    with pytest.raises(errors.ConfigError, match="optimizer.lr"):
        config.load_config(None, ["optimiser.lr=0.1"])
    with pytest.raises(errors.ConfigError, match="key=value"):
        config.load_config(None, ["epochs"])
    with pytest.raises(errors.ConfigError, match="not a section"):
        config.load_config(None, ["epochs.x=1"])


def test_config_file_reads_exponent_floats_and_names_the_run(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text("optimizer: {lr: 3e-4}\nbatch_size: 8\n", encoding="utf-8")
    cfg = config.load_config(path, ["batch_size=16"])
    assert cfg["optimizer"]["lr"] == 3e-4
    assert cfg["run_name"] == "exp"
    assert cfg["eval_batch_size"] == 16


def test_a_broken_config_file_is_one_config_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("epochs: [1,\n", encoding="utf-8")
    with pytest.raises(errors.ConfigError, match="bad.yaml"):
        config.load_config(path)
    with pytest.raises(errors.ConfigError, match="cannot read"):
        config.load_config(tmp_path / "missing.yaml")


def test_diff_configs_lists_changed_added_and_removed_keys():
    old = {"a": 1, "b": {"c": 2, "d": 3}}
    new = {"a": 1, "b": {"c": 5}, "e": 0}
    assert config.diff_configs(old, new) == [("b.c", 2, 5), ("b.d", 3, None), ("e", None, 0)]


# ---- registries ------------------------------------------------------------------------------
def test_registry_builds_by_name_with_config_options_and_project_context():
    things = registry.Registry("model")

    @things.register("line")
    def line(width: int, num_classes: int, depth: int = 1):
        return (width, num_classes, depth)

    assert things.names() == ["line"] and "line" in things
    assert things.build({"name": "line", "width": 4}, num_classes=3) == (4, 3, 1)
    assert things.build("line", width=2, num_classes=1) == (2, 1, 1)


def test_registry_errors_name_what_is_registered_and_what_is_accepted():
    things = registry.Registry("model")
    things.add("pointnet", lambda width=1: width)
    things.add("dgcnn", lambda k=20: k)
    with pytest.raises(errors.ConfigError, match=r"unknown model 'pointnt'.*'pointnet'.*dgcnn"):
        things.build({"name": "pointnt"})
    with pytest.raises(errors.ConfigError, match=r"takes no option 'widht'.*width"):
        things.build({"name": "pointnet", "widht": 3})
    with pytest.raises(errors.ConfigError, match="set model.name"):
        things.build({"name": None})
    with pytest.raises(errors.ConfigError, match="set by the project"):
        things.build({"name": "pointnet", "width": 1}, width=2)

    def another_dgcnn():
        return None

    with pytest.raises(ValueError, match="registered twice"):
        things.add("dgcnn", another_dgcnn)


def test_registry_discovers_the_modules_of_its_package(tmp_path, monkeypatch):
    package = tmp_path / "plugins_under_test"
    package.mkdir()
    (package / "__init__.py").write_text(
        f"from {PACKAGE}.core.registry import Registry\n"
        "THINGS = Registry('thing', package=__name__)\n"
    )
    (package / "mine.py").write_text(
        "from . import THINGS\n\n@THINGS.register('mine')\ndef make():\n    return 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("plugins_under_test")
    assert module.THINGS.names() == ["mine"]  # nothing imported mine.py but the registry
    assert module.THINGS.build({"name": "mine"}) == 42


# ---- metrics ---------------------------------------------------------------------------------
PREDICTIONS = [0, 1, 1, 2, 2, 2, 0, 1]
TARGETS = [0, 1, 2, 2, 2, 0, -1, 1]  # the -1 is an ignored item


def test_confusion_matrix_counts_target_rows_prediction_columns_and_skips_ignored():
    confusion = metrics.confusion_matrix(np.array(PREDICTIONS), np.array(TARGETS), 3)
    assert confusion.tolist() == [[1, 0, 1], [0, 2, 0], [0, 1, 2]]


def test_classification_metrics_known_answers():
    scores = metrics.classification_metrics(
        metrics.confusion_matrix(np.array(PREDICTIONS), np.array(TARGETS), 3)
    )
    assert scores["accuracy"] == pytest.approx(5 / 7)
    assert scores["mean_class_accuracy"] == pytest.approx((1 / 2 + 1 + 2 / 3) / 3)
    # IoU: class 0 1/(2+1-1) = 1/2, class 1 2/(2+3-2) = 2/3, class 2 2/(3+3-2) = 1/2
    assert scores["per_class_iou"] == pytest.approx([1 / 2, 2 / 3, 1 / 2])
    assert scores["miou"] == pytest.approx((1 / 2 + 2 / 3 + 1 / 2) / 3)
    # F1 = 2 TP / (support + predicted): 2/3, 4/5, 4/6
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 4 / 5 + 4 / 6) / 3)


def test_a_class_absent_everywhere_has_no_iou_and_is_skipped_by_the_means():
    scores = metrics.classification_metrics(metrics.confusion_matrix([0, 1], [0, 1], 3))
    assert np.isnan(scores["per_class_iou"][2])
    assert scores["miou"] == 1.0 and scores["mean_class_accuracy"] == 1.0


def test_metrics_agree_with_scikit_learn_and_work_on_tensors():
    import torch
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score

    rng = np.random.default_rng(0)
    predictions, targets = rng.integers(0, 5, 500), rng.integers(0, 5, 500)
    ours = metrics.confusion_matrix(predictions, targets, 5)
    assert ours.tolist() == confusion_matrix(targets, predictions, labels=range(5)).tolist()
    scores = metrics.classification_metrics(ours)
    assert scores["mean_class_accuracy"] == pytest.approx(
        balanced_accuracy_score(targets, predictions)
    )
    assert scores["macro_f1"] == pytest.approx(f1_score(targets, predictions, average="macro"))
    on_tensors = metrics.confusion_matrix(
        torch.from_numpy(predictions), torch.from_numpy(targets), 5
    )
    assert isinstance(on_tensors, torch.Tensor) and on_tensors.tolist() == ours.tolist()
    halves = metrics.confusion_matrix(
        predictions[:250], targets[:250], 5
    ) + metrics.confusion_matrix(predictions[250:], targets[250:], 5)
    assert halves.tolist() == ours.tolist()  # summable over batches and processes


def test_a_class_index_out_of_range_is_an_error_not_a_silent_drop():
    with pytest.raises(ValueError, match="outside the 2 classes"):
        metrics.confusion_matrix([0, 1], [0, 2], 2)


# ---- the results writer ----------------------------------------------------------------------
def test_results_go_between_the_markers_and_nothing_else_changes(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# P\n\nintro\n\n{results.START}\nold\n{results.END}\n\n## Usage\n")
    results.write_results(readme, "| a |\n|---|\n| 1 |")
    text = readme.read_text()
    assert text.startswith("# P\n\nintro\n\n") and text.endswith(f"{results.END}\n\n## Usage\n")
    assert "old" not in text and "| 1 |" in text and "written by the report at" in text
    results.write_results(readme, "second")
    assert text.count(results.START) == 1 and "| 1 |" not in readme.read_text()


def test_a_readme_without_markers_is_one_project_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(errors.ProjectError, match="needs the markers"):
        results.write_results(readme, "x")
    assert readme.read_text() == "# no markers\n"


def test_mean_std_and_tables_format_like_papers():
    assert results.mean_std([0.9, 0.92, 0.94]) == "0.920 ± 0.020"
    assert results.mean_std([0.5]) == "0.500"  # one seed claims no spread
    assert results.mean_std([]) == "n/a"
    table = results.markdown_table(["run", "acc"], [["a|b", 0.5]], align="lr")
    assert table.splitlines() == ["| run | acc |", "|---|---:|", "| a\\|b | 0.5 |"]


def test_a_table_marks_its_baseline_rows_after_their_first_cell():
    rows = [["`cnn`", "0.96"], ["`vit`", "0.95"], ["`mixer`", "0.94"]]
    table = results.markdown_table(["variant", "acc"], rows, "lr", baseline=0).splitlines()
    assert table[2:] == ["| `cnn` (baseline) | 0.96 |", "| `vit` | 0.95 |", "| `mixer` | 0.94 |"]
    several = results.markdown_table(["variant", "acc"], iter(rows), baseline=[0, 2])
    assert several.count(results.BASELINE_MARK) == 2 and "| `mixer` (baseline) |" in several
    assert results.BASELINE_MARK not in results.markdown_table(["variant", "acc"], rows)
    with pytest.raises(ValueError, match="baseline row"):
        results.markdown_table(["variant", "acc"], rows, baseline=3)


def _fake_run(runs_dir, name, seed, lr, test=None):
    folder = runs_dir / name
    folder.mkdir(parents=True)
    cfg = {"run_name": name, "seed": seed, "optimizer": {"lr": lr}, "device": "cpu"}
    config.write_yaml(cfg, folder / "config.yaml")
    results.write_json({"accuracy": 0.5 + seed / 10}, folder / "metrics.json")
    if test is not None:
        results.write_json({"accuracy": test}, folder / "test_metrics.json")
    results.write_command(
        folder, f"{PACKAGE}.train", ["--config", "configs/quick.yaml", f"seed={seed}"]
    )


def test_runs_load_with_their_splits_and_commands_and_group_by_seed(tmp_path):
    _fake_run(tmp_path, "quick", 0, 0.1, test=0.7)
    _fake_run(tmp_path, "quick-seed1", 1, 0.1, test=0.8)
    _fake_run(tmp_path, "other", 0, 0.5)
    runs = results.load_runs(tmp_path)
    assert [run.name for run in runs] == ["other", "quick", "quick-seed1"]
    assert runs[1].test == {"accuracy": 0.7} and runs[0].test is None
    assert runs[2].command == f"python -m {PACKAGE}.train --config configs/quick.yaml seed=1"
    groups = results.seed_groups(runs)
    assert [(label, [r.name for r in members]) for label, members in groups] == [
        ("other", ["other"]),
        ("quick", ["quick", "quick-seed1"]),
    ]


def test_write_json_is_atomic_and_leaves_no_temporary(tmp_path):
    path = results.write_json({"a": 1.5}, tmp_path / "m.json")
    assert json.loads(path.read_text()) == {"a": 1.5}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_write_json_gives_the_usual_file_mode(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        path = results.write_json({"a": 1}, tmp_path / "m.json")
        results.write_json({"a": 2}, path)  # replacing keeps it
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_publish_figure_copies_into_docs_figures(tmp_path):
    source = tmp_path / "runs" / "fig.png"
    source.parent.mkdir()
    source.write_bytes(b"png")
    assert results.publish_figure(source, "a.png", tmp_path) == "docs/figures/a.png"
    assert (tmp_path / "docs" / "figures" / "a.png").read_bytes() == b"png"


# ---- errors ----------------------------------------------------------------------------------
def test_run_main_turns_expected_errors_into_one_line_and_an_exit_code(tmp_path):
    script = tmp_path / "entry.py"
    script.write_text(
        f"import sys\nfrom {PACKAGE}.core.errors import ConfigError, DataError, run_main\n"
        "def main(argv):\n"
        "    if argv[0] == 'config': raise ConfigError('bad key\\nsecond line')\n"
        "    if argv[0] == 'data': raise DataError.at('a.txt', 3, 'five columns, expected six')\n"
        "    if argv[0] == 'interrupt': raise KeyboardInterrupt\n"
        "run_main(main, sys.argv[1:])\n"
    )
    outcomes = {}
    for case in ("config", "data", "interrupt", "ok"):
        done = subprocess.run([sys.executable, str(script), case], capture_output=True, text=True)
        outcomes[case] = (done.returncode, done.stderr)
    assert outcomes["config"] == (2, "error: bad key\\nsecond line\n")
    assert outcomes["data"] == (1, "error: a.txt:3: five columns, expected six\n")
    assert outcomes["interrupt"] == (130, "interrupted\n")
    assert outcomes["ok"] == (0, "")


def test_one_line_escapes_line_breaks_and_controls():
    assert errors.one_line("a\nb\u2028c\td") == "a\\nb\\u2028c\\td"
    assert errors.one_line("plain ± text") == "plain ± text"
