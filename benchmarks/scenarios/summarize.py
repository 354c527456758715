#!/usr/bin/env python3
"""Aggregates benchmarks/results/<stamp>/raw.jsonl (one line per run) into results.json and a markdown table:
median over the runs with min-max, and each target's ratio to our server measured in the same run set."""
import json
import statistics
import sys
from collections import defaultdict

raw, out_json, out_md, machine = sys.argv[1:5]
rows = [json.loads(line) for line in open(raw) if line.strip()]
rows = [r for r in rows if r.get("scenario") != "capture"]

METRICS = {
    "idle-memory": [("bytes_per_conn_rss_anon", "B/conn RssAnon"), ("bytes_per_conn_rss_anon_settled", "B/conn RssAnon settled"), ("bytes_per_conn_vmrss", "B/conn VmRSS"),
                    ("connected", "connected"), ("subscriptions_confirmed", "confirmed")],
    "fanout-hot": [("frames_per_s", "frames/s"), ("push_latency.p50_ms", "p50 ms"), ("push_latency.p99_ms", "p99 ms"),
                   ("push_latency.p999_ms", "p99.9 ms"), ("server_cpu_us_per_frame", "server µs/frame"),
                   ("server_cpu_pct", "server CPU %"), ("server_gc_pause_ms_per_s", "GC pause ms/s"),
                   ("server_alloc_mb_per_s", "alloc MB/s"), ("loadgen_cpu_pct_window", "loadgen CPU %"), ("server_closes", "drops")],
    "fanout-spread": [("frames_per_s", "frames/s"), ("push_latency.p50_ms", "p50 ms"), ("push_latency.p99_ms", "p99 ms"),
                      ("push_latency.p999_ms", "p99.9 ms"), ("server_cpu_pct", "server CPU %"),
                      ("server_rss_anon_kb", "server RssAnon KB"), ("server_rss_anon_peak_kb", "server RssAnon peak KB"),
                      ("server_gc_pause_ms_per_s", "GC pause ms/s"), ("server_alloc_mb_per_s", "alloc MB/s"),
                      ("server_gen0_per_s", "gen0/s"), ("loadgen_cpu_pct_window", "loadgen CPU %")],
    "slow-consumers": [("stalled", "stalled clients"), ("server_rss_anon_peak_kb", "server RssAnon peak KB"),
                       ("server_rss_anon_kb", "server RssAnon at end KB"), ("slow_consumer_closes", "slow-consumer closes"),
                       ("outbox_peak_bytes", "outbox peak B"), ("conflated_updates", "conflated"),
                       ("push_latency.p50_ms", "others' p50 ms"), ("push_latency.p99_ms", "others' p99 ms"),
                       ("connections_without_frames", "others without frames"), ("frames_per_s", "frames/s"),
                       ("server_cpu_pct", "server CPU %"), ("server_gc_pause_ms_per_s", "GC pause ms/s"),
                       ("loadgen_cpu_pct_window", "loadgen CPU %")],
    "cluster": [("connected", "connected"), ("connections_without_frames", "conns without frames"),
                ("frames_per_s", "delivered updates/s"), ("push_latency.p50_ms", "p50 ms"), ("push_latency.p99_ms", "p99 ms"),
                ("e2e_latency.p99_ms", "trade→client p99 ms"), ("server_cpu_pct", "CPU % (all processes)"),
                ("gateways_cpu_pct", "gateways CPU %"), ("ingest_cpu_pct", "ingest CPU %"), ("nats_cpu_pct", "nats CPU %"),
                ("server_rss_anon_kb", "RssAnon KB (all)"), ("loadgen_cpu_pct_window", "loadgen CPU %"),
                ("server_closes", "drops")],
    "e2e-latency": [("e2e_latency.p50_ms", "e2e p50 ms"), ("e2e_latency.p99_ms", "e2e p99 ms"),
                    ("e2e_latency.p999_ms", "e2e p99.9 ms"), ("e2e_from_tick_latency.p99_ms", "from slot tick p99 ms"),
                    ("sim_produce_latency.p99_ms", "composing p99 ms"), ("sim_send_latency.p99_ms", "sim send p99 ms"), ("push_latency.p99_ms", "push p99 ms"),
                    ("frames_per_s", "frames/s"), ("unmatched_states", "unmatched"), ("loadgen_cpu_pct_window", "loadgen CPU %"),
                    ("loadgen_gc_pause_ms_window", "loadgen GC pause ms")],
    "ingest": [("events_per_s_median", "events/s (median pass)"), ("events_per_s_min", "slowest pass"),
               ("events_per_s_max", "fastest pass")],
    "history": [("requests_per_s", "requests/s"), ("latency.p50_ms", "p50 ms"), ("latency.p99_ms", "p99 ms"),
                ("latency.p999_ms", "p99.9 ms"), ("server_cpu_pct", "server CPU %"), ("loadgen_cpu_pct_window", "loadgen CPU %"),
                ("requests_failed", "failed")],
}


def get(row, path):
    value = row
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


groups = defaultdict(list)
for r in rows:
    groups[(r["scenario"], r["param"], r["target"])].append(r)

summary = []
def param_key(p):
    try:
        return (0, float(p), "")
    except ValueError:
        return (1, 0.0, p)


for (scenario, param, target), runs in sorted(groups.items(), key=lambda kv: (kv[0][0], param_key(kv[0][1]), kv[0][2])):
    entry = {"scenario": scenario, "param": param, "target": target, "runs": len(runs), "metrics": {}}
    for path, label in METRICS.get(scenario, []):
        values = [v for v in (get(r, path) for r in runs) if isinstance(v, (int, float))]
        if values:
            entry["metrics"][path] = {"label": label, "median": statistics.median(values), "min": min(values), "max": max(values)}
    summary.append(entry)

json.dump({"machine": machine, "results": summary}, open(out_json, "w"), indent=2)


def fmt(m):
    if m is None:
        return "–"
    med, lo, hi = m["median"], m["min"], m["max"]
    f = (lambda x: f"{x:,.0f}") if abs(med) >= 100 else (lambda x: f"{x:,.1f}")
    return f(med) if lo == hi else f"{f(med)} ({f(lo)}–{f(hi)})"


lines = [f"Machine: {machine}", ""]
for scenario in METRICS:
    entries = [e for e in summary if e["scenario"] == scenario]
    if not entries:
        continue
    cols = METRICS[scenario]
    lines += [f"### {scenario}", "", "| param | target | runs | " + " | ".join(label for _, label in cols) + " |",
              "|---|---|---:|" + "---:|" * len(cols)]
    for e in entries:
        lines.append(f"| {e['param']} | {e['target']} | {e['runs']} | " + " | ".join(fmt(e["metrics"].get(p)) for p, _ in cols) + " |")
    lines.append("")
open(out_md, "w").write("\n".join(lines) + "\n")
