#!/usr/bin/env bash
# Install the Debian packages the build (or the tests) need, when they are missing.
# Usage: scripts/ensure-system.sh build|test
# As root (or with sudo) it installs them; otherwise it stops with one line saying what to install.
set -euo pipefail

want=(python3-venv fonts-noto-cjk fontconfig)
[[ ${1:-build} == test ]] && want+=(poppler-utils chromium nginx openssh-server openssh-client rsync)

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3-venv is only needed when this python cannot make a venv with pip.
if [[ " ${missing[*]-} " == *" python3-venv "* ]] && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<< "${missing[*]-}"
((${#missing[@]})) || exit 0

if ! command -v apt-get >/dev/null; then
  echo "bulletin needs these packages (Debian names): ${missing[*]}; install them, then run make again." >&2
  exit 1
fi
if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo); else
  echo "bulletin needs: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} …"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
