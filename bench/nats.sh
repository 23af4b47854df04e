#!/usr/bin/env bash
# bench/nats.sh: wcsfsm through NATS JetStream (docs/performance.md, "Through
# JetStream"), on this machine, the JetStream server on it too. Runs the
# benchmarks of natstest RUNS times, in turn within each round (validate -j 1
# on the log file, the baseline; consume with 1 and with 2 processes; the
# end-to-end run through serve -nats), and prints medians and the ratios to
# the baseline of the same rounds.
#
#   bash bench/nats.sh                 # RUNS=5 EVENTS=200000
#   SMOKE=1 bash bench/nats.sh         # one quick round on a small log
set -euo pipefail
cd "$(dirname "$0")/../natstest"

RUNS=${RUNS:-5}
EVENTS=${EVENTS:-200000}
if [[ -n "${SMOKE:-}" ]]; then
	RUNS=1 EVENTS=20000
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
NATSTEST_EVENTS=$EVENTS go test -run '^$' -bench . -benchtime 1x -count "$RUNS" | grep '^Benchmark' >"$out"

# metric NAME UNIT: the values of one benchmark's metric, a line each.
metric() {
	awk -v n="$1" -v u="$2" '$1 ~ "^"n"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i + 1) == u) print $i }' "$out"
}
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

base=$(metric BenchmarkJudge/validate-j1 hooks/s | median)
echo "wcsfsm through JetStream: $(go version | cut -d' ' -f3-), $(getconf _NPROCESSORS_ONLN) cores, $RUNS rounds, $EVENTS hooks"
printf '%-34s %12s %10s\n' "" "hooks/s" "ratio"  # median hooks/s; median of the rounds' ratios
printf '%-34s %12.0f %10s\n' "validate -j 1 (file, baseline)" "$base" "1"
# The ratio of each round's rate to the baseline's of the same round, then
# their median: pairs keep it when the machine's speed drifts.
for n in 1 2; do
	r=$(metric "BenchmarkJudge/consume-$n" hooks/s | median)
	ratio=$(paste <(metric "BenchmarkJudge/consume-$n" hooks/s) <(metric BenchmarkJudge/validate-j1 hooks/s) | awk '{ print $1 / $2 }' | median)
	printf '%-34s %12.0f %10.3f\n' "consume -drain, $n process(es)" "$r" "$ratio"
done
echo
echo "checkpoint: $(metric BenchmarkJudge/consume-1 checkpoint-B | median) bytes, $(metric BenchmarkJudge/consume-1 checkpoint-ms | median) ms (median of the means, 1 process)"
echo "serve -nats under bench/loadgen (16 connections), 2 consumers live:"
echo "  published: $(metric BenchmarkEndToEnd published-hooks/s | median) hooks/s"
echo "  stored to judged: p50 <= $(metric BenchmarkEndToEnd delay-p50-ms | median) ms, p99 <= $(metric BenchmarkEndToEnd delay-p99-ms | median) ms (histogram buckets)"
