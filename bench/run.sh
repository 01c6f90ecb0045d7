#!/usr/bin/env bash
# Side-by-side benchmark: jmail vs a private Postfix null client, same machine, same run.
#
#   bench/run.sh                 # full run (queue scale with 100,000 messages)
#   SCALE=20000 bench/run.sh     # smaller queue-scale step
#   ROUNDS=3 ACCEPT=5000 bench/run.sh
#   JMAIL_DIST=/path/to/other/target/jmail BENCH_OUT=target/bench-base bench/run.sh   # before/after
#
# Needs root (installs Debian's postfix package for smtp-source/smtp-sink if missing; Postfix runs as
# its own instance under a temp dir, listener and relay on loopback ports; nothing touches port 25).
# Writes target/bench/results.md and target/bench/results.csv. Not part of CI.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
OUT=${BENCH_OUT:-$ROOT/target/bench}
DIST=${JMAIL_DIST:-$ROOT/target/jmail}   # another build to compare, e.g. main's
ROUNDS=${ROUNDS:-3}
ACCEPT=${ACCEPT:-5000}          # messages in the accept / end-to-end run
SIZE=${SIZE:-4096}              # message size (smtp-source -l)
SESSIONS=${SESSIONS:-10}
LATENCY_MSGS=${LATENCY_MSGS:-500}
SCALE=${SCALE:-100000}          # queue-scale step; 0 skips it
FLOW=${FLOW:-20000}             # H2 growth step: messages passed through with the relay up; 0 skips it
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-600}  # stop waiting for the queue-scale drain; the rate so far is reported
WORK=$(mktemp -d /tmp/jmail-bench.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.2f\", $* }"; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

install_postfix() {
  if command -v smtp-source >/dev/null && command -v smtp-sink >/dev/null && command -v postfix >/dev/null; then return; fi
  log "installing postfix (no configuration, nothing listens on port 25)"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null
}

build_jmail() {
  if [ ! -x "$DIST/bin/jmaild" ] || [ -n "${REBUILD:-}" ]; then
    log "building jmail"
    (cd "$ROOT" && mvn -B -q package -DskipTests)
  fi
}

# ---------------------------------------------------------------- sink
SINK_PID=
start_sink() {  # $1 port, $2 counter file
  stop_sink
  smtp-sink -c -u nobody "127.0.0.1:$1" 1024 >"$2" 2>&1 &
  SINK_PID=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done
}
stop_sink() { if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=; fi; }
sink_count() { tail -c 200 "$1" 2>/dev/null | tr '\r' '\n' | grep mesg= | tail -1 | sed 's/.*mesg=//' || true; }
await_sink() {  # $1 counter file, $2 n; echoes the time it got there
  local n
  while :; do n=$(sink_count "$1"); [ "${n:-0}" -ge "$2" ] && break; sleep 0.05; done
  now
}

# ---------------------------------------------------------------- postfix instance
PF=$WORK/postfix
PF_PORT=$(freeport)
. "$(dirname "$0")/postfix-null-client.sh"
setup_postfix() { postfix_null_client "$PF" "$PF_PORT" "$1"; }  # $1 relay port
pf_relay() { postconf -c "$PF/etc" -e "relayhost = [127.0.0.1]:$1"; }
pf_start() { postfix -c "$PF/etc" start >/dev/null 2>&1; await_port "$PF_PORT"; }
pf_stop() { postfix -c "$PF/etc" stop >/dev/null 2>&1 || true; sleep 1; }
pf_wipe() { pf_stop; postsuper -c "$PF/etc" -d ALL >/dev/null 2>&1 || true; }
pf_pids() { local m; m=$(head -1 "$PF/spool/pid/master.pid" 2>/dev/null | tr -d ' '); [ -n "$m" ] && { echo "$m"; pgrep -P "$m" || true; }; }
pf_queue_count() { find "$PF/spool/incoming" "$PF/spool/active" "$PF/spool/deferred" -type f 2>/dev/null | wc -l; }

# ---------------------------------------------------------------- jmail instance
JM=$WORK/jmail
JM_PORT=$(freeport)
JM_PID=
jm_conf() {  # $1 relay port
  mkdir -p "$JM"
  cat >"$JM/main.conf" <<EOF
myhostname = "perf.example.com"
myorigin = "example.com"
smtpd_listen = ["127.0.0.1:$JM_PORT"]
queue_directory = "$JM/spool"
alias_maps = ""
relayhost = "[127.0.0.1]:$1"
minimal_backoff_time = 300s
maximal_backoff_time = 4000s
EOF
}
jm_start() {
  "$DIST/bin/jmaild" -C "$JM/main.conf" >>"$JM/jmaild.log" 2>&1 &
  JM_PID=$!
  await_port "$JM_PORT"
  [ -n "${JM_JAVA:-}" ] || JM_JAVA=$("$(readlink -f "/proc/$JM_PID/exe")" -version 2>&1 | head -1)
}
jm_stop() { if [ -n "$JM_PID" ]; then kill "$JM_PID" 2>/dev/null || true; wait "$JM_PID" 2>/dev/null || true; JM_PID=; fi; }
jm_wipe() { jm_stop; rm -rf "$JM/spool"; }
jm_pids() { echo "$JM_PID"; }
jm_queue_count() { find "$JM/spool/messages" -type f 2>/dev/null | wc -l; }
jm_db_bytes() { stat -c %s "$JM/spool/db/queue.mv.db"; }

await_port() { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; log "port $1 never opened"; exit 1; }
rss_kb() { local t=0 p r; for p in $("$1"); do r=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0); t=$((t + ${r:-0})); done; echo "$t"; }
# PSS shares each shared page among the processes mapping it: fair for Postfix's ~15 processes.
pss_kb() { local t=0 p r; for p in $("$1"); do r=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0); t=$((t + ${r:-0})); done; echo "$t"; }

