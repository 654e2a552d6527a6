#!/usr/bin/env bash
# tests/run.sh BUILD [unit] [fuzz] [integration]: runs the test suites
# (all three by default) and ends with the line "N passed, N failed".
# Unit tests are cmocka programs; each test case counts.  Fuzz replays
# count one per corpus.  Integration scripts print "ok - ..." or
# "not ok - ..." per check (a script that dies counts one failure more).
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
shift || true
suites=${*:-unit fuzz integration}
logs=$build/test-logs
mkdir -p "$logs"
pass=0
fail=0

report() {	# report NAME LOG STATUS
	if [ "$3" -eq 0 ]; then
		printf '  %-40s ok\n' "$1"
	else
		printf '  %-40s FAILED (log: %s)\n' "$1" "$2"
		tail -n 15 "$2" | sed 's/^/    | /'
	fi
}

run_unit() {
	local t name log p f st
	echo "unit tests:"
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=$logs/$name.log
		CMOCKA_MESSAGE_OUTPUT=stdout timeout 300 "$t" >"$log" 2>&1
		st=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		pass=$((pass + p))
		fail=$((fail + f))
		report "$name ($p cases)" "$log" "$f"
	done
}

run_fuzz() {
	local t name corpus log st
	echo "fuzz corpus replay:"
	for t in "$build"/tests/replay_fuzz_*; do
		[ -x "$t" ] || continue
		name=${t##*/replay_fuzz_}
		corpus=tests/fuzz/corpus/$name
		log=$logs/replay_$name.log
		timeout 300 "$t" "$corpus" >"$log" 2>&1
		st=$?
		if [ "$st" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
		report "$name ($(tail -n 1 "$log"))" "$log" "$st"
	done
}

run_integration() {
	local t name log p f st
	echo "integration tests:"
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		log=$logs/$name.log
		BUILD=$build timeout 600 bash "$t" >"$log" 2>&1
		st=$?
		p=$(grep -c '^ok - ' "$log")
		f=$(grep -c '^not ok - ' "$log")
		if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		pass=$((pass + p))
		fail=$((fail + f))
		report "$name ($p checks)" "$log" "$f"
	done
}

for s in $suites; do
	case $s in
	unit) run_unit ;;
	fuzz) run_fuzz ;;
	integration) run_integration ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
