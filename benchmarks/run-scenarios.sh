#!/usr/bin/env bash
# The one command that runs the socket scenarios of /work/shared/guides/benchmarks.md against our server and the
# peers (SignalR hub, naive Kestrel WebSocket loop, Node ws) in the same run, and writes
# benchmarks/results/<utc-stamp>/{raw.jsonl,results.json,results.md}.
#
#   benchmarks/run-scenarios.sh            full scale (10k–19k connections; needs a quiet machine, ~1–2 h)
#   benchmarks/run-scenarios.sh --quick    each scenario tiny (200 connections, 5 s) to prove the pipeline
#   options: --runs N (default 3; --quick default 1)  --only "idle-memory fanout-hot fanout-spread slow-consumers cluster e2e-latency"
#            --targets "ours naive signalr node"; sizes from BENCH_<NAME> variables (BENCH_HOT_CONN=2000 …);
#            BENCH_SERVER_ENV="VAR=value …" is added to our server's environment (an A/B of runtime settings);
#            BENCH_LG_ENV="VAR=value …" is added to the load generator's environment (e.g. its GC settings);
#            BENCH_LG_ARGS="…" is added to the load generator's e2e command line for our server, e.g.
#            "--connect-during-catch-up" (clients connect during the start-up backfill: a restart under load);
#            BENCH_SERVER_TREE=DIR builds and runs our server from another checkout (ab.sh: an older server measured
#            by this script and load generator, for scenarios the older tree lacks)
#
# Every child process is started by this script and killed on exit; every wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
QUICK=0; RUNS=""; ONLY="e2e-latency idle-memory fanout-hot fanout-spread slow-consumers cluster ingest history"; TARGETS="ours naive signalr node"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --targets) TARGETS="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  RUNS="${RUNS:-1}"; IDLE_NS="200"; HOT_CONN=200; HOT_RATES="20 50"; SPREAD_CONN=200; SPREAD_MINTS=50; SPREAD_RATE=100
  E2E_CONN=200; E2E_MINTS=50; E2E_RATE=100; CLUSTER_CONN=300; DURATION=5; WARMUP=2; HOLD=3; INGEST_MINTS="1,100"; INGEST_PASSES=3; HIST_CONC=8
  SLOW_STALLED=20
else
  RUNS="${RUNS:-3}"; IDLE_NS="1000 5000 10000 19000"; HOT_CONN=10000; HOT_RATES="50 100 200 500 1000 2000 5000"
  SPREAD_CONN=10000; SPREAD_MINTS=1000; SPREAD_RATE=1000; E2E_CONN=1000; E2E_MINTS=1000; E2E_RATE=1000; CLUSTER_CONN=9000
  DURATION=30; WARMUP=5; HOLD=15; INGEST_MINTS="1,100,10000"; INGEST_PASSES=18; HIST_CONC=16
  SLOW_STALLED=1000
fi
# Any of the sizes above can be overridden from the environment for a focused run (e.g. HOT_CONN=2000).
for v in IDLE_NS HOT_CONN HOT_RATES SPREAD_CONN SPREAD_MINTS SPREAD_RATE SLOW_STALLED CLUSTER_CONN E2E_CONN E2E_MINTS E2E_RATE DURATION WARMUP HOLD INGEST_MINTS INGEST_PASSES HIST_CONC; do
  o="BENCH_$v"; [ -n "${!o:-}" ] && printf -v "$v" '%s' "${!o}"
done
P99_LIMIT_MS=50
SERVER_PORT=18180; NATS_PORT=18222; INGEST_PORT=18190; GATEWAY_PORT=18190  # gateways on GATEWAY_PORT + 1 … + 3
SIM_RPC=18899; SIM_WS=18900; SIGNALR_PORT=18181; NAIVE_PORT=18182; NODE_PORT=18183
OUT="$ROOT/benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT/logs"
RAW="$OUT/raw.jsonl"; : > "$RAW"
CLK_TCK=$(getconf CLK_TCK)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# start_bg NAME CMD… : background process, output to logs/NAME.log; sets BG_PID.
start_bg() {
  local name="$1"; shift
  "$@" > "$OUT/logs/$name.log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}
stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# wait_line FILE REGEX SECONDS PID : until the line appears (fails if PID died or time ran out).
wait_line() {
  local file="$1" re="$2" secs="$3" pid="$4" i
  for i in $(seq 1 $((secs * 10))); do
    grep -qE "$re" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited before '$re' in $file"; tail -5 "$file" >&2; return 1; }
    sleep 0.1
  done
  log "timeout waiting for '$re' in $file"; return 1
}
wait_exit() { # wait_exit PID SECONDS
  local pid="$1" secs="$2" i
  for i in $(seq 1 $((secs * 10))); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }; sleep 0.1; done
  log "process $pid still running after ${secs}s; killing"; stop_pid "$pid"; return 1
}
rss_anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
vm_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
result_of() { grep -m1 '^RESULT ' "$1" | sed 's/^RESULT //' || true; }
# record SCENARIO TARGET PARAM RUN JSON [EXTRA-JSON]
record() {
  local extra="${6:-{\}}"
  jq -c --arg s "$1" --arg t "$2" --arg p "$3" --argjson r "$4" --argjson x "$extra" \
    '. + $x + {scenario:$s, target:$t, param:$p, run:$r}' <<<"$5" >> "$RAW"
}