# Samples total RSS every 200 ms into $2 until the file $3 exists.
sample_rss() {
  local peak=0 ppeak=0 r
  while [ ! -e "$3" ]; do
    r=$(rss_kb "$1"); [ "$r" -gt "$peak" ] && peak=$r
    r=$(pss_kb "$1"); [ "$r" -gt "$ppeak" ] && ppeak=$r
    sleep 0.2
  done
  echo "$peak $ppeak" >"$2"
}

source_run() {  # $1 port, $2 sessions, $3 messages -> elapsed seconds
  local t0 t1
  t0=$(now)
  smtp-source -s "$2" -m "$3" -l "$SIZE" -f bench@example.com -t user@example.net -M perf.example.com "127.0.0.1:$1" >/dev/null
  t1=$(now)
  calc "$t1 - $t0"
}

# ---------------------------------------------------------------- results
CSV=$OUT/results.csv
echo "round,system,metric,value,unit" >"$CSV"
record() { echo "$1,$2,$3,$4,$5" >>"$CSV"; log "round $1 $2 $3 = $4 $5"; }

accept_round() {  # $1 round, $2 system (jmail|postfix)
  local sys=$2 port pids sinkport counter t0 t_acc t_all idle peakf
  sinkport=$(freeport); counter=$WORK/sink-$sys-$1.out
  start_sink "$sinkport" "$counter"
  if [ "$sys" = jmail ]; then jm_wipe; jm_conf "$sinkport"; jm_start; port=$JM_PORT; pids=jm_pids
  else pf_wipe; pf_relay "$sinkport"; pf_start; port=$PF_PORT; pids=pf_pids; fi
  sleep 3
  idle=$(rss_kb $pids)
  record "$1" "$sys" idle_rss "$(calc "$idle / 1024")" MB
  record "$1" "$sys" idle_pss "$(calc "$(pss_kb $pids) / 1024")" MB
  # single session: sequential transactions
  local el; el=$(source_run "$port" 1 "$LATENCY_MSGS")
  record "$1" "$sys" single_session_latency "$(calc "$el * 1000 / $LATENCY_MSGS")" ms
  await_sink "$counter" "$LATENCY_MSGS" >/dev/null
  start_sink "$sinkport" "$counter"
  peakf=$WORK/peak-$sys-$1; rm -f "$peakf" "$peakf.stop"
  sample_rss $pids "$peakf" "$peakf.stop" &
  local sampler=$!
  t0=$(now)
  el=$(source_run "$port" "$SESSIONS" "$ACCEPT")
  record "$1" "$sys" accept_rate "$(calc "$ACCEPT / $el")" msg/s
  t_all=$(await_sink "$counter" "$ACCEPT")
  touch "$peakf.stop"; wait "$sampler"
  record "$1" "$sys" end_to_end_rate "$(calc "$ACCEPT / ($t_all - $t0)")" msg/s
  record "$1" "$sys" accept_peak_rss "$(calc "$(cut -d' ' -f1 "$peakf") / 1024")" MB
  record "$1" "$sys" accept_peak_pss "$(calc "$(cut -d' ' -f2 "$peakf") / 1024")" MB
  if [ "$sys" = jmail ]; then jm_stop; else pf_stop; fi
  stop_sink
}

