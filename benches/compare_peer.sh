#!/usr/bin/env bash
# Throughput of loyalsim vs the numpy peer (../shared/peer/numpy_agent.py) on the reference
# workload, both in customer-months per second, in the same run on the same machine:
#   1. one core each (taskset -c 0, --threads 1);
#   2. all cores (loyalsim --threads N; numpy: one process per core, throughputs added).
# loyalsim's figure is customer-months simulated (all arms) ÷ engine seconds, from the
# `performance` block of results.json; the peer prints the same ratio for its one arm.
# Usage: benches/compare_peer.sh [iterations-per-run]   (needs python3 with numpy: it creates
# .venv/ with numpy if `import numpy` fails)
set -euo pipefail
cd "$(dirname "$0")/.."
iters=${1:-6}
py=python3
if ! $py -c "import numpy" 2>/dev/null; then
  [ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q numpy; }
  py=.venv/bin/python
fi
cargo build --release --locked -q
bin=./target/release/loyalsim
peer=../shared/peer/numpy_agent.py
cores=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rate_loyalsim() { $py -c "import json,sys; print(json.load(open(sys.argv[1]))['performance']['customer_months_per_second'])" "$1/results.json"; }
rate_peer() { $py -c "import json,sys; print(json.loads(sys.stdin.read())['customer_months_per_s'])"; }

echo "reference workload, $iters iterations per run, $cores cores"
taskset -c 0 $bin run scenarios/reference-workload.toml -n "$iters" --threads 1 --quiet -o "$tmp/one"
l1=$(rate_loyalsim "$tmp/one")
p1=$(taskset -c 0 $py $peer --iterations "$iters" | rate_peer)
$bin run scenarios/reference-workload.toml -n $((iters * cores)) --threads "$cores" --quiet -o "$tmp/all"
ln=$(rate_loyalsim "$tmp/all")
for c in $(seq 0 $((cores - 1))); do
  taskset -c "$c" $py $peer --iterations "$iters" --seed $((c + 1)) > "$tmp/peer$c.json" &
done
wait
pn=$(cat "$tmp"/peer*.json | $py -c "import json,sys; print(sum(json.loads(l)['customer_months_per_s'] for l in sys.stdin))")
$py - "$l1" "$p1" "$ln" "$pn" "$cores" <<'PY'
import sys
l1, p1, ln, pn, n = map(float, sys.argv[1:])
print(f"one core : loyalsim {l1/1e6:6.1f} M customer-months/s, numpy {p1/1e6:5.1f} M/s, ratio {l1/p1:4.2f}x")
print(f"{int(n)} cores  : loyalsim {ln/1e6:6.1f} M customer-months/s, numpy {pn/1e6:5.1f} M/s, ratio {ln/pn:4.2f}x")
print(f"loyalsim speed-up 1 -> {int(n)} threads: {ln/l1:4.2f}x")
PY
