#!/usr/bin/env bash
# Runs every Fuzz target of the module for a short time each (FUZZTIME,
# default 10s). Targets are discovered with `go test -list`, so a new fuzz
# target is picked up without editing this file. Arguments are package
# patterns (default ./...).
set -euo pipefail

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}

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

count=0
while read -r pkg name; do
	echo "fuzz-short: $pkg $name for $FUZZTIME"
	"$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime="$FUZZTIME" "$pkg" </dev/null
	count=$((count + 1))
done <<<"$targets"
echo "fuzz-short: $count targets passed"