scale_round() {  # $1 system
  local sys=$1 port deadport sinkport counter tenth i el first last t0 t1 ls_s
  deadport=$(freeport)
  if [ "$sys" = jmail ]; then jm_wipe; jm_conf "$deadport"; jm_start; port=$JM_PORT
  else pf_wipe; pf_relay "$deadport"; pf_start; port=$PF_PORT; fi
  tenth=$((SCALE / 10))
  for i in $(seq 10); do
    el=$(source_run "$port" "$SESSIONS" "$tenth")
    [ "$i" = 1 ] && first=$(calc "$tenth / $el")
    [ "$i" = 10 ] && last=$(calc "$tenth / $el")
    log "$sys scale: $((i * tenth)) queued ($(calc "$tenth / $el") msg/s)"
  done
  record scale "$sys" scale_accept_first_tenth "$first" msg/s
  record scale "$sys" scale_accept_last_tenth "$last" msg/s
  # mail is accepted before it is queued in Postfix (cleanup -> incoming); wait until it all is.
  while [ "$( [ "$sys" = jmail ] && jm_queue_count || pf_queue_count)" -lt "$SCALE" ]; do sleep 0.5; done
  t0=$(now)
  if [ "$sys" = jmail ]; then JMAIL_CONF=$JM/main.conf "$DIST/bin/jmailq" >"$WORK/mailq-$sys"
  else postqueue -c "$PF/etc" -p >"$WORK/mailq-$sys"; fi
  t1=$(now)
  record scale "$sys" mailq_time "$(calc "$t1 - $t0")" s
  if [ "$sys" = jmail ]; then
    record scale jmail h2_bytes_per_queued_msg "$(calc "$(jm_db_bytes) / $SCALE")" B
  fi
  sinkport=$(freeport); counter=$WORK/sink-scale-$sys.out
  start_sink "$sinkport" "$counter"
  if [ "$sys" = jmail ]; then
    jm_stop; jm_conf "$sinkport"; jm_start
    t0=$(now); JMAIL_CONF=$JM/main.conf "$DIST/bin/jmailctl" flush >/dev/null
  else
    pf_relay "$sinkport"; postfix -c "$PF/etc" reload >/dev/null 2>&1
    t0=$(now); postqueue -c "$PF/etc" -f
  fi
  local got=0
  while :; do
    got=$(sink_count "$counter"); got=${got:-0}; t1=$(now)
    [ "$got" -ge "$SCALE" ] && break
    if [ "$(calc "$t1 - $t0 > $DRAIN_TIMEOUT")" = "1.00" ]; then log "$sys drain: gave up after ${DRAIN_TIMEOUT}s with $got of $SCALE"; break; fi
    sleep 0.1
  done
  record scale "$sys" flush_drain_rate "$(calc "$got / ($t1 - $t0)")" msg/s
  if [ "$sys" = jmail ] && [ "$got" -ge "$SCALE" ]; then
    sleep 2
    record scale jmail h2_bytes_after_drain "$(jm_db_bytes)" B
  fi
  if [ "$sys" = jmail ]; then jm_stop; else pf_stop; fi
  stop_sink
}

flow_round() {  # H2 file growth while messages flow through with the relay up (jmail only)
  local sinkport counter i
  sinkport=$(freeport); counter=$WORK/sink-flow.out
  start_sink "$sinkport" "$counter"
  jm_wipe; jm_conf "$sinkport"; jm_start
  for i in $(seq 4); do
    source_run "$JM_PORT" "$SESSIONS" $((FLOW / 4)) >/dev/null
    await_sink "$counter" $((i * FLOW / 4)) >/dev/null
    record flow jmail "h2_bytes_after_$((i * FLOW / 4))" "$(jm_db_bytes)" B
  done
  sleep 5
  record flow jmail h2_bytes_idle_after_flow "$(jm_db_bytes)" B
  jm_stop; stop_sink
}

cleanup() { jm_stop; pf_stop; stop_sink; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

install_postfix
build_jmail
sinkport0=$(freeport)
setup_postfix "$sinkport0"
jm_conf "$sinkport0"
log "work dir $WORK; jmail :$JM_PORT, postfix :$PF_PORT"

for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then accept_round "$r" jmail; accept_round "$r" postfix
  else accept_round "$r" postfix; accept_round "$r" jmail; fi
done
[ "$FLOW" -gt 0 ] && flow_round
[ "$SCALE" -gt 0 ] && { scale_round jmail; scale_round postfix; }

python3 "$ROOT/bench/report.py" "$CSV" "$OUT/results.md" \
  "$(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -r), jmaild on ${JM_JAVA:-?}, Postfix $(postconf -d -h mail_version)" \
  "ACCEPT=$ACCEPT SIZE=$SIZE SESSIONS=$SESSIONS ROUNDS=$ROUNDS SCALE=$SCALE FLOW=$FLOW"
cat "$OUT/results.md"