# Inline socket completions: the load generator's receive callbacks are short (cut frames, read a few fields), so
# running them on the epoll thread instead of hopping to the thread pool roughly halves its CPU per frame.
# BENCH_LG_ENV="VAR=value …" adds to the load generator's environment (its GC settings were tried this way: no change
# in the e2e figures, docs/benchmarks.md, seventh pass).
LG=(env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 ${BENCH_LG_ENV:-} dotnet "$ROOT/tools/SpinPet.LoadGen/bin/Release/net10.0/SpinPet.LoadGen.dll")
BENCH_DLL="$ROOT/benchmarks/SpinPet.Benchmarks/bin/Release/net10.0/SpinPet.Benchmarks.dll"
SERVER_TREE="$(cd "${BENCH_SERVER_TREE:-$ROOT}" && pwd)"
SERVER_DLL="$SERVER_TREE/src/SpinPet.Server/bin/Release/net10.0/SpinPet.Server.dll"
SIM_DLL="$ROOT/tools/SpinPet.ChainSimulator/bin/Release/net10.0/SpinPet.ChainSimulator.dll"

log "building (Release)"
for p in "$SERVER_TREE/src/SpinPet.Server" tools/SpinPet.LoadGen tools/SpinPet.ChainSimulator benchmarks/peers/SignalRPeer benchmarks/peers/NaiveKestrelPeer benchmarks/SpinPet.Benchmarks; do
  timeout 600 dotnet build -c Release -v q -nologo "$p" > "$OUT/logs/build.log" 2>&1 || { tail -20 "$OUT/logs/build.log"; exit 1; }
done
if [ ! -d benchmarks/peers/node-ws/node_modules ]; then (cd benchmarks/peers/node-ws && timeout 300 npm ci --no-audit --no-fund > "$OUT/logs/npm.log" 2>&1); fi

