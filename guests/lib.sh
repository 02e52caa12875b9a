# shellcheck shell=bash
# Shared helpers for the guest build scripts (sourced, not executed).
# Callers set PROG (used in messages) before sourcing and run under `set -euo pipefail`.

VIREO_CACHE=${VIREO_CACHE:-${HOME:?HOME is not set}/.cache/vireo}
CROSS_COMPILE=${CROSS_COMPILE:-riscv64-linux-gnu-}

log() { printf '%s: %s\n' "${PROG:-vireo-guest}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${PROG:-vireo-guest}" "$*" >&2; exit 1; }

# Print "VERSION" of an installed Debian package, or nothing if it is not installed.
pkg_version() {
    dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
        awk '$1 == "ii" { print $2 }'
}

# ensure_packages PKG... -- apt-get install whatever of PKG is not installed yet.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        [[ -n "$(pkg_version "$p")" ]] || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ $(id -u) -eq 0 ]] ||
        die "missing packages: ${missing[*]} -- run as root or: sudo apt-get install ${missing[*]}"
    log "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
        log "apt-get install failed; running apt-get update and retrying"
        apt-get update >&2 || die "apt-get update failed"
        apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
            die "apt-get install ${missing[*]} failed"
    fi
}

# with_lock FILE CMD... -- run CMD holding an exclusive flock on FILE (serialises
# concurrent builds that share a work directory).
with_lock() {
    local lockfile=$1
    shift
    mkdir -p "$(dirname "$lockfile")"
    exec {lock_fd}>"$lockfile"
    if ! flock -n "$lock_fd"; then
        log "waiting for another build holding $lockfile"
        flock "$lock_fd"
    fi
    "$@"
    exec {lock_fd}>&-
}

# run_logged LOGFILE CMD... -- run CMD with its output in LOGFILE (or on stderr when
# VIREO_VERBOSE=1); on failure show the tail of the log and die.
run_logged() {
    local logfile=$1
    shift
    if [[ ${VIREO_VERBOSE:-0} == 1 ]]; then
        "$@" 2>&1 | tee -a "$logfile" >&2 || die "command failed: $* (log: $logfile)"
    elif ! "$@" >>"$logfile" 2>&1; then
        tail -n 40 "$logfile" >&2
        die "command failed: $* (full log: $logfile)"
    fi
}

elapsed() { printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)); }
