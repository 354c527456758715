#!/usr/bin/env bash
# A/B of two commits in one run: the fan-out and ingest scenarios of run-scenarios.sh against our server only,
# alternated base, head, base, head … so that a noisy machine's drift falls on both sides alike. Writes
# benchmarks/results/ab-<utc-stamp>/{raw.jsonl,ab.md}: per scenario and parameter the median of each side and
# head ÷ base.
#
#   benchmarks/ab.sh BASE_REF [ROUNDS]      e.g. benchmarks/ab.sh main 3   (head = this working tree)
#   sizes as in run-scenarios.sh, from BENCH_* variables; the defaults here are a 2-core box's middle ground:
#   BENCH_HOT_CONN=2000 BENCH_HOT_RATES="200 1000" BENCH_DURATION=15 BENCH_INGEST_MINTS="1,100" BENCH_INGEST_PASSES=6
#   BENCH_AB_ONLY="fanout-hot fanout-spread" picks other scenarios (default "fanout-hot ingest"; also "history",
#   "idle-memory" with BENCH_IDLE_NS and BENCH_HOLD)
#   BENCH_AB_TOOLS=head measures both servers with this tree's run-scenarios.sh and load generator (only the server
#   is built from BASE_REF): for a scenario the base tree's scripts lack, e.g. "slow-consumers"
#
# The base tree is a `git archive` of BASE_REF beside this one (so its ../shared is the same) and is removed on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE_REF="${1:?usage: benchmarks/ab.sh BASE_REF [ROUNDS]}"
ROUNDS="${2:-3}"
BASE_SHA="$(git -C "$ROOT" rev-parse --short "$BASE_REF")"
HEAD_SHA="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo +dirty)"
BASE_TREE="$(dirname "$ROOT")/spinpet-ab-$BASE_SHA-$$"
OUT="$ROOT/benchmarks/results/ab-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT" "$BASE_TREE"
trap 'rm -rf "$BASE_TREE"' EXIT
git -C "$ROOT" archive "$BASE_REF" | tar -x -C "$BASE_TREE"

export BENCH_HOT_CONN="${BENCH_HOT_CONN:-2000}" BENCH_HOT_RATES="${BENCH_HOT_RATES:-200 1000}"
export BENCH_DURATION="${BENCH_DURATION:-15}" BENCH_WARMUP="${BENCH_WARMUP:-3}"
export BENCH_INGEST_MINTS="${BENCH_INGEST_MINTS:-1,100}" BENCH_INGEST_PASSES="${BENCH_INGEST_PASSES:-6}"

: > "$OUT/raw.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  for side in base head; do
    tree="$ROOT"; server_tree="$ROOT"
    if [ "$side" = base ]; then
      server_tree="$BASE_TREE"; [ "${BENCH_AB_TOOLS:-base}" = head ] || tree="$BASE_TREE"
    fi
    echo "[$(date -u +%H:%M:%S)] round $round: $side, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    before="$(ls -d "$tree"/benchmarks/results/2* 2>/dev/null | sort | tail -1 || true)"
    BENCH_SERVER_TREE="$server_tree" "$tree/benchmarks/run-scenarios.sh" --only "${BENCH_AB_ONLY:-fanout-hot ingest}" --targets ours --runs 1 >&2
    dir="$(ls -d "$tree"/benchmarks/results/2* | sort | tail -1)"
    [ "$dir" != "$before" ] || { echo "no results from the $side run" >&2; exit 1; }
    jq -c --arg side "$side" --argjson round "$round" '. + {side:$side, round:$round}' "$dir/raw.jsonl" >> "$OUT/raw.jsonl"
  done
done

python3 - "$OUT/raw.jsonl" "$BASE_SHA" "$HEAD_SHA" > "$OUT/ab.md" <<'EOF'
import json, statistics, sys
from collections import defaultdict
raw, base, head = sys.argv[1:4]
METRICS = {"fanout-hot": [("frames_per_s", "frames/s", 1), ("server_cpu_us_per_frame", "server µs/frame", -1),
                          ("push_latency.p99_ms", "push p99 ms", -1)],
           "fanout-spread": [("frames_per_s", "frames/s", 1), ("server_cpu_pct", "server CPU %", -1),
                             ("push_latency.p99_ms", "push p99 ms", -1), ("server_rss_anon_peak_kb", "server RssAnon peak KB", -1),
                             ("server_gc_pause_ms_per_s", "GC pause ms/s", -1), ("server_alloc_mb_per_s", "alloc MB/s", -1)],
           "slow-consumers": [("server_rss_anon_peak_kb", "server RssAnon peak KB", -1), ("slow_consumer_closes", "slow-consumer closes", 0),
                              ("push_latency.p99_ms", "others' push p99 ms", -1), ("connections_without_frames", "others without frames", -1),
                              ("server_cpu_pct", "server CPU %", -1)],
           "e2e-latency": [("e2e_latency.p50_ms", "trade → client p50 ms", -1), ("e2e_latency.p99_ms", "trade → client p99 ms", -1),
                           ("e2e_from_tick_latency.p99_ms", "from the slot tick p99 ms", -1), ("push_latency.p99_ms", "push p99 ms", -1),
                           ("sim_send_latency.p99_ms", "simulator send p99 ms", -1), ("loadgen_gc_pause_ms_window", "load generator GC pause ms", -1),
                           ("server_cpu_pct", "server CPU %", -1)],
           "idle-memory": [("bytes_per_conn_rss_anon_settled", "RssAnon B/conn settled", -1),
                           ("bytes_per_conn_rss_anon", "RssAnon B/conn early", -1)],
           "ingest": [("events_per_s_median", "events/s", 1)],
           "history": [("requests_per_s", "requests/s", 1), ("latency.p99_ms", "p99 ms", -1)]}
def get(row, path):
    for part in path.split("."):
        row = row.get(part) if isinstance(row, dict) else None
    return row
values = defaultdict(list)
for line in open(raw):
    r = json.loads(line)
    for path, _, _ in METRICS.get(r["scenario"], []):
        v = get(r, path)
        if isinstance(v, (int, float)):
            values[(r["scenario"], r["param"], path, r["side"])].append(v)
print(f"A/B: base {base}, head {head}; median over rounds (each side's runs alternated)\n")
print("| scenario | param | metric | base | head | head ÷ base | better is |")
print("|---|---|---|---:|---:|---:|---|")
for scenario, metrics in METRICS.items():
    params = sorted({k[1] for k in values if k[0] == scenario}, key=lambda p: float(p) if p.replace('.', '').isdigit() else 0)
    for param in params:
        for path, label, sign in metrics:
            b, h = values.get((scenario, param, path, "base")), values.get((scenario, param, path, "head"))
            if not b or not h:
                continue
            mb, mh = statistics.median(b), statistics.median(h)
            ratio = f"{mh / mb:.2f}" if mb else "n/a"
            print(f"| {scenario} | {param} | {label} | {mb:,.2f} | {mh:,.2f} | {ratio} | {'higher' if sign > 0 else 'lower' if sign < 0 else '(a count)'} |")
EOF
cat "$OUT/ab.md"
