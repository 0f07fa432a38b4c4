#!/usr/bin/env bash
# Installs every Debian bookworm package Concord needs to build, test and run.
# Idempotent: packages already present are skipped. This is the one install
# list of the project; README commands and .ci/run both call it.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config clang-format
  # LibTorch 1.13.1 (CPU). libopenblas0-pthread is mandatory: without it
  # Debian's LibTorch falls back to the reference BLAS (0.3 vs 87 GFLOP/s).
  libtorch-dev libopenblas0-pthread
  # Plugin loading (Boost.DLL), CLI (Boost.Program_options)
  libboost-dev libboost-filesystem-dev libboost-program-options-dev
  # Config, logging, tests
  libtomlplusplus-dev libspdlog-dev libgtest-dev
  # SHA-256 content hashes (alliance ids)
  libssl-dev
  # Sensors and data formats (simulator, OPV2V/DAIR-V2X readers)
  libeigen3-dev libembree-dev liblzf-dev libyaml-cpp-dev libpng-dev libstb-dev nlohmann-json3-dev
  # `concord report` figures: PLplot with its cairo driver (pngcairo), and a font for its text
  libplplot-dev plplot-driver-cairo fonts-dejavu-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
