#!/usr/bin/env bash
# bench_sim.sh: the federation simulation at 100 real daemons (SIM_NODES
# to change it): propagation, bytes per record beside the record's size,
# applications held off their path, convergence after faults, RSS and
# file descriptors.  About 5 minutes on 2 cores.
cd "$(dirname "$0")/../.." || exit 1
exec /usr/bin/python3 tests/sim/sim.py --nodes "${SIM_NODES:-100}" \
    --posts 20 --apps 5 --kills 12 --compare-push
