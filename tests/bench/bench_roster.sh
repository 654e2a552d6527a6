#!/usr/bin/env bash
# bench_roster.sh: importing a 100,000-student CSV roster (quoted names,
# ZIP codes, clusters and skills by name, an extra column, CRLF) into a
# real school node with mentorctl, beside the floor to beat: Python's csv
# module merely splitting the same file into fields.
#   1. python3 csv.reader over the file (no checks, nothing stored)
#   2. mentorctl student import --dry-run (read, checked, compared, not
#      stored) into an empty node (whose tables a one-row dry run loaded)
#   3. mentorctl student import (stored, one LMDB transaction)
#   4. the same file again: every row compared, all unchanged
# CPU seconds are the node's and mentorctl's together (mentorctl reads the
# file and sends it).  The whole is run ROSTER_RUNS times (default 3), a
# new node each time, and each figure is the median of the runs.
set -u
. "$(dirname "$0")/../integration/lib.sh"
N=${ROSTER_N:-100000}
F=$T/roster.csv

python3 - "$F" "$N" "$ROOT/contrib/data" <<'P'
import csv, sys
out, n, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def col(path, name):
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8")
            if l.strip() and not l.startswith("#")]
    i = rows[0].index(name)
    return [r[i] for r in rows[1:]]
zips = col(data + "/zip.tsv", "GEOID")
clusters = col(data + "/clusters.tsv", "name")
skills = col(data + "/onet-elements.tsv", "name")
given = ["Ana María", "Seán", "Thảo", "Marcus", "Priya", "Zoë", "Kwame", "Lea"]
family = ["O'Brien", "Nguyễn", "Delgado, Jr.", "Raman", "Müller", "Mensah"]
with open(out, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
    w.writerow(["Student Number", "Last Name", "First Name", "Birthdate",
                "Grade Level", "Homeroom", "ZIP", "Career Clusters", "Skills"])
    for i in range(n):
        w.writerow(["S%06d" % i, family[i % len(family)],
                    given[i % len(given)],
                    "%04d-%02d-%02d" % (2008 + i % 4, 1 + i % 12, 1 + i % 28),
                    9 + i % 4, "R%d" % (i % 40), zips[(i * 7) % len(zips)],
                    "%s;%s" % (clusters[i % len(clusters)],
                               clusters[(i + 5) % len(clusters)]),
                    "%s=%d;%s=%d" % (skills[i % len(skills)], i % 5,
                                     skills[(i + 3) % len(skills)], (i + 1) % 5)])
P
size=$(stat -c %s "$F")
RUNS=${ROSTER_RUNS:-3}
tck=$(getconf CLK_TCK)
cpu() {	# the node's CPU seconds so far: its threads' run time in ns
	# (schedstat), finer than the 10 ms ticks of /proc/PID/stat
	if [ -r "/proc/$NODE_PID/task/$NODE_PID/schedstat" ]; then
		cat /proc/"$NODE_PID"/task/*/schedstat |
		    awk '{ s += $1 } END { printf "%.4f\n", s / 1e9 }'
	else
		awk -v t="$tck" '{ printf "%.3f\n", ($14 + $15) / t }' \
		    "/proc/$NODE_PID/stat"
	fi
}
secs() {	# 1m2.500s -> 62.500
	awk '{ sub(/s$/, ""); split($0, a, "m"); printf "%.3f\n", a[1] * 60 + a[2] }' <<<"$1"
}
timed() {	# timed CMD...: "wall node-cpu ctl-cpu" seconds; fails when CMD does
	local a b c0 c1 t u s
	c0=$(cpu); a=$(date +%s.%N)
	# times, in the subshell: its children's user and system seconds
	t=$( ("$@" >"$T/out" 2>"$T/err") || exit 1; times) ||
	    { cat "$T/err" >&2; return 1; }
	b=$(date +%s.%N); c1=$(cpu)
	read -r u s <<<"${t#*$'\n'}"
	python3 -c "print($b - $a, $c1 - $c0, $(secs "$u") + $(secs "$s"))"
}

results=()
for run in $(seq "$RUNS"); do
	# Wall seconds and the process's CPU seconds (the machine may be
	# shared).
	read -r py pycpu < <(python3 -c 'import csv, sys, time
w, c = time.perf_counter(), time.process_time()
n = sum(1 for _ in csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
print(time.perf_counter() - w, time.process_time() - c)' "$F")

	sch=$(node_new "roster$run" school)
	printf '\n[log]\nlevel = warn\n' >>"$sch/mentord.conf"
	node_start "$sch"
	# The node loads its cluster, skill and ZIP tables at its first
	# import (once in its life: about 0.04 CPU-s); a one-row dry run
	# loads them, so that the imports below measure only the import.
	printf 'id,name\nW1,Warm Up\n' >"$T/warm.csv"
	ctl "$sch" student import --dry-run "$T/warm.csv" >/dev/null 2>&1 || exit 1
	dry=$(timed ctl "$sch" --json --timeout 600 student import --dry-run "$F") || exit 1
	imp=$(timed ctl "$sch" --json --timeout 600 student import "$F") || exit 1
	stored=$(ctl "$sch" --json status | json 'd["students"]')
	again=$(timed ctl "$sch" --json --timeout 600 student import "$F") || exit 1
	unchanged=$(json 'd["unchanged"]' <"$T/out")
	# The node's peak resident memory over the three imports (the file
	# as received; each row is stored as it is read).
	hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$NODE_PID/status")
	# schedstat is kept per live thread: the time of a thread that
	# exited would be lost (the node keeps its roster reader thread).
	# The process's ticks count every thread; say so if they disagree.
	all=$(awk -v t="$tck" '{ printf "%.3f\n", ($14 + $15) / t }' \
	    "/proc/$NODE_PID/stat")
	live=$(cpu)
	if python3 -c "import sys; sys.exit(not $all > $live + 0.05)"; then
		echo "warning: the node's CPU counts $all s in all, $live s in" \
		    "its live threads: a thread that exited is not counted" >&2
	fi
	kill -TERM "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
	results+=("$py $pycpu 0|$dry|$imp|$again|$stored $unchanged $hwm")
done

python3 - "$N" "$size" "$(cut -d' ' -f1 /proc/loadavg)" "${results[@]}" <<'P'
import statistics, sys
n, size, load = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
runs = [r.split("|") for r in sys.argv[4:]]
def fig(k):	# the medians (wall, cpu, cpu) of measure k over the runs
	vals = [tuple(map(float, r[k].split())) for r in runs]
	return tuple(statistics.median([v[i] for v in vals]) for i in range(3))
stored, unchanged, hwm = zip(*[r[4].split() for r in runs])
print("roster: %d rows, %.1f MB; %s students stored; %s unchanged on re-import"
      % (n, size / 1e6, stored[0], unchanged[0]))
print("node peak RSS over the three imports: %s MiB" % max(map(int, hwm)))
print("median of %d runs; load average (1 min) at the end: %s" % (len(runs), load))
print("(cpu: CPU seconds of the processes doing the work, for ours the node's"
      " and mentorctl's; the wall clock counts other load on the machine)")
print("| measure | wall s | rows/s | cpu s (node + mentorctl) | rows per cpu-s | cpu beside python csv |")
print("|---|---|---|---|---|---|")
py = fig(0)
for k, name in ((0, "python3 csv.reader, split only (floor)"),
                (1, "mentorctl student import --dry-run"),
                (2, "mentorctl student import (stored)"),
                (3, "re-import, all unchanged")):
    w, c1, c2 = fig(k)
    c = c1 + c2
    cs = "%.3f" % c if k == 0 else "%.3f (%.3f + %.3f)" % (c, c1, c2)
    print("| %s | %.2f | %d | %s | %d | %.2fx |" % (name, w, n / w, cs,
          n / max(c, 1e-3), (py[1] + py[2]) / max(c, 1e-3)))
P
