#!/usr/bin/env bash
# Runs every Fuzz target of the module for a short budget each (FUZZTIME,
# default 50000x). Targets are discovered with `go test -list`, so a new fuzz
# target is picked up without editing this file. Arguments are package
# patterns (default ./...).
#
# The default budget is a count of executions, not a duration: with a
# duration, Go's fuzz coordinator before 1.27 can report a spurious
# "context deadline exceeded" at the -fuzztime boundary on a loaded machine
# (golang/go#75804). A count has no wall-clock deadline to race. If a target
# still fails with nothing but that message and writes no reproducer, it is
# run once more; any other failure, or a written reproducer, fails at once.
set -euo pipefail

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-50000x}

# `go test -list` prints the matching names of a package, then its "ok" line.
if [ $# -eq 0 ]; then set -- ./...; fi

targets=$("$GO" test -list '^Fuzz' "$@" | awk '
	/^Fuzz/ { names[n++] = $1; next }
	/^ok/   { for (i = 0; i < n; i++) print $2, names[i]; n = 0 }
')

if [ -z "$targets" ]; then
	echo "fuzz-short: no fuzz targets found"
	exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# fuzz_once runs one target; its output goes to the terminal and to $log.
fuzz_once() {
	"$GO" test -run '^$' -fuzz "^$2\$" -fuzztime="$FUZZTIME" "$1" </dev/null 2>&1 | tee "$log"
	return "${PIPESTATUS[0]}"
}

# deadline_flake is true when the failure is the coordinator's shutdown race
# and not a finding: no reproducer written, no panic, no test failure text.
deadline_flake() {
	grep -q 'context deadline exceeded' "$log" &&
		! grep -Eq 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"
}

count=0
while read -r pkg name; do
	echo "fuzz-short: $pkg $name for $FUZZTIME"
	if ! fuzz_once "$pkg" "$name"; then
		if deadline_flake; then
			echo "fuzz-short: $name stopped on the fuzz coordinator's deadline race (golang/go#75804), no reproducer written; running it once more"
			fuzz_once "$pkg" "$name"
		else
			exit 1
		fi
	fi
	count=$((count + 1))
done <<<"$targets"
echo "fuzz-short: $count targets passed"
