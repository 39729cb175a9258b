# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/lib.sh: the statistics the benchmarks share; sourced, not run.
# Every round appends hyperfine's CSV rows to $tmp/all.csv, each prefixed
# with the round's number (bench_collect, or the same sed where a round
# runs in another shell, as in bench-doctor):
#   round,command,mean,stddev,median,user,system,min,max

# bench_collect ROUND CSV: adds one round's hyperfine CSV.
bench_collect() { tail -n +2 "$2" | sed "s/^/$1,/" >>"$tmp/all.csv"; }

# The median of numbers on stdin, one per line, with printf format $1.
bench_median() {
	sort -g | awk -v f="$1" '{ v[NR] = $1 }
		END { if (NR) printf f, NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# med NAME [FORMAT]: the median over all rounds of NAME's per-round
# medians (ms), printed with FORMAT (%.2f).
med() { awk -F, -v n="$1" '$2 == n { print $5 * 1000 }' "$tmp/all.csv" | bench_median "${2:-%.2f}"; }

# ratio A B: A's time over B's. Both ran in every round, side by side and
# in turned order, so each round gives a ratio under the same load; the
# median of those is the figure, and their range shows the spread.
ratio() {
	awk -F, -v a="$1" -v b="$2" '$2 == a { x[$1] = $5 } $2 == b { y[$1] = $5 }
		END { for (r in x) if ((r in y) && y[r] > 0) printf "%.4f\n", x[r] / y[r] }' \
		"$tmp/all.csv" | sort -g >"$tmp/ratios"
	[ -s "$tmp/ratios" ] || return 0
	printf '  %-19s / %-19s %6s   (rounds: %s to %s)\n' "$1" "$2" \
		"$(bench_median "%.3f" <"$tmp/ratios")" "$(head -n 1 "$tmp/ratios")" \
		"$(tail -n 1 "$tmp/ratios")"
}
