#!/usr/bin/env bash
# bench/run.sh: wcsfsm validate against the baseline (bench/baseline:
# bufio.Scanner + encoding/json + one looplab FSM per entity), on a log of
# full hook bodies from `wcsfsm gen`. Prints medians, MB/s and the ratio; peak
# RSS on the log and on one 4x longer with as many sessions open at once;
# and the speedup of -j 2 over -j 1. Not part of CI (it takes a minute or
# two); .ci/run runs it with SMOKE=1 on a small log.
#
#   bash bench/run.sh                 # RUNS=5 EVENTS=200000 SESSIONS=500
#   RUNS=9 EVENTS=400000 bash bench/run.sh
#   SMOKE=1 bash bench/run.sh         # one quick run of everything, small logs
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
EVENTS=${EVENTS:-200000}
SESSIONS=${SESSIONS:-500}
if [[ -n "${SMOKE:-}" ]]; then
	RUNS=1 EVENTS=20000 SESSIONS=100
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/wcsfsm" ./cmd/wcsfsm
go build -o "$tmp/baseline" ./bench/baseline
go build -o "$tmp/maxrss" ./bench/maxrss

"$tmp/wcsfsm" gen -seed 1 -events "$EVENTS" -sessions "$SESSIONS" >"$tmp/1x.jsonl"
"$tmp/wcsfsm" gen -seed 1 -events $((4 * EVENTS)) -sessions "$SESSIONS" >"$tmp/4x.jsonl"
size1=$(wc -c <"$tmp/1x.jsonl")
size4=$(wc -c <"$tmp/4x.jsonl")

# Both must agree that the log is valid before their speeds mean anything.
"$tmp/wcsfsm" validate -strict "$tmp/1x.jsonl" >/dev/null 2>&1 || {
	echo "run.sh: wcsfsm validate finds errors in the generated log" >&2
	exit 1
}
"$tmp/baseline" "$tmp/1x.jsonl" | grep -q ' 0 illegal transitions, 0 malformed' || {
	echo "run.sh: the baseline finds errors in the generated log" >&2
	exit 1
}

# measure NAME CMD...: one run; appends "wall rss" to $tmp/NAME.
measure() {
	local name=$1
	shift
	local out
	out=$("$tmp/maxrss" "$@")
	local code=${out##* }
	if [[ "$code" != 0 ]]; then
		echo "run.sh: $* exited $code" >&2
		exit 1
	fi
	echo "${out% *}" >>"$tmp/$name.times"
}

# median FILE COLUMN: the median of a column of numbers.
median() {
	sort -g -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
echo "wcsfsm bench: $(go version | cut -d' ' -f3-), $cores cores, $RUNS runs each, in turn"
echo "log 1x: $EVENTS events, $SESSIONS sessions open at once, $size1 bytes"
echo "log 4x: $((4 * EVENTS)) events, $SESSIONS sessions open at once, $size4 bytes"
echo

for ((i = 0; i < RUNS; i++)); do
	measure baseline "$tmp/baseline" "$tmp/1x.jsonl"
	measure validate "$tmp/wcsfsm" validate "$tmp/1x.jsonl"
	measure j1 "$tmp/wcsfsm" validate -j 1 "$tmp/1x.jsonl"
	measure j2 "$tmp/wcsfsm" validate -j 2 "$tmp/1x.jsonl"
	measure j1x4 "$tmp/wcsfsm" validate -j 1 "$tmp/4x.jsonl"
	measure validatex4 "$tmp/wcsfsm" validate "$tmp/4x.jsonl"
done

row() { # row LABEL NAME BYTES
	local t rss
	t=$(median "$tmp/$2.times" 1)
	rss=$(median "$tmp/$2.times" 2)
	awk -v l="$1" -v t="$t" -v b="$3" -v r="$rss" 'BEGIN { printf "%-34s %8.3f s %9.1f MB/s %8.1f MiB RSS\n", l, t, b / t / 1e6, r / 1024 }'
}
echo "median of $RUNS runs:"
row "baseline (json + looplab)" baseline "$size1"
row "wcsfsm validate (-j $cores, default)" validate "$size1"
row "wcsfsm validate -j 1" j1 "$size1"
row "wcsfsm validate -j 2" j2 "$size1"
row "wcsfsm validate -j 1, 4x log" j1x4 "$size4"
row "wcsfsm validate (-j $cores), 4x log" validatex4 "$size4"
echo

# ratio LABEL NUM-NAME DEN-NAME COLUMN: the median of the ratios of the
# runs of one round (the two runs compared follow each other, so a change in
# the machine's load from one round to the next cancels out), and, for
# comparison, the ratio of the medians.
ratio() {
	paste -d' ' "$tmp/$2.times" "$tmp/$3.times" | awk -v c="$4" '{ print $c / $(c + 2) }' >"$tmp/ratio"
	awk -v l="$1" -v r="$(median "$tmp/ratio" 1)" -v a="$(median "$tmp/$2.times" "$4")" -v b="$(median "$tmp/$3.times" "$4")" \
		'BEGIN { printf "%-44s %6.2fx   (ratio of the medians %.2fx)\n", l, r, a / b }'
}
ratio "throughput, wcsfsm (default -j) / baseline" baseline validate 1
ratio "throughput, wcsfsm -j 1 / baseline" baseline j1 1
ratio "speedup, -j 2 / -j 1" j1 j2 1
ratio "peak RSS, 4x log / 1x log (-j 1)" j1x4 j1 2
ratio "peak RSS, 4x log / 1x log (default -j)" validatex4 validate 2

# serve: the events per second one instance takes on loopback from
# bench/loadgen, which checks that nothing is lost.
go build -o "$tmp/loadgen" ./bench/loadgen
LOAD_EVENTS=${LOAD_EVENTS:-100000}
if [[ -n "${SMOKE:-}" ]]; then
	LOAD_EVENTS=5000
fi
# -log-format text: its first line is "wcsfsm serve: listening on http://ADDR".
"$tmp/wcsfsm" serve -addr 127.0.0.1:0 -log-format text -findings "$tmp/serve-findings.jsonl" 2>"$tmp/serve.err" &
serve_pid=$!
addr=""
for ((i = 0; i < 100; i++)); do
	addr=$(sed -n 's|^wcsfsm serve: listening on http://||p' "$tmp/serve.err")
	[[ -n "$addr" ]] && break
	sleep 0.1
done
if [[ -z "$addr" ]]; then
	kill "$serve_pid" 2>/dev/null || true
	echo "run.sh: wcsfsm serve did not start:" >&2
	cat "$tmp/serve.err" >&2
	exit 1
fi
echo
status=0
"$tmp/loadgen" -addr "$addr" -events "$LOAD_EVENTS" -sessions "$SESSIONS" -duration 60s || status=$?
kill -TERM "$serve_pid"
wait "$serve_pid" || status=$?
tail -1 "$tmp/serve.err"
exit $status
