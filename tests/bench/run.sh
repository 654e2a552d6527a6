#!/usr/bin/env bash
# tests/bench/run.sh BUILD: runs every benchmark and prints its table:
# each program BUILD/tests/bench_*, then each tests/bench/*.sh other than
# this one (given BUILD as argument and in $BUILD).  Everything runs from
# the repository root (the benches read contrib/data).  Exits non-zero if
# any benchmark failed.
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
status=0

for b in "$build"/tests/bench_*; do
	[ -x "$b" ] || continue
	echo "== ${b##*/}"
	if ! "$b"; then
		echo "${b##*/}: failed" >&2
		status=1
	fi
	echo
done
for s in tests/bench/*.sh; do
	[ -f "$s" ] && [ "${s##*/}" != run.sh ] || continue
	echo "== ${s##*/}"
	if ! BUILD=$build bash "$s" "$build"; then
		echo "${s##*/}: failed" >&2
		status=1
	fi
	echo
done
exit $status
