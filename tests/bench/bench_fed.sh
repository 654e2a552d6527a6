#!/usr/bin/env bash
# bench_fed.sh: two real nodes on 127.0.0.1 reconciling over CURVE.
#  1. in-sync sets of 100,000 and 1,000,000 records: rounds, bytes, ms
#  2. 100 scattered differences in 100,000: rounds and bytes beside a naive
#     full id-list exchange (32 bytes x n)
#  3. bootstrapping an empty node from a peer holding 100,000 records:
#     records/s beside the raw Ed25519 verify rate measured in this run, on
#     one core and on all cores (goal: at least 80% of the all-core rate),
#     and the CPU seconds both daemons spent.
# BENCH_QUICK=1 skips the 1,000,000-record case (it takes minutes to set up);
# BENCH_BOOT_ONLY=1 measures the bootstrap alone.
set -u
. "$(dirname "$0")/../integration/lib.sh"
B=$ROOT/${BUILD:-build}/tests
N=100000

quiet() {	# quiet DIR: no automatic sync; fast heartbeats
	printf '\n[peer]\nheartbeat_ms = 200\nauto_sync = no\n[log]\nlevel = warn\n' >>"$1/mentord.conf"
	sed -i '0,/^level = info$/{/^level = info$/d}' "$1/mentord.conf"
}
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" >/dev/null
}
connected() { [ "$(ctl "$1" --json peer list | json 'len(d)>0 and all(p["connected"] for p in d)')" == True ]; }
sync_row() {	# sync_row LABEL DIR NAIVE_BYTES
	local out
	out=$(ctl "$2" --json --timeout 600 sync) || { echo "| $1 | sync failed | | | | |"; return; }
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
b = d["bytes_sent"] + d["bytes_received"]
print("| %s | %d | %d | %.1f KiB | %d ms | %s |" % (sys.argv[1], d["rounds"], b,
      b / 1024, d["ms"], sys.argv[2]))' "$1" "$3"
}
pair() {	# pair NAME N: two nodes holding the same N records
	local a b
	a=$(node_new "$1-a" employer); quiet "$a"
	b=$(node_new "$1-b" school); quiet "$b"
	node_start "$a"; node_start "$b"
	"$B/mkrecords" "$a" "$2" "$T/$1.mntx"
	ctl "$b" trust add "$(id_of "$a")" >/dev/null
	ctl "$a" --timeout 3600 records import "$T/$1.mntx" >/dev/null
	ctl "$b" --timeout 3600 records import "$T/$1.mntx" >/dev/null
	PA=$a; PB=$b
}

if [ -n "${BENCH_BOOT_ONLY:-}" ]; then
	A100=$(node_new s100k-a employer); quiet "$A100"
	node_start "$A100"
	"$B/mkrecords" "$A100" $N "$T/s100k.mntx"
	ctl "$A100" --timeout 3600 records import "$T/s100k.mntx" >/dev/null
	B100=
else
	echo "Reconciliation between two nodes on loopback (CURVE, real daemons)"
	echo
	echo "| case | round trips | bytes both ways | | time | naive id list |"
	echo "|---|---|---|---|---|---|"
	pair s100k $N
	# 50 records only on each side: A's own extra, B's own extra.
	"$B/mkrecords" "$PA" 50 "$T/a50.mntx" 1000000
	"$B/mkrecords" "$PB" 50 "$T/b50.mntx" 2000000
	ctl "$PA" records import "$T/a50.mntx" >/dev/null
	ctl "$PB" records import "$T/b50.mntx" >/dev/null
	link "$PA" "$PB"
	wait_for 20 connected "$PB"
	sync_row "100 differences in 100,000" "$PB" "$((32 * N / 1024)) KiB"
	sync_row "in sync, 100,000" "$PB" "$((32 * N / 1024)) KiB"
	A100=$PA B100=$PB
	if [ -z "${BENCH_QUICK:-}" ]; then
		pair s1m 1000000
		link "$PA" "$PB"
		wait_for 20 connected "$PB"
		# Each node holds its own node record: exchange those first.
		ctl "$PB" --timeout 600 sync >/dev/null
		sync_row "in sync, 1,000,000" "$PB" "$((32 * 1000000 / 1024)) KiB"
		node_stop "$PA"; node_stop "$PB"
		rm -rf "$PA" "$PB"
	fi
	echo
	echo "Goals: 1,000,000 in sync: one round trip, under 1 KiB, under 50 ms;"
	echo "100 differences: at most 4 round trips and 100 KiB before the records."
fi

# Bootstrap an empty node from the 100,000-record node.
c=$(node_new boot school)
printf '\n[peer]\nheartbeat_ms = 200\n' >>"$c/mentord.conf"
node_start "$c"
# It holds records by the other node of the pair too: trust both authors.
[ -n "$B100" ] && ctl "$c" trust add "$(id_of "$B100")" >/dev/null
want=$(ctl "$A100" --json status | json 'd["records"]')
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$(cat "$1.pid")/stat"; }
cpu_a=$(cpu "$A100"); cpu_c=$(cpu "$c")
link "$A100" "$c"
start=$(date +%s.%N)
at_least() { [ "$(ctl "$1" --json status | json 'd["records"]')" -ge "$2" ]; }
wait_for 600 at_least "$c" "$want"
end=$(date +%s.%N)
cpu_a=$(python3 -c "print($(cpu "$A100") - $cpu_a)")
cpu_c=$(python3 -c "print($(cpu "$c") - $cpu_c)")
got=$(ctl "$c" --json status | json 'd["records"]')
# The raw rates, and the CPU seconds of the one-core run (user + system).
TIMEFORMAT='%U %S'
{ time "$B/mkrecords" --verify-rate "$T/s100k.mntx" >"$T/raw.out"; } 2>"$T/raw.cpu"
raw=$(cat "$T/raw.out")
raw_cpu=$(awk '{print $1 + $2}' "$T/raw.cpu")
all=$("$B/mkrecords" --verify-rate-all "$T/s100k.mntx")
load=$(cut -d' ' -f1 /proc/loadavg)
python3 - "$got" "$start" "$end" "$raw" "$all" "$cpu_c" "$cpu_a" "$(nproc)" \
    "$raw_cpu" "$N" "$load" <<'PY'
import sys
n, a, b, raw, allc = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
cpu_c, cpu_a, cores = float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
raw_cpu, nraw, load = float(sys.argv[9]), int(sys.argv[10]), sys.argv[11]
rate = n / (b - a)
us_boot = (cpu_c + cpu_a) / n * 1e6
us_raw = raw_cpu / nraw * 1e6
print()
print("Bootstrap of an empty node from a peer holding %d records" % n)
print()
print("| measure | rate | note |")
print("|---|---|---|")
print("| bootstrap over loopback | %.0f records/s | %.1f s in all; the new node %.1f CPU-s, the peer %.1f CPU-s |" % (rate, b - a, cpu_c, cpu_a))
print("| raw crypto_sign_verify_detached, one core | %.0f verifies/s | same records, same run |" % raw)
print("| raw crypto_sign_verify_detached, all %d cores | %.0f verifies/s | one thread per core |" % (cores, allc))
print("| bootstrap / all-core verify | %.2f | goal >= 0.80; load average %s on %d cores |" % (rate / allc, load, cores))
print("| CPU per record | bootstrap %.0f us (both nodes), raw verify %.0f us | %.2f: the share of the all-core rate a bootstrap bound by CPU alone reaches (less sensitive to a shared machine) |" % (us_boot, us_raw, us_raw / us_boot))
PY
FAILED=0
