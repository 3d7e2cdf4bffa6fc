#!/usr/bin/env bash
# Set up Newsmark from a fresh clone: Qt's system libraries (Debian/Ubuntu, when
# run as root or with sudo), a virtual environment in .venv, and the package with
# its model and test tools. Safe to run again: it only installs what is missing.
#
#   bash packaging/bootstrap.sh            # then: .venv/bin/newsmark
#   NEWSMARK_VENV=/some/where bash packaging/bootstrap.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${NEWSMARK_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

say() { printf '\033[1m[newsmark]\033[0m %s\n' "$*" >&2; }

# 1. Qt's system libraries (the PyPI wheels bring Qt itself, not these).
qt_packages=(libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libfreetype6 libfontconfig1 libdbus-1-3 fonts-dejavu-core
             libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-randr0)
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${qt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
    if [ "$sudo" = none ]; then
      say "Qt needs these system packages; ask your administrator to install them: ${missing[*]}"
    else
      say "Installing Qt's system libraries: ${missing[*]}"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
fi

# 2. A virtual environment with a current pip (Python 3.11's pip 23 skips some extras).
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { say "Newsmark needs Python 3.11 or newer ($python is $("$python" -V 2>&1))"; exit 1; }
if [ ! -x "$venv/bin/python" ]; then
  say "Creating a virtual environment in $venv"
  "$python" -m venv "$venv"
fi
stamp="$venv/.newsmark-installed"
if [ ! -f "$stamp" ] || [ "$here/pyproject.toml" -nt "$stamp" ]; then
  say "Installing Newsmark and its dependencies (spaCy, its English model, Qt, test tools)"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e "$here[dev]"
  touch "$stamp"
fi
say "Ready: $venv/bin/newsmark"
