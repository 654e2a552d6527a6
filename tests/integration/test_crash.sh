#!/usr/bin/env bash
# test_crash.sh: kill -9 at random moments of the fault_lib.sh scenario
# (school and employer in turn), restart, verify: nothing acknowledged is
# lost, every step is all or nothing, the stores are sound and the audit
# log verifies.  CRASH_KILLS (default 20) kills; `make bench` does 100.
# Then the fault build kills itself at fault points (CRASH_STRIDE).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

KILLS=${CRASH_KILLS:-20}
fault_template || { notok "the two nodes are set up"; exit 1; }
crash_loop "$KILLS"
echo "# kills $KILLS, acknowledged steps $CRASH_ACKED, lost $LOST"
check_eq "$KILLS kills: no acknowledged step lost" 0 "$LOST"
check_eq "$KILLS kills: every run consistent (all or nothing, sound stores, audit verifies)" 0 "$CRASH_BAD"
check "the kills interrupted the work (fewer acknowledged than $((KILLS * 9)))" \
    test "$CRASH_ACKED" -lt $((KILLS * 9))

# Deterministic kills: the fault build kills itself at a fault point
# (every CRASH_STRIDE-th, 10 by default; 1 in `make bench`), including the
# points just after each commit.
count_points CRASH
STRIDE=${CRASH_STRIDE:-10}
sweep school "$NS" CRASH
sweep employer "$NE" CRASH
done_testing
