#!/usr/bin/env bash
# Throughput and peak memory of emlkit against cat and grep, in one run.
#
# Generates the benchmark corpus with ../shared/bench/gen_corpus.py (fixed
# seed, see ../shared/bench/BASELINE.md) into $DATA unless present, then
# times each command $RUNS times (median) and once more under /usr/bin/time
# for the peak resident set. Output goes to a pipe, as in BASELINE.md
# (grep stops early when stdout is /dev/null).
#
#   bench/compare.sh                   # 50m and 1g
#   SIZES=50m RUNS=5 bench/compare.sh  # quicker
#   NO_PY=1 DATA=/path bench/compare.sh # without the Python peers, other data
#
# Peak RSS includes the pages of the memory-mapped input that are resident at
# that moment; emlkit releases processed pages (madvise), so this also bounds
# its heap.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-target/bench-data}
SIZES=${SIZES:-"50m 1g"}
RUNS=${RUNS:-3}
GEN=${GEN:-../shared/bench/gen_corpus.py}
EMLKIT=${EMLKIT:-target/release/emlkit}

cargo build --release --quiet
# The bare mail-parser probe (../shared/bench/probe): the reference of the
# speed targets, measured in the same run.
PROBE=${PROBE:-target/probe/release/probe}
if [ ! -x "$PROBE" ] && [ -f ../shared/bench/probe/Cargo.toml ]; then
  cargo build --release --quiet --locked --manifest-path ../shared/bench/probe/Cargo.toml \
    --target-dir target/probe || true
fi
mkdir -p "$DATA"
for s in $SIZES; do
  if [ ! -f "$DATA/$s.mbox" ]; then
    size=$(echo "$s" | tr a-z A-Z)
    extra=""
    [ "$s" = "1g" ] && extra="--no-maildir"
    python3 "$GEN" --size "$size" --name "$s" --out "$DATA" $extra >&2
  fi
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run CORPUS BYTES MSGS NAME CMD...: prints one table row. Every run goes
# through /usr/bin/time; the row shows the median wall time, the median CPU
# time (user + sys: on a shared, loaded machine the wall time waits for a
# core, the CPU time does not), and the largest peak RSS.
run() {
  local corpus=$1 bytes=$2 msgs=$3 name=$4; shift 4
  local tf walls=() cpus=() rss=0 e u sy m
  tf=$(mktemp)
  "$@" > /dev/null 2>&1 || true   # warm-up (page cache)
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" 2>/dev/null | cat > /dev/null
    read -r e u sy m < "$tf"
    walls+=("$e")
    cpus+=("$(echo "$u + $sy" | bc -l)")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  rm -f "$tf"
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  # Guard against a 0.00 reading on tiny runs.
  [ "$(echo "$cpu < 0.01" | bc -l)" = 1 ] && cpu=0.01
  [ "$(echo "$wall < 0.01" | bc -l)" = 1 ] && wall=0.01
  printf '| %s | %s | %.2f | %.0f | %.2f | %.0f | %.0f | %.1f |\n' "$corpus" "$name" \
    "$wall" "$(echo "$bytes / $wall / 1000000" | bc -l)" \
    "$cpu" "$(echo "$bytes / $cpu / 1000000" | bc -l)" "$(echo "$msgs / $cpu" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $RUNS runs each"
echo
echo "| corpus | command | wall s | MB/s (wall) | CPU s | MB/s (CPU) | msgs/s (CPU) | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for s in $SIZES; do
  f="$DATA/$s.mbox"
  bytes=$(stat -c %s "$f")
  msgs=$(wc -l < "$DATA/$s.manifest.jsonl")
  run "$s" "$bytes" "$msgs" "cat" cat "$f"
  run "$s" "$bytes" "$msgs" "grep -c '^From '" grep -c '^From ' "$f"
  run "$s" "$bytes" "$msgs" "emlkit info" "$EMLKIT" info "$f"
  run "$s" "$bytes" "$msgs" "emlkit headers -H Subject -j1" "$EMLKIT" headers -H Subject -j1 "$f"
  run "$s" "$bytes" "$msgs" "emlkit headers -H Subject" "$EMLKIT" headers -H Subject "$f"
  run "$s" "$bytes" "$msgs" "emlkit json -j1" "$EMLKIT" json -j1 "$f"
  run "$s" "$bytes" "$msgs" "emlkit tree -j1" "$EMLKIT" tree -j1 "$f"
  # Issue 16's targets: against grep -c '^From ' above.
  run "$s" "$bytes" "$msgs" "emlkit trace --json -j1" "$EMLKIT" trace --json -j1 "$f"
  run "$s" "$bytes" "$msgs" "emlkit trace --stats -j1" "$EMLKIT" trace --stats -j1 "$f"
  if [ -x "$PROBE" ]; then
    run "$s" "$bytes" "$msgs" "probe parse -j 1 (mail-parser)" "$PROBE" parse "$f" -j 1
    run "$s" "$bytes" "$msgs" "probe json-meta -j 1 (mail-parser)" "$PROBE" json-meta "$f" -j 1
  fi
  out=$(mktemp -d /dev/shm/emlkit-bench.XXXX)
  run "$s" "$bytes" "$msgs" "emlkit extract -j1 (tmpfs)" \
    bash -c "rm -rf $out/e && mkdir $out/e && exec $EMLKIT extract -j1 -q -o $out/e $f"
  run "$s" "$bytes" "$msgs" "emlkit extract --json -j1 (tmpfs)" \
    bash -c "rm -rf $out/j && mkdir $out/j && exec $EMLKIT extract -j1 --json -o $out/j $f"
  if command -v ripmime > /dev/null; then
    run "$s" "$bytes" "$msgs" "ripmime --mailbox (tmpfs)" \
      bash -c "rm -rf $out/r && mkdir $out/r && exec ripmime --mailbox -i $f -d $out/r"
  fi
  rm -rf "$out"
  run "$s" "$bytes" "$msgs" "emlkit json" "$EMLKIT" json "$f"
  # Python peers (pip install eml-parser mail-parser), on the 50m corpus only
  # as in BASELINE.md: their rates carry over to 1g within ~10 %.
  if [ "$s" = "50m" ] && [ -z "${NO_PY:-}" ]; then
    for peer in eml_parser mailparser; do
      if python3 -c "import $peer" 2>/dev/null; then
        run "$s" "$bytes" "$msgs" "python $peer + json.dumps" python3 bench/pypeers.py "$peer" "$f"
      else
        echo "| $s | python $peer | (not installed: pip install ${peer/_/-}) | | | | | |"
      fi
    done
  fi
done
