#!/usr/bin/env bash
# Extraction throughput: emlkit vs ripmime --mailbox, per-message munpack and
# mshow -x, in one hyperfine run (see ../shared/bench/BASELINE.md, section 4).
#
#   python3 ../shared/bench/gen_corpus.py --size 50M --out target/bench-data
#   cargo build --release
#   apt-get install ripmime mpack mblaze hyperfine
#   scripts/bench_extract.sh [50m]
#
# Output goes to /dev/shm (tmpfs), emptied before each run (not timed).
set -euo pipefail
name=${1:-50m}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/target/bench-data
mbox=$data/$name.mbox
md=$data/maildir-$name
exe=$root/target/release/emlkit
out=/dev/shm/emlkit-bench
mkdir -p "$out"
cat > "$out/permsg.sh" <<'SH'
#!/usr/bin/env bash
# One process per maildir file, each into its own folder: $1 = tool.
tool=$1 md=$2 out=$3
i=0
for f in "$md"/cur/* "$md"/new/*; do
  d=$out/$i; mkdir -p "$d"; i=$((i+1))
  case $tool in
    munpack) (cd "$d" && munpack -q -C "$d" "$f" >/dev/null 2>&1) ;;
    mshow) (cd "$d" && mshow -x "$f" >/dev/null 2>&1) ;;
    true) /bin/true ;;
  esac
done
SH
chmod +x "$out/permsg.sh"
hyperfine -N --warmup 1 --runs 5 --export-markdown "$out/results.md" \
  --prepare "rm -rf $out/o" \
  -n "emlkit extract (mbox)" "$exe extract -q $mbox -o $out/o" \
  -n "emlkit extract --json (mbox)" "$exe extract --json $mbox -o $out/o" \
  -n "emlkit extract (maildir)" "$exe extract -q $md -o $out/o" \
  -n "ripmime --mailbox" "ripmime --mailbox -i $mbox -d $out/o" \
  -n "munpack per message" "$out/permsg.sh munpack $md $out/o" \
  -n "mshow -x per message" "$out/permsg.sh mshow $md $out/o" \
  -n "/bin/true per message" "$out/permsg.sh true $md $out/o"
cat "$out/results.md"
echo "input: $(stat -c %s "$mbox") bytes (mbox), $(du -sb "$md" | cut -f1) bytes (maildir)"
