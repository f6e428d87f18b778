#!/usr/bin/env bash
# Installs what the tests need and runs every check: lint, format, types, unit and e2e tests.
# As root on Debian/Ubuntu it also installs the system tools the end-to-end tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in Xvfb:xvfb dbus-daemon:dbus dunst:dunst dunstctl:dunst notify-send:libnotify-bin \
  faketime:faketime tmux:tmux systemd-analyze:systemd; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
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

python3 -m pip install -q --disable-pip-version-check ".[test]"
ruff check deskbreak tests bench
ruff format --check deskbreak tests bench
mypy deskbreak
python3 -m pytest -q "$@"