# start_node PORT DB RPC_URL WS_URL [VAR=VALUE …] : one server process on PORT with database DB and any extra settings;
# sets NODE_PID. Every load-generator connection comes from 127.0.0.x, a few addresses standing for thousands of
# clients: the per-address limits (connections, outbox budget) are raised to the process's, as for clients behind NAT.
start_node() {
  local port="$1" db="$2" rpc="$3" ws="$4"; shift 4
  # From its own tree: the server reads config/default.toml from the working directory first (BENCH_SERVER_TREE).
  start_bg "server-$port-$RANDOM" env -C "$SERVER_TREE" SPIN_SERVER__HOST=127.0.0.1 SPIN_SERVER__PORT="$port" SPIN_LOGGING__LEVEL=warning \
    SPIN_SOLANA__RPC_URL="$rpc" SPIN_SOLANA__WS_URL="$ws" SPIN_DATABASE__ROCKSDB_PATH="$db" \
    SPIN_WEBSOCKET__MAX_CONNECTIONS=20000 SPIN_WEBSOCKET__MAX_CONNECTIONS_PER_IP=20000 \
    SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_PER_IP=1073741824 SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_TOTAL=1073741824 \
    SPIN_WEBSOCKET__MAX_MESSAGES_PER_SECOND=1000000 SPIN_WEBSOCKET__MESSAGE_BURST=1000000 \
    SPIN_REST__MAX_REQUESTS_PER_SECOND=1000000 SPIN_REST__BURST=1000000 \
    ${BENCH_SERVER_ENV:-} "$@" dotnet "$SERVER_DLL"
  NODE_PID=$BG_PID
  wait_port "$port" 60 "$NODE_PID"
}
wait_port() { # wait_port PORT SECONDS PID : until something listens on 127.0.0.1:PORT (fails if PID died)
  for _ in $(seq 1 $(($2 * 10))); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; kill -0 "$3" || return 1; sleep 0.1; done
  return 1
}
# start_server RPC_URL WS_URL [DB] : the single process on SERVER_PORT (a fresh database unless DB); sets SERVER_PID.
start_server() {
  local db="${3:-}"; [ -n "$db" ] || db="$(mktemp -d "$OUT/db.XXXX")"
  start_node $SERVER_PORT "$db" "$1" "$2" || return 1
  SERVER_PID=$NODE_PID
}
# start_peer NAME : sets PEER_PID, PEER_URL, PEER_CONTROL, PEER_PROTO.
start_peer() {
  case "$1" in
    signalr) start_bg "peer-signalr-$RANDOM" dotnet benchmarks/peers/SignalRPeer/bin/Release/net10.0/SignalRPeer.dll --port $SIGNALR_PORT --payload "$OUT/kline_data.json"
             PEER_URL="ws://127.0.0.1:$SIGNALR_PORT/hub"; PEER_CONTROL="http://127.0.0.1:$SIGNALR_PORT/control"; PEER_PROTO=signalr ;;
    naive)   start_bg "peer-naive-$RANDOM" dotnet benchmarks/peers/NaiveKestrelPeer/bin/Release/net10.0/NaiveKestrelPeer.dll --port $NAIVE_PORT --payload "$OUT/kline_data.json"
             PEER_URL="ws://127.0.0.1:$NAIVE_PORT/ws"; PEER_CONTROL="http://127.0.0.1:$NAIVE_PORT/control"; PEER_PROTO=spinpet ;;
    node)    start_bg "peer-node-$RANDOM" node benchmarks/peers/node-ws/server.js --port $NODE_PORT --payload "$OUT/kline_data.json"
             PEER_URL="ws://127.0.0.1:$NODE_PORT/ws"; PEER_CONTROL="http://127.0.0.1:$NODE_PORT/control"; PEER_PROTO=spinpet ;;
  esac
  PEER_PID=$BG_PID
  wait_line "$OUT/logs/$(ls -t "$OUT/logs" | grep -m1 "^peer-$1")" "Now listening" 60 "$PEER_PID"
  sleep 1
}

