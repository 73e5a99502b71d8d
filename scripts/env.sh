# Sourced by scripts/serve and scripts/test: make the project's Python environment (.venv) exist
# and match uv.lock. Needs only python3 (3.11+); uv itself is installed from PyPI on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never   # use this machine's python3; never fetch an interpreter

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

find_uv() {
  if command -v uv >/dev/null 2>&1; then UV=uv; return; fi
  if [ ! -x "$ROOT/.tools/bin/uv" ]; then
    echo "milbal: installing uv into .tools/ (first run only)" >&2
    if ! python3 -m venv "$ROOT/.tools" >/dev/null 2>&1; then
      as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$ROOT/.tools"
    fi
    "$ROOT/.tools/bin/pip" install -q uv
  fi
  UV="$ROOT/.tools/bin/uv"
}

sync_env() {  # sync_env [--extra test]
  find_uv
  "$UV" sync --frozen --python python3 --quiet "$@"
}

ensure_chromium() {  # Debian's Chromium: browser tests, and kaleido's PNG/SVG/PDF exports
  if [ ! -x /usr/bin/chromium ]; then
    echo "milbal: installing Debian's chromium (chart images and browser tests need it)" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-liberation >/dev/null
  fi
}

ensure_redis() {  # Debian's redis-server: the tests of the shared export cache start their own
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "milbal: installing Debian's redis-server (the shared-cache tests start one)" >&2
    as_root apt-get update -qq
    # Installed, never started as a service here: the tests run their own on a free port.
    # If the package's attempt to start its service fails (no init system), the binary is
    # still there, and that is all the tests use.
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null ||
      command -v redis-server >/dev/null
  fi
}
