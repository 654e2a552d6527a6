#!/usr/bin/env bash
# bench_fed.sh: two real nodes on 127.0.0.1 reconciling over CURVE.
#  1. in-sync sets of 100,000 and 1,000,000 records: rounds, bytes, ms
#  2. 100 scattered differences in 100,000: rounds and bytes beside a naive
#     full id-list exchange (32 bytes x n)
#  3. bootstrapping an empty node from a peer holding 100,000 records:
#     records/s beside the raw Ed25519 verify rate measured in this run, on
#     one core and on all cores (goal: at least 80% of the all-core rate),
#     the CPU seconds both daemons spent (and CPU-us a record), and the
#     page cache the new node dirtied a record.
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

# Bootstrap an empty node from the 100,000-record node, BOOT_RUNS times
# (default 5), each between two measures of the raw all-core verify rate:
# on a shared machine the rates drift by a third from one minute to the
# next, so each bootstrap is set beside the raw rates measured around it
# and the median of the ratios is reported.
want=$(ctl "$A100" --json status | json 'd["records"]')
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$(cat "$1.pid")/stat"; }
# Bytes of page cache the node dirtied (/proc/PID/io write_bytes): the
# kernel counts whole folios, several times what LMDB writes (pwrite), so
# compare runs with each other, not with the records' size.
wio() { awk '/^write_bytes:/ {print $2}' "/proc/$(cat "$1.pid")/io"; }
# Polled with mentorctl and grep alone (a python3 a poll would take a third
# of a core from the node being measured), and seldom: a poll costs about
# 10 ms of CPU, so one every 0.05 s took a tenth of the two cores the
# bootstrap runs on, which the all-core verify beside it does not pay.
# next_poll says how long to sleep: 0.05 s until the first records and
# near the end, otherwise a third of the time left at the rate so far
# (at most 1 s); the end is still seen within 0.05 s.
held() { ctl "$1" --json status | grep -o '"records": *[0-9]*' | grep -o '[0-9]*$'; }
now() { date +%s.%N; }
next_poll() {	# next_poll HELD WANT SECONDS_SO_FAR
	awk -v n="$1" -v w="$2" -v t="$3" 'BEGIN {
		s = 0.05
		if (n > 1 && t > 0) { s = (w - n) / (n / t) / 3; if (s > 1) s = 1 }
		if (s < 0.05) s = 0.05
		printf "%.3f", s }'
}
boot_once() {	# boot_once I: prints "got seconds first_s cpu_new cpu_peer wbytes"
	local c got start first= end deadline n
	c=$(node_new "boot$1" school)
	printf '\n[peer]\nheartbeat_ms = 200\n[log]\nlevel = warn\n' >>"$c/mentord.conf"
	node_start "$c"
	# It holds records by the other node of the pair too: trust both.
	[ -n "$B100" ] && ctl "$c" trust add "$(id_of "$B100")" >/dev/null
	local ep_a id_a id_c cpu_a cpu_c wio_c
	id_c=$(id_of "$c")
	ctl "$A100" peer add "$(ep_of "$c")" "$id_c" >/dev/null
	ep_a=$(ep_of "$A100"); id_a=$(id_of "$A100")
	cpu_a=$(cpu "$A100"); cpu_c=$(cpu "$c"); wio_c=$(wio "$c")
	start=$(now)
	ctl "$c" peer add "$ep_a" "$id_a" >/dev/null
	deadline=$((SECONDS + 600))
	while :; do
		n=$(held "$c")
		[ -z "$first" ] && [ "${n:-0}" -gt 1 ] && first=$(now)
		[ "${n:-0}" -ge "$want" ] && break
		[ $SECONDS -lt $deadline ] || break
		sleep "$(next_poll "${n:-0}" "$want" "$(awk -v a="$start" -v b="$(now)" 'BEGIN {print b - a}')")"
	done
	end=$(now)
	got=$(held "$c")
	echo "$got $(python3 -c "print($end - $start, ${first:-$end} - $start)") $(python3 -c "print($(cpu "$c") - $cpu_c, $(cpu "$A100") - $cpu_a)") $(($(wio "$c") - wio_c))"
	node_stop "$c"
	ctl "$A100" peer remove "$id_c" >/dev/null
	rm -rf "$c"
}
TIMEFORMAT='%U %S'
{ time "$B/mkrecords" --verify-rate "$T/s100k.mntx" >"$T/raw.out"; } 2>"$T/raw.cpu"
raw1=$(cat "$T/raw.out")
raw_cpu=$(awk '{print $1 + $2}' "$T/raw.cpu")
# allrate: "verifies/s:CPU-s" of the all-core verify: its CPU a verify,
# measured under the same load as the bootstrap beside it, is what the
# bootstrap's CPU a record is compared with (the ceiling column).
allrate() {
	{ time "$B/mkrecords" --verify-rate-all "$T/s100k.mntx" >"$T/all.out"; } 2>"$T/all.cpu"
	echo "$(cat "$T/all.out"):$(tail -n 1 "$T/all.cpu" | awk '{print $1 + $2}')"
}
runs=${BOOT_RUNS:-5}
alls=$(allrate)
boots=
for i in $(seq 1 "$runs"); do
	boots="$boots;$(boot_once "$i")"
	alls="$alls $(allrate)"
