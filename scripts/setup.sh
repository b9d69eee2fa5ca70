#!/usr/bin/env bash
# Set up a Facilitator checkout so it can run (and, with --test, be tested).
#
#   scripts/setup.sh          Python venv + app packages, node packages, static/vendor
#   scripts/setup.sh --test   the same plus the test extras and Debian's chromium
#
# Safe to run repeatedly: each step is skipped when its inputs are unchanged.
#   .venv/.facilitator-installed          sha256 of pyproject.toml + which extras
#   node_modules/.facilitator-installed   sha256 of package.json + package-lock.json
# Delete a stamp file (or the directory) to force that step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

WITH_TEST=0
for arg in "$@"; do
    case "$arg" in
        --test) WITH_TEST=1 ;;
        -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $arg (usage: scripts/setup.sh [--test])" ;;
    esac
done

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: $2"; }
sha() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Temporary files we create get removed if we fail half way.
TMPFILES=()
cleanup() { if ((${#TMPFILES[@]})); then rm -f "${TMPFILES[@]}"; fi; }
trap cleanup EXIT

# ---------------------------------------------------------------- python ---
need python3 "install Python 3.11 or newer"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
if [[ ! -x "$PY" ]]; then
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "python3 is $(python3 -V 2>&1); Python 3.11 or newer is required"
    say "creating virtualenv .venv"
    python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi

if ((WITH_TEST)); then MODE=test; TARGET='.[test]'; else MODE=app; TARGET='.'; fi
PY_STAMP="$VENV/.facilitator-installed"
PY_SHA="$(sha pyproject.toml)"
read -r old_sha old_mode 2>/dev/null < "$PY_STAMP" || { old_sha=; old_mode=; }
if [[ "$old_sha" == "$PY_SHA" && ( "$old_mode" == test || "$MODE" == app ) ]]; then
    say "python packages up to date ($old_mode)"
else
    say "installing python packages: pip install -e '$TARGET'"
    "$PY" -m pip install --quiet --disable-pip-version-check -e "$TARGET" \
        || die "pip install -e '$TARGET' failed"
    printf '%s %s\n' "$PY_SHA" "$MODE" > "$PY_STAMP"
fi

# ------------------------------------------------------------------ node ---
need node "install Node.js 20 (Debian: apt-get install nodejs npm)"
need npm "install npm (Debian: apt-get install npm)"
[[ -f package-lock.json ]] || die "package-lock.json is missing (run 'npm install' and commit it)"
NODE_STAMP="node_modules/.facilitator-installed"
NODE_SHA="$(sha package.json package-lock.json)"
if [[ -d node_modules && -f "$NODE_STAMP" && "$(cat "$NODE_STAMP")" == "$NODE_SHA" ]]; then
    say "node packages up to date"
else
    say "installing node packages: npm ci"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
    printf '%s\n' "$NODE_SHA" > "$NODE_STAMP"
fi

# ---------------------------------------------------------- static/vendor ---
VENDOR="static/vendor"
mkdir -p "$VENDOR/govuk/images"
CHANGED=0

# vendor_js SRC DEST: copy a minified script, dropping its trailing
# "//# sourceMappingURL=..." comment (we do not ship the .map files, and a
# dangling reference only produces 404s when devtools are open).
vendor_js() {
    local src="$1" dst="$2" tmp
    [[ -f "$src" ]] || die "expected file not found: $src (node packages incomplete?)"
    tmp="$(mktemp "$dst.XXXXXX")"; TMPFILES+=("$tmp")
    sed '$ s|//# sourceMappingURL=[^[:space:]]*$||' "$src" > "$tmp"
    if cmp -s "$tmp" "$dst"; then rm -f "$tmp"; else chmod 644 "$tmp"; mv -f "$tmp" "$dst"; CHANGED=1; fi
}
# vendor_file SRC DEST: plain copy, only when different.
vendor_file() {
    [[ -f "$1" ]] || die "expected file not found: $1 (node packages incomplete?)"
    if ! cmp -s "$1" "$2"; then cp -f "$1" "$2"; chmod 644 "$2"; CHANGED=1; fi
}

vendor_js node_modules/htmx.org/dist/htmx.min.js                           "$VENDOR/htmx.min.js"
vendor_js node_modules/socket.io-client/dist/socket.io.min.js              "$VENDOR/socket.io.min.js"
vendor_js node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js     "$VENDOR/govuk-frontend.min.js"
vendor_js node_modules/axe-core/axe.min.js                                 "$VENDOR/axe.min.js"

GOVUK_IMAGES=node_modules/govuk-frontend/dist/govuk/assets/images
[[ -d "$GOVUK_IMAGES" ]] || die "$GOVUK_IMAGES not found (node packages incomplete?)"
for img in "$GOVUK_IMAGES"/*; do
    vendor_file "$img" "$VENDOR/govuk/images/$(basename "$img")"
done

# Compile GOV.UK Frontend Sass when the source, the node packages or this
# script are newer than the output.
CSS="$VENDOR/govuk.css"
SCSS="static/src/govuk.scss"
[[ -f "$SCSS" ]] || die "$SCSS is missing"
if [[ ! -s "$CSS" || "$SCSS" -nt "$CSS" || "$NODE_STAMP" -nt "$CSS" || "${BASH_SOURCE[0]}" -nt "$CSS" ]]; then
    [[ -x node_modules/.bin/sass ]] || die "node_modules/.bin/sass not found (node packages incomplete?)"
    tmp="$(mktemp "$CSS.XXXXXX")"; TMPFILES+=("$tmp")
    node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
        --load-path=node_modules "$SCSS" "$tmp" || die "sass failed to compile $SCSS"
    if grep -q 'GDS Transport' "$tmp"; then
        die "compiled CSS mentions 'GDS Transport' (check \$govuk-font-family / font-face settings in $SCSS)"
    fi
    chmod 644 "$tmp"; mv -f "$tmp" "$CSS"; CHANGED=1
    say "compiled $SCSS -> $CSS"
fi

if ((CHANGED)); then say "static/vendor updated"; else say "static/vendor up to date"; fi

# ------------------------------------------------- PDF rendering (system) ---
# WeasyPrint draws text with Pango and HarfBuzz from Debian (its docs' list for Debian 12);
# the documents embed DejaVu Sans from fonts-dejavu-core (static/css/documents.css).
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core)
if command -v dpkg-query >/dev/null 2>&1; then
    pdf_missing=()
    for pkg in "${PDF_PACKAGES[@]}"; do
        [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == "install ok installed" ]] \
            || pdf_missing+=("$pkg")
    done
    if ((${#pdf_missing[@]})); then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "installing ${pdf_missing[*]} with apt-get (for the PDF documents)"
            export DEBIAN_FRONTEND=noninteractive
            apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
            apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${pdf_missing[@]}" \
                || die "apt-get install ${pdf_missing[*]} failed"
        else
            die "missing ${pdf_missing[*]} (WeasyPrint needs them for the PDF documents); as root run:
    apt-get update && apt-get install -y ${PDF_PACKAGES[*]}"
        fi
    fi
fi
"$PY" -c 'import weasyprint' 2>/dev/null \
    || die "WeasyPrint cannot load Pango (see the message above: $("$PY" -c 'import weasyprint' 2>&1 | tail -1))"
say "PDF rendering ready (WeasyPrint with Pango, DejaVu Sans)"

# -------------------------------------------------------------- chromium ---
if ((WITH_TEST)); then
    missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    if command -v dpkg-query >/dev/null 2>&1 \
        && [[ "$(dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null)" != "install ok installed" ]]; then
        missing+=(fonts-dejavu-core)
    fi
    if ((${#missing[@]})); then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "installing ${missing[*]} with apt-get (waits for the apt lock if busy)"
            export DEBIAN_FRONTEND=noninteractive
            apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
            apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" \
                || die "apt-get install ${missing[*]} failed"
        else
            die "missing ${missing[*]} (needed by the browser tests); as root run:
    apt-get update && apt-get install -y chromium fonts-dejavu-core"
        fi
        command -v chromium >/dev/null 2>&1 || die "chromium still not on PATH after apt-get install"
    fi
    say "chromium present: $(command -v chromium)"
fi

say "done"