# ours_sim SCENARIO PARAM RUN CONN SUBS MINTS RATE [--capture FILE]: simulator in the load generator → our server → clients.
ours_sim() {
  local scen="$1" param="$2" run="$3" conn="$4" subs="$5" mints="$6" rate="$7"; shift 7
  local lgl="$OUT/logs/lg-$scen-ours-$param-$run.log"
  "${LG[@]}" e2e --server "ws://127.0.0.1:$SERVER_PORT/ws" --connections "$conn" --subscriptions "$subs" --topics "$mints" \
    --sim-mints "$mints" --sim-rate "$rate" --sim-rpc-port $SIM_RPC --sim-ws-port $SIM_WS --duration $DURATION --warmup $WARMUP ${BENCH_LG_ARGS:-} "$@" > "$lgl" 2>&1 &
  local lg=$!; PIDS+=("$lg")
  wait_line "$lgl" '^SIM_READY' 120 "$lg"
  start_server "http://127.0.0.1:$SIM_RPC/" "ws://127.0.0.1:$SIM_WS/"
  wait_line "$lgl" '^WINDOW_START' 300 "$lg"; local t0; t0=$(cpu_ticks "$SERVER_PID"); local s0; s0=$(date +%s.%N)
  local gc0; gc0=$(server_metrics "$SERVER_PORT" | gc_figures)
  local peak_file="$OUT/logs/rss-peak-$scen-$param-$run.txt"
  rss_peak_sampler "$SERVER_PID" "$peak_file" & local sampler=$!; PIDS+=("$sampler")
  wait_line "$lgl" '^WINDOW_END' $((DURATION * 3 + 30)) "$lg"; local t1; t1=$(cpu_ticks "$SERVER_PID"); local s1; s1=$(date +%s.%N)
  local rss; rss=$(rss_anon_kb "$SERVER_PID")
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  local metrics; metrics=$(server_metrics "$SERVER_PORT")
  local counters; counters=$(slow_consumer_counters <<<"$metrics")
  local gc1; gc1=$(gc_figures <<<"$metrics")
  wait_exit "$lg" 120 || true
  stop_pid "$SERVER_PID"
  local res; res=$(result_of "$lgl")
  [ -n "$res" ] || { log "no RESULT in $lgl"; tail -5 "$lgl" >&2; return 0; }
  local extra; extra=$(jq -c --argjson c "$counters" --argjson peak "$(cat "$peak_file" 2>/dev/null || echo 0)" --argjson g0 "$gc0" --argjson g1 "$gc1" \
    --argjson w "$(python3 -c "print(float('$s1') - float('$s0'))")" \
    '. + $c + {server_rss_anon_peak_kb:$peak,
      server_gc_pause_ms_per_s:(((($g1.pause_s - $g0.pause_s) * 1000 / $w) * 10 | round) / 10),
      server_alloc_mb_per_s:(((($g1.allocated_b - $g0.allocated_b) / 1048576 / $w) * 10 | round) / 10),
      server_gen0_per_s:(((($g1.gen0 - $g0.gen0) / $w) * 100 | round) / 100),
      server_gen1_in_window:($g1.gen1 - $g0.gen1), server_gen2_in_window:($g1.gen2 - $g0.gen2)}' \
    <<<"$(server_cpu_json "$t0" "$t1" "$s0" "$s1" "$rss" "$res")")
  record "$scen" "${OURS_TARGET:-ours}" "$param" "$run" "$res" "$extra"
}
# rss_peak_sampler PID FILE : the highest RssAnon (KB) seen every 0.5 s, kept in FILE, until killed or PID exits.
rss_peak_sampler() {
  local peak=0 now
  while kill -0 "$1" 2>/dev/null; do
    now=$(rss_anon_kb "$1"); [ "$now" -gt "$peak" ] && { peak=$now; echo "$peak" > "$2"; }
    sleep 0.5
  done
}
# server_metrics PORT : the server's /metrics text (empty when it does not answer in 5 s).
server_metrics() { curl -s --max-time 5 "http://127.0.0.1:$1/metrics" 2>/dev/null || true; }
# gc_figures < METRICS : the collector's totals (System.Runtime meter), as JSON; zeros when absent.
gc_figures() {
  awk '
    /^dotnet_gc_pause_time_seconds_total/ {p=$NF}
    /^dotnet_gc_heap_total_allocated_bytes_total/ {a=$NF}
    /^dotnet_gc_collections_total/ && /gen0/ {g0=$NF} /^dotnet_gc_collections_total/ && /gen1/ {g1=$NF}
    /^dotnet_gc_collections_total/ && /gen2/ {g2=$NF}
    END {printf "{\"pause_s\":%s,\"allocated_b\":%s,\"gen0\":%s,\"gen1\":%s,\"gen2\":%s}\n", p+0, a+0, g0+0, g1+0, g2+0}'
}
# slow_consumer_counters < METRICS : the server's slow-consumer figures, as JSON (0 when absent).
slow_consumer_counters() {
  local m; m=$(cat)
  local closes conflated peak
  closes=$(awk '/^spinpet_ws_slow_consumer_closes_total[ {]/ {print $NF; exit}' <<<"$m"); conflated=$(awk '/^spinpet_ws_conflated_updates_total[ {]/ {print $NF; exit}' <<<"$m")
  peak=$(awk '/^spinpet_ws_outbox_peak_bytes[ {]/ {print $NF; exit}' <<<"$m")
  echo "{\"slow_consumer_closes\":${closes:-0},\"conflated_updates\":${conflated:-0},\"outbox_peak_bytes\":${peak:-0}}"
}
server_cpu_json() { # ticks0 ticks1 secs0 secs1 rss_kb result
  local frames; frames=$(jq '.frames_in_window' <<<"$6")
  python3 -c "import json,sys;t=(int('$2')-int('$1'))/$CLK_TCK;w=float('$4')-float('$3');f=max(1,int('$frames'));print(json.dumps({'server_cpu_pct':round(100*t/w,1),'server_cpu_us_per_frame':round(1e6*t/f,2),'server_rss_anon_kb':int('$5')}))"
}
# peer_fanout SCENARIO PARAM RUN PEER CONN SUBS TOPICS RATE
peer_fanout() {
  local scen="$1" param="$2" run="$3" peer="$4" conn="$5" subs="$6" topics="$7" rate="$8"
  start_peer "$peer"
  local lgl="$OUT/logs/lg-$scen-$peer-$param-$run.log"
  "${LG[@]}" fanout --server "$PEER_URL" --protocol "$PEER_PROTO" --control "$PEER_CONTROL" --connections "$conn" \
    --subscriptions "$subs" --topics "$topics" --mints "$OUT/mints.txt" --rate "$rate" --duration $DURATION --warmup $WARMUP > "$lgl" 2>&1 &
  local lg=$!; PIDS+=("$lg")
  wait_line "$lgl" '^WINDOW_START' 300 "$lg"; local t0; t0=$(cpu_ticks "$PEER_PID"); local s0; s0=$(date +%s.%N)
  wait_line "$lgl" '^WINDOW_END' $((DURATION * 3 + 30)) "$lg"; local t1; t1=$(cpu_ticks "$PEER_PID"); local s1; s1=$(date +%s.%N)
  local rss; rss=$(rss_anon_kb "$PEER_PID")
  wait_exit "$lg" 120 || true
  stop_pid "$PEER_PID"
  local res; res=$(result_of "$lgl")
  [ -n "$res" ] || { log "no RESULT in $lgl"; tail -5 "$lgl" >&2; return 0; }
  record "$scen" "$peer" "$param" "$run" "$res" "$(server_cpu_json "$t0" "$t1" "$s0" "$s1" "$rss" "$res")"
}
# idle TARGET N RUN : RssAnon of the target before and while N idle clients hold 3 subscriptions each.
idle_one() {
  local target="$1" n="$2" run="$3" url proto=spinpet pid sim=""
  if [ "$target" = ours ]; then
    start_bg "sim-idle-$RANDOM" dotnet "$SIM_DLL" --rpc-port $SIM_RPC --ws-port $SIM_WS --tps 0 --mints 3; sim=$BG_PID
    wait_line "$OUT/logs/$(ls -t "$OUT/logs" | grep -m1 '^sim-idle')" 'PubSub' 60 "$sim"
    start_server "http://127.0.0.1:$SIM_RPC/" "ws://127.0.0.1:$SIM_WS/"; pid=$SERVER_PID; url="ws://127.0.0.1:$SERVER_PORT/ws"
  else
    start_peer "$target"; pid=$PEER_PID; url="$PEER_URL"; proto="$PEER_PROTO"
  fi
  sleep 2
  local before; before=$(rss_anon_kb "$pid"); local vbefore; vbefore=$(vm_rss_kb "$pid")
  local lgl="$OUT/logs/lg-idle-$target-$n-$run.log"
  "${LG[@]}" idle --server "$url" --protocol "$proto" --connections "$n" --subscriptions 3 --mints "$OUT/mints.txt" --hold $HOLD > "$lgl" 2>&1 &
  local lg=$!; PIDS+=("$lg")
  # Read early (at most 5 s into the hold, as every run before the settled figure) and, with a hold of 20 s or more,
  # settled (3 s before the hold ends): a server's collector may give memory back once the connection storm is over.
  local early=$((HOLD / 2 < 5 ? HOLD / 2 : 5))
  wait_line "$lgl" '^HOLDING' 600 "$lg"; sleep "$early"
  local after; after=$(rss_anon_kb "$pid"); local vafter; vafter=$(vm_rss_kb "$pid")
  local settled="null"
  if [ "$HOLD" -ge 20 ]; then
    sleep $((HOLD - 3 - early)); kill -0 "$pid" 2>/dev/null && settled=$(( ($(rss_anon_kb "$pid") - before) * 1024 / n ))
  fi
  wait_exit "$lg" $((HOLD + 120)) || true
  stop_pid "$pid"; [ -n "$sim" ] && stop_pid "$sim"
  local res; res=$(result_of "$lgl")
  [ -n "$res" ] || { log "no RESULT in $lgl"; return 0; }
  record idle-memory "$target" "$n" "$run" "$res" \
    "{\"rss_anon_before_kb\":$before,\"rss_anon_after_kb\":$after,\"bytes_per_conn_rss_anon\":$(( (after - before) * 1024 / n )),\"bytes_per_conn_vmrss\":$(( (vafter - vbefore) * 1024 / n )),\"bytes_per_conn_rss_anon_settled\":$settled,\"settled_after_s\":$((HOLD - 3))}"
}

