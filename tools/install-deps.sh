#!/usr/bin/env bash
# Installs everything libiggy needs to build and test on Debian/Ubuntu.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config clang clang-format valgrind python3
      libmimalloc-dev libzstd-dev libsnappy-dev liblz4-dev check libsubunit-dev libxxhash-dev libssl-dev
      python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
