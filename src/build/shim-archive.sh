#!/bin/sh
# Builds the shim's class archive (AOT cache on JDK 25+, AppCDS before) at package time: one real
# submission through bin/sendmail against a throw-away config and a stand-in listener
# (TrainingListener.java, run from source by the same JVM), so the archive holds what config
# loading, cleanup and the SMTP client load. A failure here only costs start-up time, never the build.
dist=${1:?usage: shim-archive.sh DIST_DIR}
work="$dist/../shim-train"
rm -rf "$work" && mkdir -p "$work/spool/maildrop" || exit 0
. "$dist/bin/jmail-java"
"$JAVA" "$(dirname "$0")/TrainingListener.java" > "$work/listener.out" 2>&1 &
listener=$!
i=0
while ! grep -q listening "$work/listener.out" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
# Without a listener (a JRE cannot run a source file) the run trains the maildrop path instead.
port=$(sed -n 's/^listening //p' "$work/listener.out")
cat > "$work/main.conf" <<CONF
myhostname = "train.example.com"
myorigin = "example.com"
smtpd_listen = ["127.0.0.1:${port:-1}"]
queue_directory = "$work/spool"
alias_maps = ""
CONF
printf 'Subject: training\n\nx\n' | JMAIL_CONF="$work/main.conf" JMAIL_SHIM_TRAIN=1 "$dist/bin/sendmail" -i user@example.com \
  >"$work/train.log" 2>&1
rc=$?
kill $listener 2>/dev/null
ls "$work/spool/maildrop" | grep -q . && echo "shim-archive: the training run did not reach the stand-in listener" >> "$work/train.log"
if [ $rc -eq 0 ] && [ -r "$dist/lib/shim.java" ]; then
  echo "shim-archive: $(ls "$dist"/lib/shim.aot "$dist"/lib/shim.jsa 2>/dev/null) for $(cat "$dist/lib/shim.java")"
else
  echo "shim-archive: no archive (exit $rc), the shim runs without one; see $work/train.log"
fi
rm -rf "$work/spool"
exit 0
