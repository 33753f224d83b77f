#!/usr/bin/env bash
# Runs every fuzz target for a given time and reports executions, crashes
# and slow inputs.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 300)
#
# FUZZ_INPUT_TIMEOUT (default 5) is the limit per input in seconds: an input
# slower than that is a failure (libFuzzer's -timeout), as a crash is.
#
# With cargo-fuzz (`cargo install cargo-fuzz`) the targets run under
# libFuzzer; on a stable toolchain the nightly-only flags cargo-fuzz passes
# are enabled with RUSTC_BOOTSTRAP=1 (this works with Rust 1.95 stable).
# Without cargo-fuzz, the same properties (fuzz/checks.rs) run on stable as
# the loop test tests/cli/fuzz_loop.rs, for the same time per target.
# Seeds come from testdata/ and ../shared/corpora. Crashes are left in
# fuzz/artifacts/<target>/; turn each into a regression test named after it.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-300}"
input_timeout="${FUZZ_INPUT_TIMEOUT:-5}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz not found: running the stable loop (tests/cli/fuzz_loop.rs) for ${secs} s per target"
  cd ..
  EMLKIT_FUZZ_SECS="$secs" EMLKIT_FUZZ_INPUT_SECS="$input_timeout" \
    cargo test --release --test cli fuzz_loop -- --nocapture
  exit $?
fi
export RUSTC_BOOTSTRAP=1
targets=$(cargo fuzz list)
seed() {
  local t=$1 d=corpus/$1
  mkdir -p "$d"
  case $t in
    message|trace)
      cp ../testdata/messages/*.eml ../testdata/trace/*/*.eml "$d"/ 2>/dev/null
      cp ../../shared/corpora/stalwartlabs-mail-parser/resources/eml/*/*.eml "$d"/ 2>/dev/null ;;
    mbox)
      cp ../../shared/corpora/jstedfast-gmime/tests/data/mbox/input/*.mbox "$d"/ 2>/dev/null
      cp ../../shared/corpora/python-cpython/Lib/test/test_email/data/mailbox_01.mbox "$d"/ 2>/dev/null ;;
    build_spec)
      cp ../testdata/build/*.json "$d"/ 2>/dev/null ;;
  esac
  true
}
status=0
printf '%-14s %12s %8s\n' target executions crashes
for t in $targets; do
  seed "$t"
  log=$(mktemp)
  cargo fuzz run -O "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
      -timeout="$input_timeout" -max_len=262144 >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1)
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  crashes=$(ls "artifacts/$t" 2>/dev/null | wc -l)
  printf '%-14s %12s %8s\n' "$t" "${execs:-?}" "$crashes"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then status=1; tail -20 "$log"; fi
  rm -f "$log"
done
exit $status
