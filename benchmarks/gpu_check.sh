#!/usr/bin/env bash
# GPU check of the shared training engine in one rendered torch project (about 2-3 minutes on
# an H100). Prints, for configs/full.yaml on CUDA:
#   1. python -m PKG.benchmark: full training loop vs model-only step (samples/s, ratio;
#      goal >= 0.95), compile off;
#   2. one epoch of real training (python -m PKG.train), compile off and on: samples/s, seconds;
#   3. the benchmark with compile on, if time is left.
#
# Usage: [CONFIG=configs/full.yaml] benchmarks/gpu_check.sh PROJECT_DIR [PYTHON] [key=value ...]
#   PROJECT_DIR  a rendered project (e.g. /tmp/dev-3d/point-cloud-perception)
#   PYTHON       interpreter with the project's dependencies and a CUDA torch (default: python)
#   key=value    extra config overrides for every command (e.g. batch_size=512)
#   CONFIG       the config to measure (default configs/full.yaml). custom-model-architecture's
#                full config reads CIFAR-10 from disk: use CONFIG=configs/shapes.yaml there.
# Results also go to $OUT/gpu_check/ (or /tmp/gpu_check/) as JSON and CSV.
set -uo pipefail

project=$(cd "${1:?usage: gpu_check.sh PROJECT_DIR [PYTHON] [key=value ...]}" && pwd)
python=${2:-python}
shift $(( $# >= 2 ? 2 : 1 ))
extra=("$@")
config=${CONFIG:-configs/full.yaml}
results=${OUT:-/tmp}/gpu_check
mkdir -p "$results"
cd "$project"
pkg=$(basename "$(dirname "$(ls -d src/*/engine | head -n 1)")")
export PYTHONPATH="$project/src${PYTHONPATH:+:$PYTHONPATH}"

echo "== project $project, package $pkg, config $config, python $python"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'

step() {  # label, time limit (s), command...
  local label=$1 limit=$2; shift 2
  echo; echo "== $label"
  local start=$SECONDS
  timeout "$limit" "$@"
  local rc=$?
  echo "-- $label: exit $rc after $(( SECONDS - start )) s"
}

# Time limits keep the whole script under 3 minutes; the compiled benchmark runs last, only if
# the budget allows.
step "benchmark, compile off" 60 "$python" -m "$pkg.benchmark" --config "$config" \
  --steps 100 --warmup 20 --json "$results/benchmark_eager.json" device=cuda compile=false "${extra[@]}"

for mode in false true; do
  if [ "$mode" = true ]; then limit=70; else limit=50; fi
  step "1 epoch of training, compile $mode" "$limit" \
    "$python" -m "$pkg.train" --config "$config" --fresh device=cuda epochs=1 compile=$mode \
    progress=plain runs_dir="$results/runs" run_name="epoch1-compile-$mode" "${extra[@]}"
  cp "$results/runs/epoch1-compile-$mode/log.csv" "$results/train_compile_$mode.csv" 2>/dev/null
done

left=$(( 170 - SECONDS ))
if (( left > 30 )); then
  step "benchmark, compile on" "$left" "$python" -m "$pkg.benchmark" --config "$config" \
    --steps 100 --warmup 20 --json "$results/benchmark_compiled.json" device=cuda compile=true \
    "${extra[@]}"
else
  echo "== benchmark, compile on: skipped (${SECONDS} s used of the 3-minute budget)"
fi

echo; echo "== summary"
"$python" - "$results" <<'PY'
import csv, json, pathlib, sys
results = pathlib.Path(sys.argv[1])
for name in ("eager", "compiled"):
    path = results / f"benchmark_{name}.json"
    if path.exists():
        r = json.loads(path.read_text())
        print(f"benchmark {name:8s}: model-only {r['model_only_samples_per_s']:>10,.0f}/s  "
              f"full loop {r['full_loop_samples_per_s']:>10,.0f}/s  ratio {r['ratio']:.3f}  "
              f"({r['device_name']}, batch {r['batch_size']}, amp {r['amp']}, {r['data']} data)")
for mode in ("false", "true"):
    path = results / f"train_compile_{mode}.csv"
    if path.exists():
        row = list(csv.DictReader(path.open()))[-1]
        print(f"train 1 epoch, compile {mode:5s}: {float(row['samples_per_s']):>10,.0f} samples/s, "
              f"{float(row['epoch_seconds']):.1f} s incl. eval")
PY
rm -rf "$results/runs"
