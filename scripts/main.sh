#!/usr/bin/env bash
# The README's main job on the embedded default: installs dependencies, builds
# Concord, lists the plugins, checks the shipped configs and runs `concord demo`
# (simulate a small dataset -> m1 + m2 negotiate a common representation from the
# Step-0 checkpoints shipped in models/ -> adapt -> m3 joins -> STAMP baseline ->
# evaluation -> report), printing the heterogeneous-collaboration table.
# Output: runs/demo/ (summary.md, report/report.md, each stage's run folder).
# Re-running skips the stages that finished (runs/demo/stages.csv).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh -DCONCORD_BUILD_TESTS=OFF
concord=build/bin/concord

$concord version
$concord plugins list
$concord config check configs/agents/*.toml configs/experiments/*.toml configs/demo/*.toml
$concord demo "$@"
