#!/usr/bin/env bash
# bench_crash.sh: the crash tests of tests/integration/test_crash.sh at
# full size: 100 runs of the application scenario with a node killed
# (kill -9) at a random moment (CRASH_KILLS to change), then a kill at
# every fault point of both nodes (the fault build kills itself there).
# Prints a table; fails if anything acknowledged was lost.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/fault_lib.sh"

KILLS=${CRASH_KILLS:-100}
fault_template || { echo "bench_crash: setup failed" >&2; exit 1; }
t0=$SECONDS
crash_loop "$KILLS" >"$T/loop.log"
grep '^#   ' "$T/loop.log" | head -20
t1=$SECONDS
lost1=$LOST bad1=$CRASH_BAD
count_points CRASH
STRIDE=1 LOST=0
sweep school "$NS" CRASH >"$T/sweep.log"
sweep employer "$NE" CRASH >>"$T/sweep.log"
grep '^#   ' "$T/sweep.log" | head -20
bad2=$(grep -c '^not ok' "$T/sweep.log")
printf '%-28s %-8s %-20s %-6s %-13s %s\n' "" kills "acknowledged writes" lost inconsistent seconds
printf '%-28s %-8s %-20s %-6s %-13s %s\n' "kill -9 at a random moment" "$KILLS" \
    "$CRASH_ACKED" "$lost1" "$bad1" $((t1 - t0))
printf '%-28s %-8s %-20s %-6s %-13s %s\n' "kill at every fault point" \
    $((NS + NE + 4)) "-" "$LOST" "$bad2 nodes" $((SECONDS - t1))
[ "$lost1" -eq 0 ] && [ "$bad1" -eq 0 ] && [ "$LOST" -eq 0 ] &&
    [ "$bad2" -eq 0 ] || FAILED=1
[ "$FAILED" -eq 0 ]
