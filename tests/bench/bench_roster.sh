#!/usr/bin/env bash
# bench_roster.sh: importing a 100,000-student CSV roster (quoted names,
# ZIP codes, clusters and skills by name, an extra column, CRLF) into a
# real school node with mentorctl, beside the floor to beat: Python's csv
# module merely splitting the same file into fields.
#   1. python3 csv.reader over the file (no checks, nothing stored)
#   2. mentorctl student import --dry-run (read, checked, compared, not
#      stored) into an empty node
#   3. mentorctl student import (stored, one LMDB transaction)
#   4. the same file again: every row compared, all unchanged
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

# Wall seconds and the process's CPU seconds (the machine may be shared).
read -r py pycpu < <(python3 -c 'import csv, sys, time
w, c = time.perf_counter(), time.process_time()
n = sum(1 for _ in csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
print(time.perf_counter() - w, time.process_time() - c)' "$F")

sch=$(node_new roster school)
printf '\n[log]\nlevel = warn\n' >>"$sch/mentord.conf"
node_start "$sch"
tck=$(getconf CLK_TCK)
cpu() {	# the node's CPU seconds so far
	awk -v t="$tck" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$NODE_PID/stat"
}
timed() {	# timed CMD...: "wall cpu" seconds (the node's CPU); fails when CMD does
	local a b c0 c1
	c0=$(cpu); a=$(date +%s.%N)
	"$@" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; return 1; }
	b=$(date +%s.%N); c1=$(cpu)
	python3 -c "print($b - $a, $c1 - $c0)"
}
dry=$(timed ctl "$sch" --json --timeout 600 student import --dry-run "$F") || exit 1
imp=$(timed ctl "$sch" --json --timeout 600 student import "$F") || exit 1
stored=$(ctl "$sch" --json status | json 'd["students"]')
again=$(timed ctl "$sch" --json --timeout 600 student import "$F") || exit 1
unchanged=$(json 'd["unchanged"]' <"$T/out")
# The node's peak resident memory over the three imports (the roster is
# held once, encoded as it is stored, while it is checked).
hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$NODE_PID/status")

python3 - "$N" "$size" "$stored" "$unchanged" "$py $pycpu" "$dry" "$imp" "$again" "$hwm" <<'P'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
py, dry, imp, again = [tuple(map(float, a.split())) for a in sys.argv[5:9]]
print("roster: %d rows, %.1f MB; %s students stored; %s unchanged on re-import"
      % (n, size / 1e6, sys.argv[3], sys.argv[4]))
print("node peak RSS over the three imports: %s MiB" % sys.argv[9])
print("(cpu: CPU seconds of the process doing the work; the wall clock counts"
      " other load on the machine)")
print("| measure | wall s | rows/s | cpu s | rows per cpu-s | cpu beside python csv |")
print("|---|---|---|---|---|---|")
for name, (w, c) in (("python3 csv.reader, split only (floor)", py),
                     ("mentorctl student import --dry-run", dry),
                     ("mentorctl student import (stored)", imp),
                     ("re-import, all unchanged", again)):
    print("| %s | %.2f | %d | %.2f | %d | %.2fx |" % (name, w, n / w, c,
          n / max(c, 1e-3), py[1] / max(c, 1e-3)))
P
