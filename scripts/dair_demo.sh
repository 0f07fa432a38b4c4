#!/usr/bin/env bash
# The heterogeneous main job on real data (DAIR-V2X-C): Step 0 of the roadside
# LiDAR type (dair_pp, PointPillars) and of the vehicle camera type (dair_cam,
# LSS), then NegoCollab's negotiate, adapt and eval of the vehicle-camera +
# RSU-LiDAR collaboration (dair_negocollab) and of the sides swapped
# (dair_negocollab_veh_lidar) on the 8 held-out pairs: AP@0.3/0.5/0.7 of no
# fusion, late fusion, naive sharing and NegoCollab, plus BEV pictures of real
# frames (runs/dair_negocollab*/pictures/).
#
#   scripts/dair_demo.sh [DATA_ROOT]
#
# DATA_ROOT: the DAIR-V2X-C folder (cooperative/, vehicle-side/,
# infrastructure-side/); default ../shared/data/dair-v2x-c-example (relative to
# the repository root). The data are read in place (research use only). Absent
# data: a message and exit 0 ("skipped"). Uses $CONCORD or build/bin/concord.
# Run from anywhere; runs/ is written under the repository root. Every stage is
# skipped when its output is complete (runs/<name>/.done-<stage>) and resumes a
# stopped run otherwise, so an interrupted demo continues where it stopped
# (rm -rf runs/dair_* to start over; a retrained Step 0 does not redo the later
# stages by itself).
# CONCORD_THREADS (default 1) is passed as --threads.
set -euo pipefail
# A DATA_ROOT argument is relative to the caller's directory; the default to the repository.
if [[ $# -ge 1 && -d $1 ]]; then data_root=$(cd "$1" && pwd); else data_root=${1:-}; fi
cd "$(dirname "$0")/.."
data_root=${data_root:-../shared/data/dair-v2x-c-example}
concord=${CONCORD:-build/bin/concord}
threads=${CONCORD_THREADS:-1}

if [[ ! -d $data_root/cooperative || ! -d $data_root/vehicle-side ||
  ! -d $data_root/infrastructure-side ]]; then
  echo "dair_demo: DAIR-V2X-C data not found at $data_root (expected cooperative/, vehicle-side/,"
  echo "dair_demo: infrastructure-side/); pass the folder as the first argument. skipped"
  exit 0
fi
if [[ ! -x $concord ]]; then
  echo "dair_demo: $concord is not an executable; build first (scripts/build.sh) or set CONCORD" >&2
  exit 1
fi

exp=configs/experiments
times=runs/dair_demo_times.csv
mkdir -p runs
[[ -f $times ]] || echo "stage,seconds" >"$times"

# stage NAME RUN_DIR DONE_STAMP -- COMMAND...: runs COMMAND unless RUN_DIR/.done-STAMP
# exists, then writes the stamp and appends the wall time to $times.
stage() {
  local name=$1 dir=$2 stamp=$3
  shift 4
  if [[ -f $dir/.done-$stamp ]]; then
    echo "dair_demo: $name: done earlier ($dir/.done-$stamp), skipped"
    return
  fi
  echo "dair_demo: $name: $*"
  local start=$SECONDS
  "$@"
  mkdir -p "$dir"
  touch "$dir/.done-$stamp"
  echo "$name,$((SECONDS - start))" >>"$times"
  echo "dair_demo: $name: $((SECONDS - start)) s"
}

common=(--threads "$threads" --data-root "$data_root")
total_start=$SECONDS
for type in pp cam; do
  cfg=$exp/dair_${type}_step0.toml
  run=runs/dair_${type}_step0
  stage "step0 dair_$type train" "$run" train -- "$concord" train --config "$cfg" --resume "${common[@]}"
  stage "step0 dair_$type eval" "$run" eval -- "$concord" eval --config "$cfg" --render 2 "${common[@]}"
done
# Vehicle camera + roadside LiDAR (the main direction), then the sides swapped.
for name in dair_negocollab dair_negocollab_veh_lidar; do
  cfg=$exp/$name.toml
  run=runs/$name
  stage "$name negotiate" "$run" negotiate -- "$concord" negotiate --config "$cfg" --resume "${common[@]}"
  stage "$name adapt" "$run" adapt -- "$concord" adapt --config "$cfg" --resume "${common[@]}"
  stage "$name eval" "$run" eval -- "$concord" eval --config "$cfg" --render 8 "${common[@]}"
done

# table FILE: a CSV as aligned columns (each as wide as its longest cell + 2).
table() {
  awk -F, 'NR == FNR { for (i = 1; i <= NF; ++i) if (length($i) > w[i]) w[i] = length($i); next }
    { for (i = 1; i <= NF; ++i) printf "%-*s", w[i] + 2, $i; print "" }' "$1" "$1"
}
echo
echo "dair_demo: this invocation took $((SECONDS - total_start)) s; per stage (all invocations):"
table "$times"
awk -F, 'NR > 1 { s += $2 } END { printf "total: %d s\n", s }' "$times"
for name in dair_negocollab dair_negocollab_veh_lidar; do
  echo
  echo "dair_demo: $name (8 test pairs, 40 cooperative GT boxes within +-51.2 m):"
  table "runs/$name/eval.csv"
done
echo "dair_demo: pictures in runs/dair_negocollab*/pictures (ground truth green, detections red)"
