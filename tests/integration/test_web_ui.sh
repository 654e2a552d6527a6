#!/usr/bin/env bash
# The web pages in a real headless Chromium (WebDriver), against real nodes
# employer -> hub -> school on 127.0.0.1 with their web listeners on free
# ports: students, employers and coordinators doing their jobs in a browser,
# and the security checks (text-only rendering, cross-site refusals, scoped
# student sessions, revocation, throttling).  The checks are in
# tests/web/test_web_ui.py; screenshots go to $BUILD/test-logs/screenshots.
# run.sh: alone (a browser under load from other tests is not reliable)
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! command -v chromedriver >/dev/null 2>&1 || ! "$PY" -c 'import selenium' 2>/dev/null; then
	notok "chromium, chromium-driver and python3-selenium are installed (contrib/install-deps)"
	exit 1
fi

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
# hub_flag DIR: --hub when DIR is a hub (only then are its certificates
# honoured by the node that adds it)
hub_flag() { grep -q '^role = hub$' "$1/mentord.conf" && echo --hub; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$3" $(hub_flag "$2") >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" $(hub_flag "$1") >/dev/null
}
web_up() { "$PY" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1/"; }

emp=$(node_new employer employer); fast "$emp"
hub=$(node_new hub hub); fast "$hub"
sch=$(node_new school school); fast "$sch"
# Whom each side of a placement reaches (sealed into applications and answers).
printf '\n[contact]\nname = Dana Whitfield\nemail = dana.whitfield@lincoln.example\n' >>"$sch/mentord.conf"
printf '\n[contact]\nname = Luis Ortega\nphone = 555-0142\n' >>"$emp/mentord.conf"
for d in "$emp" "$hub" "$sch"; do node_start "$d"; done
for d in "$emp" "$hub" "$sch"; do
	check "$(basename "$d") serves its web pages" wait_for 10 web_up "$(web_of "$d")"
done
link "$hub" "$emp" "Prairie Employers Network"
link "$sch" "$hub" "Northern Illinois CTE Hub"

ctl "$emp" listing post "$ROOT/contrib/data/sample/listings.json" >/dev/null
ctl "$sch" student import "$ROOT/contrib/data/sample/students.csv" >/dev/null
want=$(ctl "$emp" --json status | json 'd["listings"]')
reached() { [ "$(ctl "$sch" --json status | json 'd["listings"]')" -ge "$want" ]; }
check "the sample listings reach the school through the hub" wait_for 30 reached

# Staff accounts with passwords; the python makes students' codes itself.
echo "employer-pass-1" | ctl "$emp" web user add acme --role employer --password-stdin >/dev/null
echo "coord-pass-123" | ctl "$sch" web user add coord --role coordinator --password-stdin >/dev/null
echo "throttle-pass-1" | ctl "$sch" web user add sam --role coordinator --password-stdin >/dev/null
echo "hub-admin-pass" | ctl "$hub" web user add hubadmin --role admin --password-stdin >/dev/null

mkdir -p "$ROOT/${BUILD:-build}/test-logs/screenshots"
SHOTS=$(cd "$ROOT/${BUILD:-build}/test-logs/screenshots" && pwd)
export SHOTS MENTORCTL
export WEB_E=$(web_of "$emp") WEB_H=$(web_of "$hub") WEB_S=$(web_of "$sch")
export DIR_E=$emp DIR_H=$hub DIR_S=$sch WEB_ROOT=$ROOT/web TMPD=$T
timeout 480 "$PY" "$ROOT/tests/web/test_web_ui.py"
st=$?
[ $st -eq 0 ] || FAILED=1
[ $st -le 1 ] || notok "the browser tests ran to the end (exit $st)"
done_testing