# ingest RUN : replay through parse → decode → candles → RocksDB, one RESULT per mint count.
ingest_run() {
  local run="$1" lgl="$OUT/logs/ingest-$1.log"
  timeout 3600 dotnet "$BENCH_DLL" --ingest-throughput "$INGEST_MINTS" "$INGEST_PASSES" > "$lgl" 2>&1 || { log "ingest failed"; tail -5 "$lgl" >&2; return 0; }
  grep '^RESULT ' "$lgl" | sed 's/^RESULT //' | while read -r res; do
    record ingest ours "$(jq -r .mints <<<"$res")" "$run" "$res"
  done
}
# history RUN : 10M stored candles (1,000 mints × 10,000 s1), REST and WS pages of 100 and 1,000, beside Kestrel's
# plain-text hello world (the naive peer's /plaintext) asked by the same client: the ceiling of client + Kestrel.
history_run() {
  local run="$1" store_log="$OUT/logs/history-store.log"
  timeout 3600 dotnet "$BENCH_DLL" --history-latency --build-only --mints-out "$OUT/history-mints.txt" > "$store_log" 2>&1 || { log "history store build failed"; tail -5 "$store_log" >&2; return 0; }
  local src; src=$(awk '/^STORE / {print $2}' "$store_log"); local first; first=$(sed -n 's/.*first_time=\([0-9]*\).*/\1/p' "$store_log")
  local per; per=$(sed -n 's/.*candles_per_mint=\([0-9]*\).*/\1/p' "$store_log")
  local db="$OUT/db-history"; rm -rf "$db"; cp -r "$src" "$db"
  start_bg "sim-history-$RANDOM" dotnet "$SIM_DLL" --rpc-port $SIM_RPC --ws-port $SIM_WS --tps 0 --mints 1; local sim=$BG_PID
  wait_line "$OUT/logs/$(ls -t "$OUT/logs" | grep -m1 '^sim-history')" 'PubSub' 60 "$sim"
  start_server "http://127.0.0.1:$SIM_RPC/" "ws://127.0.0.1:$SIM_WS/" "$db"
  local limit kind
  for limit in 100 1000; do
    for kind in rest ws; do
      local lgl="$OUT/logs/lg-history-$kind-$limit-$run.log"
      if [ "$kind" = rest ]; then
        "${LG[@]}" http --url "http://127.0.0.1:$SERVER_PORT/api/kline" --mints "$OUT/history-mints.txt" --limit $limit \
          --first-time "$first" --candles-per-mint "$per" --concurrency $HIST_CONC --duration $DURATION --warmup $WARMUP > "$lgl" 2>&1 &
      else
        "${LG[@]}" wshistory --server "ws://127.0.0.1:$SERVER_PORT/ws" --mints "$OUT/history-mints.txt" --limit $limit \
          --first-time "$first" --candles-per-mint "$per" --concurrency $HIST_CONC --duration $DURATION --warmup $WARMUP > "$lgl" 2>&1 &
      fi
      history_measure "$!" "$lgl" "$SERVER_PID" "$kind-$limit" ours "$run"
    done
  done
  stop_pid "$SERVER_PID"; stop_pid "$sim"; rm -rf "$db"
  start_peer naive
  local lgl="$OUT/logs/lg-history-hello-$run.log"
  "${LG[@]}" http --url "http://127.0.0.1:$NAIVE_PORT/plaintext" --concurrency $HIST_CONC --duration $DURATION --warmup $WARMUP > "$lgl" 2>&1 &
  history_measure "$!" "$lgl" "$PEER_PID" hello-world naive "$run"
  stop_pid "$PEER_PID"
}
history_measure() { # LG_PID LOG TARGET_PID PARAM TARGET RUN
  local lg="$1" lgl="$2" pid="$3"; PIDS+=("$lg")
  wait_line "$lgl" '^WINDOW_START' 120 "$lg"; local t0; t0=$(cpu_ticks "$pid"); local s0; s0=$(date +%s.%N)
  wait_line "$lgl" '^WINDOW_END' $((DURATION * 3 + 30)) "$lg"; local t1; t1=$(cpu_ticks "$pid"); local s1; s1=$(date +%s.%N)
  wait_exit "$lg" 60 || true
  local res; res=$(result_of "$lgl")
  [ -n "$res" ] || { log "no RESULT in $lgl"; tail -5 "$lgl" >&2; return 0; }
  local cpu; cpu=$(python3 -c "print(round(100*((int('$t1')-int('$t0'))/$CLK_TCK)/(float('$s1')-float('$s0')),1))")
  record history "$5" "$4" "$6" "$res" "{\"server_cpu_pct\":$cpu}"
}

