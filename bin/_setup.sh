# Shared by bin/start and bin/test: make sure Python ≥ 3.11 and a virtual environment with the project exist.
# Works on a fresh Debian/Ubuntu machine; installs Debian packages with apt-get when something is missing.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "Cần quyền root để cài gói hệ thống: $*" >&2; return 1; fi
}

apt_install() {
  # Install Debian packages that are not yet installed (one `apt-get update` per run at most).
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Cài gói hệ thống: ${missing[*]}"
  if [ -z "${_APT_UPDATED:-}" ]; then as_root apt-get update -qq; _APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

setup_venv() {
  # $1: optional extras to install, e.g. "test"
  local extras="${1:-}"
  local py="${PYTHON:-python3}"
  if ! command -v "$py" >/dev/null 2>&1; then
    echo "Không tìm thấy $py. Cần Python ≥ 3.11." >&2; exit 1
  fi
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Cần Python ≥ 3.11 (đang có $("$py" --version 2>&1))." >&2; exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
      local ver; ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt_install python3-venv || apt_install "python${ver}-venv"
    fi
    rm -rf .venv
    "$py" -m venv .venv
  fi
  local spec="."; [ -n "$extras" ] && spec=".[$extras]"
  local stamp=".venv/.taicho-installed-$extras"
  local digest; digest=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Cài đặt thư viện Python (lần đầu mất vài phút)…"
    # constraints.txt pins the build tools of packages that still build from source (xstatic-bootstrap
    # needs setuptools' pkg_resources). pip ≥ 26.2 reads build constraints only from PIP_BUILD_CONSTRAINT.
    export PIP_CONSTRAINT="$PWD/constraints.txt" PIP_BUILD_CONSTRAINT="$PWD/constraints.txt"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e "$spec"
    echo "$digest" > "$stamp"
  fi
}
