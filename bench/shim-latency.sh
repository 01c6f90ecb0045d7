#!/bin/sh
# Benchmark (not a test): wall time of `echo x | sendmail user@example.com`, median of N runs (50),
# for jmail's bin/sendmail (jmaild running, relay = a local sink), Postfix's sendmail (a private
# instance, installed with apt-get if missing), and a trivial Hello on the JVM bin/sendmail uses,
# all in this one run, then the ratios. Traffic stays on 127.0.0.1.
#
#   mvn -B -q package -DskipTests && bench/shim-latency.sh [RUNS]

cd "$(dirname "$0")/.." || exit 1
RUNS=${1:-50}
DIST=${JMAIL_DIST:-target/jmail}
[ -x "$DIST/bin/sendmail" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
WORK=$(mktemp -d /tmp/jmail-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=
PF=
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do wait "$p" 2>/dev/null; done
  [ -n "$PF" ] && postfix -c "$WORK/postfix/etc" stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- a sink relay for both MTAs (smtp-sink comes with postfix; else nothing listens and mail defers)
SINK=$(free_port)
if command -v smtp-sink >/dev/null 2>&1; then
  smtp-sink -u nobody "127.0.0.1:$SINK" 1024 >/dev/null 2>&1 & PIDS="$PIDS $!"
fi

# --- jmail: jmaild on its own port and queue
LISTEN=$(free_port)
cat > "$WORK/main.conf" <<CONF
myhostname = "bench.example.com"
myorigin = "example.com"
smtpd_listen = ["127.0.0.1:$LISTEN"]
queue_directory = "$WORK/jmail-spool"
alias_maps = ""
relayhost = "[127.0.0.1]:$SINK"
smtp_tls_security_level = "none"
CONF
"$DIST/bin/jmaild" -C "$WORK/main.conf" > "$WORK/jmaild.log" 2>&1 & PIDS="$PIDS $!"
i=0
until grep -q "daemon started" "$WORK/jmaild.log" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 600 ] && { echo "jmaild did not start:" >&2; cat "$WORK/jmaild.log" >&2; exit 1; }
  sleep 0.1
done

# --- Postfix: a private null-client instance (see ../shared/notes/postfix-baseline.md)
if ! command -v postfix >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing postfix (private instance only; the system one is not started)..." >&2
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null 2>&1
fi
POSTFIX_SENDMAIL=
if command -v postfix >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  P="$WORK/postfix"
  PLISTEN=$(free_port)
  . bench/postfix-null-client.sh
  postfix_null_client "$P" "$PLISTEN" "$SINK"
  if postfix -c "$P/etc" set-permissions >/dev/null 2>&1 && postfix -c "$P/etc" start >/dev/null 2>&1; then
    PF=1
    POSTFIX_SENDMAIL="/usr/sbin/sendmail -C $P/etc"
  else
    echo "postfix private instance did not start; reporting jmail and Hello only" >&2
  fi
fi

# --- Hello on the JVM bin/sendmail picks, with the same flags
. "$DIST/bin/jmail-java"
mkdir -p "$WORK/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$WORK/hello/Hello.java"
JAVAC="$(dirname "$JAVA")/javac"
"$JAVAC" -d "$WORK/hello" "$WORK/hello/Hello.java" || exit 1
FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k"

python3 - "$RUNS" "$WORK" "$DIST/bin/sendmail" "$JAVA" "$FLAGS" "$POSTFIX_SENDMAIL" <<'PY'
import os, statistics, subprocess, sys, time
runs, work, shim, java, flags, postfix = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split(), sys.argv[6]
env = dict(os.environ, JMAIL_CONF=work + "/main.conf")

def once(cmd, stdin=b"x\n"):
    s = time.perf_counter()
    r = subprocess.run(cmd, input=stdin, env=env, capture_output=True)
    if r.returncode != 0:
        sys.exit("%s failed: %r" % (cmd, r.stderr))
    return (time.perf_counter() - s) * 1000

cmds = {"jmail sendmail": [shim, "user@example.com"],
        "Hello (same JVM, same flags)": [java] + flags + ["-cp", work + "/hello", "Hello"]}
if postfix:
    cmds["postfix sendmail"] = postfix.split() + ["user@example.com"]
for c in cmds.values():
    once(c)  # warm the page cache
# Round robin, so that load from elsewhere on the machine hits every command alike.
times = {k: [] for k in cmds}
for _ in range(runs):
    for k, c in cmds.items():
        times[k].append(once(c))
res = {k: (statistics.median(t), min(t)) for k, t in times.items()}
print("java: %s   runs: %d" % (java, runs))
for k, (med, mn) in res.items():
    print("%-30s median %7.1f ms   min %7.1f ms" % (k, med, mn))
j = res["jmail sendmail"][0]
print("ratio jmail / Hello:   %.2f  (target <= 1.3)" % (j / res["Hello (same JVM, same flags)"][0]))
if postfix:
    print("ratio jmail / Postfix: %.2f  (target <= 5)" % (j / res["postfix sendmail"][0]))
PY
