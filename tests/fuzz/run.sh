#!/usr/bin/env bash
# Runs Vireo's libFuzzer targets for a bounded time each and says whether any found something.
# `make fuzz` calls it after building the targets; it also runs alone:
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS OUT_DIR [NAME...]     (no NAME: every target)
#
# Target NAME is BUILD_DIR/tests/fuzz/NAME_fuzz, seeded from tests/fuzz/corpus/NAME/ (read only).
# What it learns goes to OUT_DIR/NAME/: the growing corpus (corpus/), its log (log), and anything
# it finds (crash-*, leak-*, timeout-*, oom-*: reproduce with `BUILD_DIR/tests/fuzz/NAME_fuzz FILE`).
# A table of runs, executions per second and coverage (libFuzzer's cov: and ft:) is printed and
# kept in OUT_DIR/summary.txt. The exit status is 1 when any target found something.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 BUILD_DIR SECONDS OUT_DIR [NAME...]" >&2
  exit 2
fi
build=$1
seconds=$2
out=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for dir in "$here"/corpus/*/; do
    names+=("$(basename "$dir")")
  done
fi

# The longest input each target takes, where libFuzzer's default (4096 bytes) is too small.
max_len() {
  case $1 in
    qcow2) echo 65536 ;;
    p9|virtio_*) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# UB stops the target at once, with a stack (the build has -fno-sanitize-recover=undefined).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$out"
summary=$out/summary.txt
printf '%-16s %10s %8s %7s %7s  %s\n' target runs exec/s cov ft result | tee "$summary"
failed=0
for name in "${names[@]}"; do
  binary=$build/tests/fuzz/${name}_fuzz
  if [ ! -x "$binary" ]; then
    echo "run.sh: $binary is missing: build the fuzz targets first (make fuzz)" >&2
    exit 2
  fi
  dir=$out/$name
  mkdir -p "$dir/corpus"
  status=0
  "$binary" -max_total_time="$seconds" -timeout=30 -max_len="$(max_len "$name")" -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" "$here/corpus/$name" >"$dir/log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  last=$(grep -E '^#[0-9]+.* cov: ' "$dir/log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  findings=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [ "$status" -eq 0 ] && [ "$findings" -eq 0 ]; then
    result=ok
  else
    result="FOUND (exit $status, $findings file(s) in $dir; see $dir/log)"
    failed=1
  fi
  printf '%-16s %10s %8s %7s %7s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$result" | tee -a "$summary"
done
exit $failed
