#!/usr/bin/env bash
# test_sim.sh: the federation simulation (tests/sim/sim.py) at 12 real
# daemons: a state hub, regional hubs, employers and schools on 127.0.0.1;
# propagation to every node, sealed applications delivered, convergence
# after SIGSTOP, kill -9 restarts and a re-added link.  `make bench` runs
# it at 100 nodes.
cd "$(dirname "$0")/../.." || exit 1
PY=/usr/bin/python3
if ! "$PY" -c 'import zmq' 2>/dev/null; then
	echo "not ok - python3-zmq is missing (contrib/install-deps installs it)"
	exit 1
fi
exec "$PY" tests/sim/sim.py --nodes 12 --tap --compare-push