done
load=$(cut -d' ' -f1 /proc/loadavg)
python3 - "$boots" "$alls" "$raw1" "$raw_cpu" "$N" "$load" "$(nproc)" <<'PY'
import statistics, sys
boots = [list(map(float, b.split())) for b in sys.argv[1].split(";") if b]
alls = [float(a.split(":")[0]) for a in sys.argv[2].split()]
allus = [float(a.split(":")[1]) / int(sys.argv[5]) * 1e6 for a in sys.argv[2].split()]
raw1, raw_cpu, nraw, load, cores = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
print()
print("Bootstrap of an empty node from a peer holding %d records, %d runs" % (int(boots[0][0]), len(boots)))
print()
print("| run | bootstrap | first record after | CPU-s new node + peer | CPU-us a record | page cache dirtied a record | raw all-core verify around it | ratio | CPU ceiling |")
print("|---|---|---|---|---|---|---|---|---|")
ratios, usrec, wrec, ceils = [], [], [], []
for i, (got, secs, first, cpu_c, cpu_a, wb) in enumerate(boots):
    rate = got / secs
    around = (alls[i] + alls[i + 1]) / 2
    ratios.append(rate / around)
    usrec.append((cpu_c + cpu_a) / got * 1e6)
    wrec.append(wb / got)
    us_around = (allus[i] + allus[i + 1]) / 2
    ceils.append(us_around / usrec[-1])
    print("| %d | %.0f records/s, %.2f s | %.2f s | %.1f + %.1f | %.0f | %.0f B | %.0f verifies/s (%.0f, %.0f), %.0f CPU-us a verify | %.2f | %.2f |" % (
        i + 1, rate, secs, first, cpu_c, cpu_a, usrec[-1], wrec[-1], around, alls[i], alls[i + 1], us_around, rate / around, ceils[-1]))
us_raw = raw_cpu / nraw * 1e6
print()
print("| measure | value | note |")
print("|---|---|---|")
print("| bootstrap / all-core verify, median of %d | **%.2f** | goal >= 0.80; load average %s on %d cores |" % (len(ratios), statistics.median(ratios), load, cores))
print("| raw crypto_sign_verify_detached, one core | %.0f verifies/s | %.0f CPU-us a verify |" % (raw1, us_raw))
print("| CPU per record, median | %.0f us (both nodes) | %.2f of it is the raw verify: the ratio a bootstrap bound by CPU alone reaches |" % (statistics.median(usrec), us_raw / statistics.median(usrec)))
print("| CPU ceiling, median of %d | **%.2f** | each run's CPU-us a record beside the CPU-us a verify of the all-core runs around it (same load): the ratio bound by CPU alone, whatever the neighbours take |" % (len(ceils), statistics.median(ceils)))
print("| page cache dirtied by the new node a record, median | %.0f bytes | write_bytes of /proc/PID/io: whole folios, not the bytes written |" % statistics.median(wrec))
PY
FAILED=0