# cluster RUN : the fanout-spread load (CLUSTER_CONN connections × 5 subscriptions over SPREAD_MINTS mints at
# SPREAD_RATE trades/s, trades from the load generator's simulator through the real ingest) on one process, then on a
# cluster on this same machine: nats-server (JetStream, a fresh store), one ingest node and 3 gateways, the load
# generator dealing connection i to gateway i mod 3. CPU and RssAnon are the sums over every process of the target.
cluster_run() {
  local run="$1" scen=cluster
  OURS_TARGET=single ours_sim "$scen" "$CLUSTER_CONN" "$run" "$CLUSTER_CONN" 5 "$SPREAD_MINTS" "$SPREAD_RATE"
  local store; store="$(mktemp -d "$OUT/db.nats.XXXX")"
  start_bg "nats-$run" nats-server -a 127.0.0.1 -p $NATS_PORT -js -sd "$store/js"; local nats=$BG_PID
  wait_port $NATS_PORT 30 "$nats" || { log "nats-server did not start"; return 0; }
  local urls="" g
  for g in 1 2 3; do urls="$urls${urls:+,}ws://127.0.0.1:$((GATEWAY_PORT + g))/ws"; done
  local lgl="$OUT/logs/lg-$scen-3-gateways-$CLUSTER_CONN-$run.log"
  "${LG[@]}" e2e --server "$urls" --connections "$CLUSTER_CONN" --subscriptions 5 --topics "$SPREAD_MINTS" \
    --sim-mints "$SPREAD_MINTS" --sim-rate "$SPREAD_RATE" --sim-rpc-port $SIM_RPC --sim-ws-port $SIM_WS --duration $DURATION --warmup $WARMUP > "$lgl" 2>&1 &
  local lg=$!; PIDS+=("$lg")
  wait_line "$lgl" '^SIM_READY' 120 "$lg"
  local common=(SPIN_CLUSTER__MODE=nats SPIN_CLUSTER__NATS_URL="nats://127.0.0.1:$NATS_PORT" SPIN_CLUSTER__STREAM="BENCH$run")
  local rpc="http://127.0.0.1:$SIM_RPC/" ws="ws://127.0.0.1:$SIM_WS/"
  start_node $INGEST_PORT "$(mktemp -d "$OUT/db.XXXX")" "$rpc" "$ws" "${common[@]}" SPIN_CLUSTER__ROLE=ingest SPIN_CLUSTER__NODE_ID=ingest-1
  local ingest=$NODE_PID gateways=()
  for g in 1 2 3; do
    start_node $((GATEWAY_PORT + g)) "$(mktemp -d "$OUT/db.XXXX")" "$rpc" "$ws" "${common[@]}" SPIN_CLUSTER__ROLE=gateway SPIN_CLUSTER__NODE_ID="gateway-$g"
    gateways+=("$NODE_PID")
  done
  local all=("$nats" "$ingest" "${gateways[@]}")
  ticks() { local sum=0 p; for p in "$@"; do sum=$((sum + $(cpu_ticks "$p"))); done; echo $sum; }
  wait_line "$lgl" '^WINDOW_START' 300 "$lg"
  local n0 i0 g0 s0; n0=$(ticks "$nats"); i0=$(ticks "$ingest"); g0=$(ticks "${gateways[@]}"); s0=$(date +%s.%N)
  wait_line "$lgl" '^WINDOW_END' $((DURATION * 3 + 30)) "$lg"
  local n1 i1 g1 s1; n1=$(ticks "$nats"); i1=$(ticks "$ingest"); g1=$(ticks "${gateways[@]}"); s1=$(date +%s.%N)
  local rss=0 p; for p in "${all[@]}"; do rss=$((rss + $(rss_anon_kb "$p"))); done
  wait_exit "$lg" 120 || true
  for p in "${gateways[@]}" "$ingest" "$nats"; do stop_pid "$p"; done
  rm -rf "$store"
  local res; res=$(result_of "$lgl")
  [ -n "$res" ] || { log "no RESULT in $lgl"; tail -5 "$lgl" >&2; return 0; }
  local split; split=$(python3 -c "import json;w=float('$s1')-float('$s0');c=lambda a,b:round(100*(int(b)-int(a))/$CLK_TCK/w,1);print(json.dumps({'nats_cpu_pct':c('$n0','$n1'),'ingest_cpu_pct':c('$i0','$i1'),'gateways_cpu_pct':c('$g0','$g1')}))")
  record "$scen" 3-gateways "$CLUSTER_CONN" "$run" "$res" \
    "$(jq -c --argjson x "$split" '. + $x' <<<"$(server_cpu_json $((n0 + i0 + g0)) $((n1 + i1 + g1)) "$s0" "$s1" "$rss" "$res")")"
}

