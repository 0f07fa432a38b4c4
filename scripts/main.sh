#!/usr/bin/env bash
# The README's main job on the embedded default: installs dependencies, builds
# Concord, lists the plugins, checks the shipped configs, simulates the default
# dataset (OPV2V-H layout) and renders pictures of a test frame.
# Output: runs/default/ (dataset/, pictures/, concord.log). Re-running reuses a
# finished dataset (delete runs/default/dataset to regenerate it).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh -DCONCORD_BUILD_TESTS=OFF
concord=build/bin/concord
run=runs/default

$concord version
$concord plugins list
$concord config check configs/agents/*.toml configs/experiments/*.toml

if [[ -f $run/dataset/sim_summary.yaml ]]; then
  echo "main: reusing $run/dataset (finished earlier)"
else
  rm -rf "$run/dataset.partial"
  $concord simulate --config configs/sim/default.toml --out "$run/dataset.partial"
  mv "$run/dataset.partial" "$run/dataset"
fi

$concord render --data "$run/dataset" --split test --index 0 --camera 0 \
  --out "$run/pictures/test_frame0_bev.png"
echo "main: dataset in $run/dataset, pictures in $run/pictures"
