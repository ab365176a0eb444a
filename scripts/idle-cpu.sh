#!/usr/bin/env bash
# idle-cpu.sh WEB WORKER [worker flags...]
#
# How much CPU an idle worker (connected, nothing to do) spends, in ms a
# second: WEB migrates a fresh DATA_DIR, then WORKER runs on it with no users
# and utime+stime is read from /proc/<pid>/stat IDLE_SKIP seconds after start
# and IDLE_SECONDS later (one clock tick of resolution). Linux only.
#
# Redis: IDLE_REDIS (default redis://127.0.0.1:6541), database IDLE_DB
# (default 1). Run several at once on different IDLE_DB to compare builds in
# one sitting; see docs/BENCHMARKS.md ("Session 12").
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 WEB WORKER [worker flags...]" >&2; exit 2; }
web=$1 worker=$2; shift 2
redis=${IDLE_REDIS:-redis://127.0.0.1:6541} db=${IDLE_DB:-1}
skip=${IDLE_SKIP:-30} secs=${IDLE_SECONDS:-300}
port=$((18230 + db))
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

DATA_DIR=$dir REDIS_URL=$redis/$db LISTEN_ADDR=127.0.0.1:$port BASE_URL=http://localhost:$port \
	"$web" >"$dir/web.log" 2>&1 &
wpid=$!
for _ in $(seq 1 120); do
	curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
	sleep 0.5
done
kill "$wpid"; wait "$wpid" 2>/dev/null || true
[ -f "$dir/otklik.db" ] || { echo "idle-cpu: $web did not migrate $dir" >&2; cat "$dir/web.log" >&2; exit 1; }

DATA_DIR=$dir REDIS_URL=$redis/$db "$worker" "$@" >"$dir/worker.log" 2>&1 &
pid=$!
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
tck=$(getconf CLK_TCK)
sleep "$skip"; t0=$(cpu)
sleep "$secs"; t1=$(cpu)
kill "$pid"; wait "$pid" 2>/dev/null || true
ms=$(( (t1 - t0) * 1000 / tck ))
printf '%s %s: %d ms over %d s = %s ms/s\n' "$worker" "$*" "$ms" "$secs" \
	"$(awk -v m="$ms" -v s="$secs" 'BEGIN { printf "%.3f", m / s }')"