# The payload the peers replay and the mints every scenario uses: one of our own kline_data messages, captured
# from a short e2e run before anything is measured.
log "capturing our kline_data payload"
ours_sim capture 0 0 10 1 "$E2E_MINTS" 50 --capture "$OUT/kline_data.json" --mints-out "$OUT/mints.txt"
[ -s "$OUT/kline_data.json" ] || { log "no kline_data captured"; exit 1; }

for run in $(seq 1 "$RUNS"); do
  for scen in $ONLY; do
    case "$scen" in
      e2e-latency)
        log "run $run e2e-latency: $E2E_CONN conns x 5 subs over $E2E_MINTS mints at $E2E_RATE trades/s"
        ours_sim e2e-latency "$E2E_RATE" "$run" "$E2E_CONN" 5 "$E2E_MINTS" "$E2E_RATE" ;;
      idle-memory)
        for n in $IDLE_NS; do for t in $TARGETS; do
          log "run $run idle-memory $t N=$n"; idle_one "$t" "$n" "$run"
        done; done ;;
      fanout-hot)
        for t in $TARGETS; do
          for rate in $HOT_RATES; do
            log "run $run fanout-hot $t $HOT_CONN conns rate=$rate/s"
            # 10 ms slots: our server publishes at most one state per candle per block, so 400 ms slots would cap
            # the per-topic push rate at ~3.5/s whatever the trade rate; short slots let the push rate follow it.
            if [ "$t" = ours ]; then ours_sim fanout-hot "$rate" "$run" "$HOT_CONN" 1 1 "$rate" --sim-slot-ms 10
            else peer_fanout fanout-hot "$rate" "$run" "$t" "$HOT_CONN" 1 1 "$rate"; fi
            p99=$(jq -r --arg t "$t" --arg r "$rate" 'select(.scenario=="fanout-hot" and .target==$t and .param==$r) | .push_latency.p99_ms' "$RAW" | tail -1)
            if [ -n "$p99" ] && python3 -c "import sys; sys.exit(0 if float('$p99') > $P99_LIMIT_MS or float('$p99') < 0 else 1)"; then
              log "fanout-hot $t: p99 $p99 ms > $P99_LIMIT_MS ms at $rate/s; stop rising"; break
            fi
          done
        done ;;
      fanout-spread)
        for t in $TARGETS; do
          log "run $run fanout-spread $t $SPREAD_CONN conns x 5 over $SPREAD_MINTS mints at $SPREAD_RATE/s"
          if [ "$t" = ours ]; then ours_sim fanout-spread "$SPREAD_RATE" "$run" "$SPREAD_CONN" 5 "$SPREAD_MINTS" "$SPREAD_RATE"
          else peer_fanout fanout-spread "$SPREAD_RATE" "$run" "$t" "$SPREAD_CONN" 5 "$SPREAD_MINTS" "$SPREAD_RATE"; fi
        done ;;
      slow-consumers)
        # fanout-spread's load with SLOW_STALLED of its clients no longer reading once subscribed (4 KB receive buffers):
        # the server's memory (peak RssAnon in the window) and the other clients' latency, beside fanout-spread's rows.
        log "run $run slow-consumers: $SPREAD_CONN conns x 5 over $SPREAD_MINTS mints at $SPREAD_RATE/s, $SLOW_STALLED of them stalled"
        ours_sim slow-consumers "$SLOW_STALLED" "$run" "$SPREAD_CONN" 5 "$SPREAD_MINTS" "$SPREAD_RATE" --stalled "$SLOW_STALLED" ;;
      ingest)
        log "run $run ingest: mints $INGEST_MINTS, $INGEST_PASSES passes of 56,000 events each"
        ingest_run "$run" ;;
      cluster)
        log "run $run cluster: $CLUSTER_CONN conns x 5 over $SPREAD_MINTS mints at $SPREAD_RATE/s, one process then nats + ingest + 3 gateways"
        cluster_run "$run" ;;
      history)
        log "run $run history: REST and WS pages of 100 and 1,000 candles, 10M stored, $HIST_CONC concurrent clients"
        history_run "$run" ;;
      *) log "unknown scenario $scen" ;;
    esac
  done
done

# The servers' databases (tens of MB each) are not results.
rm -rf "$OUT"/db.* "$OUT/db-history"
python3 "$ROOT/benchmarks/scenarios/summarize.py" "$RAW" "$OUT/results.json" "$OUT/results.md" \
  "$(nproc) vCPU, $(uname -r), dotnet $(dotnet --version), node $(node --version), load average at end: $(cut -d' ' -f1-3 /proc/loadavg), quick=$QUICK runs=$RUNS"
log "results: $OUT/results.md"
cat "$OUT/results.md"
