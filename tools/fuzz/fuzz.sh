#!/usr/bin/env bash
# Runs every fuzz target of the module (func FuzzX in a _test.go file) for FUZZTIME
# each, one at a time (go test -fuzz takes one target), and ends with each target's
# executions as go reported them. Exits non-zero when any target fails; a failing
# input is kept under the package's testdata/fuzz/FuzzX for go test to replay.
set -uo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
# go minimizes every input that finds new code, for up to 60 s by default, and counts no
# executions meanwhile: a target slower per call (tenancy's Parse reads the logo) then
# spent a whole 10 s run minimizing and showed 45 executions. A short bound keeps the
# time for fuzzing; a failing input is still minimized, only less.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}
cd "$(dirname "$0")/../.."

summary=()
failed=0
while IFS=: read -r file name; do
	dir=./$(dirname "${file#./}")
	echo "== $dir $name ($FUZZTIME)"
	out=$("$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$dir" 2>&1)
	rc=$?
	echo "$out"
	last=$(grep -E '^fuzz: elapsed: .*execs: ' <<<"$out" | tail -n 1)
	if [ $rc -ne 0 ]; then
		failed=1
		last="FAILED ${last}"
	fi
	summary+=("$(printf '%-30s %-22s %s' "$dir" "$name" "$last")")
done < <(grep -rHo --include='*_test.go' --exclude-dir=.git --exclude-dir=node_modules \
	-E '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/' | sort)

echo
echo "== executions per target ($FUZZTIME each)"
printf '%s\n' "${summary[@]}"
exit $failed
