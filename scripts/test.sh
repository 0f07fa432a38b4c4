#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test.
# Tests that need the DAIR-V2X example data read it from ../shared/data and
# skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh -DCONCORD_BUILD_TESTS=ON -DCONCORD_WARNINGS_AS_ERRORS=ON
start=$(date +%s)
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 900
echo "tests: done in $(( $(date +%s) - start )) s"
