#!/usr/bin/env bash
# Installs what the tests need and runs every check: lint, format, types, unit and e2e tests.
# As root on Debian/Ubuntu it also installs the system tools the end-to-end tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in Xvfb:xvfb dbus-daemon:dbus dunst:dunst dunstctl:dunst notify-send:libnotify-bin \
  faketime:faketime tmux:tmux systemd-analyze:systemd pipewire:pipewire pw-record:pipewire-bin \
  wireplumber:wireplumber dbus-run-session:dbus xdotool:xdotool \
  desktop-file-validate:desktop-file-utils; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
# X11 idle (the presence tests) reads the screen-saver extension through libXss
ldconfig -p 2>/dev/null | grep 'libXss\.so\.1' >/dev/null || need+=(libxss1)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(printf '%s\n' "${need[@]}" | sort -u) >&2
  else
    echo "note: missing system tools (${need[*]}); their end-to-end tests will skip" >&2
  fi
fi

# A project virtual environment: never the system Python (PEP 668 forbids installing there).
venv=${DESKBREAK_VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing: python3-venv" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2
    fi
    python3 -m venv "$venv" || { echo "tests/run.sh: python3 -m venv failed; install python3-venv" >&2; exit 1; }
  fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check ".[test]"
"$venv/bin/ruff" check deskbreak tests bench
"$venv/bin/ruff" format --check deskbreak tests bench
"$venv/bin/mypy" deskbreak tests
"$venv/bin/python" -m pytest -q "$@"
