# Sourced by scripts/up and scripts/test: create .venv with Python 3.11+ and install Newsdesk.
# Re-installs only when pyproject.toml changed since the last install.

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Newsdesk needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

ensure_venv() {
  local extras="$1" py stamp want
  if [ ! -x .venv/bin/python ]; then
    py=$(find_python)
    echo "Creating .venv with $py" >&2
    "$py" -m venv .venv
  fi
  stamp=.venv/.newsdesk-installed
  want="$(cat pyproject.toml | sha256sum | cut -c1-16)-$extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Newsdesk and its dependencies into .venv ..." >&2
    .venv/bin/python -m pip install --quiet --upgrade pip >&2
    .venv/bin/python -m pip install --quiet -e ".[$extras]" >&2
    echo "$want" > "$stamp"
  fi
}
