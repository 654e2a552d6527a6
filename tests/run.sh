#!/usr/bin/env bash
# tests/run.sh BUILD [unit] [fuzz] [integration]: runs the test suites
# (all three by default) and ends with the line "N passed, N failed".
# Unit tests are cmocka programs; each test case counts.  Fuzz replays
# count one per corpus.  Integration scripts print "ok - ..." or
# "not ok - ..." per check (a script that dies counts one failure more).
# Each report line ends with the wall time the test took in seconds; the
# last lines give each suite's time and the total.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
shift || true
suites=${*:-unit fuzz integration}
logs=$build/test-logs
mkdir -p "$logs"
pass=0
fail=0

# Wall time in milliseconds (bash's EPOCHREALTIME).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

secs() {	# secs MS: "12.3"
	printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100))
}

report() {	# report NAME LOG STATUS MS
	local ms=$4
	if [ "$3" -eq 0 ]; then
		printf '  %-40s ok %7s s\n' "$1" "$(secs "$ms")"
	else
		printf '  %-40s FAILED %7s s (log: %s)\n' "$1" "$(secs "$ms")" "$2"
		tail -n 15 "$2" | sed 's/^/    | /'
	fi
}

# pool JOBS LOGOF RUN REPORT ITEM...: runs "RUN ITEM LOG" in the
# background, JOBS at a time (LOG is "LOGOF ITEM"; RUN writes LOG.status
# last), and "REPORT ITEM LOG" for each item in the items' order as soon
# as it and those before it are done.
pool() {
	local jobs=$1 logof=$2 run=$3 rep=$4 t next=0 running=0 items
	shift 4
	items=("$@")
	for t in "${items[@]}"; do rm -f "$("$logof" "$t").status"; done
	for t in "${items[@]}" ""; do
		while [ "$running" -ge "$jobs" ] ||
		    { [ -z "$t" ] && [ "$running" -gt 0 ]; }; do
			wait -n
			running=$((running - 1))
			while [ "$next" -lt ${#items[@]} ] &&
			    [ -f "$("$logof" "${items[next]}").status" ]; do
				"$rep" "${items[next]}" "$("$logof" "${items[next]}")"
				next=$((next + 1))
			done
		done
		[ -n "$t" ] || break
		"$run" "$t" "$("$logof" "$t")" &
		running=$((running + 1))
	done
}

unit_log() { echo "$logs/$(basename "$1").log"; }

run_unit_one() {	# run_unit_one PROGRAM LOG
	local t0 st
	t0=$(now_ms)
	CMOCKA_MESSAGE_OUTPUT=stdout timeout 300 "$1" >"$2" 2>&1
	st=$?
	echo "$st $(($(now_ms) - t0))" >"$2.status"
}

report_unit_one() {	# report_unit_one PROGRAM LOG: counts and reports
	local p f st ms
	read -r st ms <"$2.status"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$2" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$2" | awk '{s+=$1} END {print s+0}')
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p))
	fail=$((fail + f))
	report "$(basename "$1") ($p cases)" "$2" "$f" "$ms"
}

# Unit test programs run TEST_JOBS at a time too (each its own temporary
# files).
run_unit() {
	local t list=()
	echo "unit tests:"
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] && list+=("$t")
	done
	pool "${TEST_JOBS:-2}" unit_log run_unit_one report_unit_one "${list[@]}"
}

run_fuzz() {
	local t name corpus log st t0
	echo "fuzz corpus replay:"
	for t in "$build"/tests/replay_fuzz_*; do
		[ -x "$t" ] || continue
		name=${t##*/replay_fuzz_}
		corpus=tests/fuzz/corpus/$name
		log=$logs/replay_$name.log
		t0=$(now_ms)
		timeout 300 "$t" "$corpus" >"$log" 2>&1
		st=$?
		if [ "$st" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
		report "$name ($(tail -n 1 "$log"))" "$log" "$st" $(($(now_ms) - t0))
	done
}

log_of() { echo "$logs/$(basename "$1" .sh).log"; }

# One integration script, its log and, when it ends, LOG.status:
# "EXIT MS".
run_script() {	# run_script SCRIPT LOG
	local t0 st
	t0=$(now_ms)
	BUILD=$build timeout 600 bash "$1" >"$2" 2>&1
	st=$?
	echo "$st $(($(now_ms) - t0))" >"$2.status"
}

report_script() {	# report_script SCRIPT LOG: counts and reports
	local name p f st ms
	name=$(basename "$1" .sh)
	read -r st ms <"$2.status"
	p=$(grep -c '^ok - ' "$2")
	f=$(grep -c '^not ok - ' "$2")
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p))
	fail=$((fail + f))
	report "$name ($p checks)" "$2" "$f" "$ms"
}

# Integration scripts run TEST_JOBS at a time (2 by default; 1 runs them
# one after another): each has its own temporary directory and free ports
# (lib.sh).  A script with a line "# run.sh: alone", or named in ALONE,
# runs first, with nothing beside it.  Reports come in the scripts' order.
# test_sim: tests/sim/sim.py picks its nodes' ports from the ephemeral
# range seconds before they bind them, and another script's connections
# took one once ("school-1 did not start").
ALONE=${ALONE:-test_sim}
run_integration() {
	local t list=() alone=()
	echo "integration tests:"
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] || continue
		if grep -q '^# run.sh: alone' "$t" ||
		    [[ " $ALONE " == *" $(basename "$t" .sh) "* ]]; then
			alone+=("$t")
		else list+=("$t"); fi
	done
	pool 1 log_of run_script report_script "${alone[@]}"
	pool "${TEST_JOBS:-2}" log_of run_script report_script "${list[@]}"
}

start=$(now_ms)
times=
for s in $suites; do
	s0=$(now_ms)
	case $s in
	unit) run_unit ;;
	fuzz) run_fuzz ;;
	integration) run_integration ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
	times="$times $s $(secs $(($(now_ms) - s0))) s,"
done
echo "time:${times} total $(secs $(($(now_ms) - start))) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
