#!/usr/bin/env bash
# Attendance over real sockets, school <-> employer (issue 11, SPEC 13.9
# "hours", "hours-answer"): the coordinator and the student log hours on
# the school's node, the employer confirms or disputes each entry, both
# nodes list the same entries and totals; entries in the future, outside
# the placement's dates, past 24 hours a day (over two placements of one
# student), on a placement that is not scheduled or active, or with an
# empty or too long activity are refused with a message saying so; the
# employer's node refuses an entry its own copy of the placement rules out.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$(basename "$2")" >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" --organization "$(basename "$1")" >/dev/null
}
connected() { [ "$(ctl "$1" --json peer list | json 'all(p["connected"] for p in d) and len(d) > 0')" == True ]; }
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
received() { ctl "$1" --json application list | grep -q "$2"; }
plc_is() { [ "$(ctl "$1" --json placement show "$2" 2>/dev/null | json "(d.get('placement') or {}).get('state')")" == "$3" ]; }
n_entries() { [ "$(ctl "$1" --json hours list "$2" 2>/dev/null | json 'len(d["entries"])')" == "$3" ]; }
status_is() { [ "$(ctl "$1" --json hours list "$2" 2>/dev/null | json "[e['status'] for e in d['entries'] if e['entry']=='$3'][0]")" == "$4" ]; }
totals() { ctl "$1" --json hours list "$2" | json 'sorted((k, v["entries"], v["minutes"]) for k, v in d["totals"].items())'; }
day() { date -u -d "$1 days" +%F; }
# refused DESC REGEX CMD...: CMD fails (exit 1) and says REGEX.
refused() {
	local desc=$1 re=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	check_eq "$desc: refused" 1 "$rc"
	check_match "  ...saying \"$re\"" "$re" "$out"
}

sch=$(node_new school school); fast "$sch"
emp=$(node_new employer employer); fast "$emp"
printf '\n[api]\nstudent_listen = tcp://127.0.0.1:%s\n' "$(free_port)" >>"$sch/mentord.conf"
for d in "$sch" "$emp"; do node_start "$d"; done
link "$sch" "$emp"
ctl "$emp" trust add "$(id_of "$sch")" >/dev/null
ctl "$sch" trust add "$(id_of "$emp")" >/dev/null
check "the school and the employer are linked" wait_for 20 connected "$sch"

# Two listings: one running now, one that ended three days ago.
y=$(date -u +%Y)
cat >"$T/l.json" <<J
[{"ref":"cnc","kind":"internship","title":"CNC internship","organization":"Acme Machining",
  "capacity":2,"modality":"virtual","start":"$(day -20)","end":"$(day 20)"},
 {"ref":"weld","kind":"job_shadow","title":"Welding shadow day","organization":"Acme Machining",
  "capacity":1,"modality":"virtual","start":"$(day -40)","end":"$(day -3)","expires":"$(day 30)"}]
J
out=$(ctl "$emp" --json listing post "$T/l.json")
LA=$(printf '%s' "$out" | json 'd["ids"][0]'); LB=$(printf '%s' "$out" | json 'd["ids"][1]')
check "the listings reach the school" wait_for 20 has_listing "$sch" "$LB"
cat >"$T/students.json" <<J
[{"id":"S1","name":"Ada Lindqvist","birth_date":"$((y-19))-04-04","modality":["virtual"]},
 {"id":"S2","name":"Bo Okafor","birth_date":"$((y-19))-05-05","modality":["virtual"]}]
J
ctl "$sch" student import "$T/students.json" >/dev/null
A1=$(ctl "$sch" --json apply S1 "$LA" | json 'd["id"]')
A2=$(ctl "$sch" --json apply S1 "$LB" | json 'd["id"]')
A3=$(ctl "$sch" --json apply S2 "$LA" | json 'd["id"]')
check "the applications reach the employer" wait_for 20 received "$emp" "$A3"
check "the employer accepts two of them (both S1's)" sh -c "'$MENTORCTL' -d '$emp' application accept $A1 >/dev/null && '$MENTORCTL' -d '$emp' application accept $A2 >/dev/null"
check "the school has both placements" wait_for 20 plc_is "$sch" "$A2" scheduled
check "the placement goes active" ctl "$emp" placement state "$A1" active
check "  ...on the school too" wait_for 20 plc_is "$sch" "$A1" active

# Logging: the coordinator, in hours, minutes or H:MM; the student too.
E1=$(ctl "$sch" --json hours log "$A1" --date "$(day -5)" --hours 2.5 --activity "Set up the lathe; safety briefing" | json 'd["entry"]')
check_match "the coordinator logs 2.5 hours" '^[0-9a-f]{32}$' "$E1"
E2=$(ctl "$sch" --json hours log "$A1" --date "$(day -4)" --minutes 480 --activity "Ran the CNC mill with a machinist" | json 'd["entry"]')
check_match "  ...and 480 minutes" '^[0-9a-f]{32}$' "$E2"
check "student key" ctl "$sch" student key S1 --out "$T/s1.key"
sctl() { "$MENTORCTL" --timeout 5 --key "$T/s1.key" "$@"; }
out=$(sctl hours log "$A1" --date "$(day -3)" --hours 7:30 --activity "Deburred parts")
check_match "the student logs their own 7:30" "^logged 7 h 30 min on $(day -3): entry [0-9a-f]{32}" "$out"
E3=$(printf '%s' "$out" | sed -n 's/.*entry \([0-9a-f]*\).*/\1/p')
refused "the student on another student's application" "no application $A3" \
    sctl hours log "$A3" --date "$(day -3)" --hours 1 --activity x

# Refusals, each saying why.
refused "a date in the future" "date $(day 1) is in the future" \
    ctl "$sch" hours log "$A1" --date "$(day 1)" --hours 1 --activity x
refused "a date before the placement starts" "date $(day -21) is before the placement starts \($(day -20)\)" \
    ctl "$sch" hours log "$A1" --date "$(day -21)" --hours 1 --activity x
refused "a date after the placement ended" "date $(day -2) is after the placement ends \($(day -3)\)" \
    ctl "$sch" hours log "$A2" --date "$(day -2)" --hours 1 --activity x
refused "an application that was not accepted" "application $A3 has no placement: it was not accepted" \
    ctl "$sch" hours log "$A3" --date "$(day -2)" --hours 1 --activity x
refused "an empty activity" "activity: must not be empty" \
    ctl "$sch" hours log "$A1" --date "$(day -2)" --hours 1 --activity ""
refused "an activity over 1000 bytes" "activity: longer than 1000 bytes" \
    ctl "$sch" hours log "$A1" --date "$(day -2)" --hours 1 --activity "$(printf 'x%.0s' $(seq 1001))"
refused "25 hours" "hours: must be a number of hours" \
    ctl "$sch" hours log "$A1" --date "$(day -2)" --hours 25 --activity x
refused "a malformed date" "date: not a date" \
    ctl "$sch" hours log "$A1" --date "$(day -2)x" --hours 1 --activity x
refused "logging on the employer's node" "students live on school nodes" \
    ctl "$emp" hours log "$A1" --date "$(day -2)" --hours 1 --activity x
# 24 hours a day, over both of S1's placements.
check "20 hours on the other placement, the same day (22.5 in all)" \
    ctl "$sch" hours log "$A2" --date "$(day -5)" --hours 20 --activity "Welding shadow, night shift"
refused "2 more hours that day" "the student's hours on $(day -5) would add up to 24 h 30 min \(22 h 30 min already logged\); a day holds 24 hours" \
    ctl "$sch" hours log "$A1" --date "$(day -5)" --hours 2 --activity x
E4=$(ctl "$sch" --json hours log "$A1" --date "$(day -5)" --hours 1.5 --activity "Cleaned up" | json 'd["entry"]')
check_match "  ...but 1.5 (exactly 24) is taken" '^[0-9a-f]{32}$' "$E4"
check_eq "nothing refused was stored" 4 "$(ctl "$sch" --json hours list "$A1" | json 'len(d["entries"])')"

# The employer sees them, answers, and both agree.
check "the employer's node has the four entries" wait_for 20 n_entries "$emp" "$A1" 4
check "  ...and the other placement's" wait_for 20 n_entries "$emp" "$A2" 1
refused "answering on the school's node" "confirmed or disputed by the employer" \
    ctl "$sch" hours answer "$A1" "$E1" confirm
check_eq "the employer confirms an entry" "entry $E1 confirmed; the school is told" \
    "$(ctl "$emp" hours answer "$A1" "$E1" confirm)"
check "  ...and disputes another with a note" ctl "$emp" hours answer "$A1" "$E2" dispute --note "Left at noon."
refused "answering an entry twice" "attendance entry $E1 is already confirmed" \
    ctl "$emp" hours answer "$A1" "$E1" dispute
refused "answering an unknown entry" "application $A1 has no attendance entry 00112233445566778899aabbccddeeff" \
    ctl "$emp" hours answer "$A1" 00112233445566778899aabbccddeeff confirm
refused "an answer that is neither" "status: \"maybe\" is not confirm or dispute" \
    ctl "$emp" hours answer "$A1" "$E3" maybe
check "the school sees the confirmation" wait_for 20 status_is "$sch" "$A1" "$E1" confirmed
check "  ...and the dispute" wait_for 20 status_is "$sch" "$A1" "$E2" disputed
check_eq "  ...with its note" "Left at noon." \
    "$(ctl "$sch" --json hours list "$A1" | json "[e.get('note') for e in d['entries'] if e['entry']=='$E2'][0]")"
T1=$(totals "$sch" "$A1")
check_eq "the school's totals: 1170 min logged, 150 confirmed, 480 disputed, 540 awaiting" \
    "[('confirmed', 1, 150), ('disputed', 1, 480), ('logged', 4, 1170), ('pending', 2, 540), ('refused', 0, 0)]" "$T1"
check_eq "  ...the employer's are the same" "$T1" "$(totals "$emp" "$A1")"
check_eq "  ...on the other placement too" "$(totals "$sch" "$A2")" "$(totals "$emp" "$A2")"
check_eq "both list the same entries in the same order" \
    "$(ctl "$sch" --json hours list "$A1" | json 'd["entries"]')" \
    "$(ctl "$emp" --json hours list "$A1" | json 'd["entries"]')"
out=$(ctl "$emp" hours list "$A1")
check_match "hours list prints each entry" "$(day -4) +8 h 00 min +disputed +$E2 +Ran the CNC mill" "$out"
check_match "  ...the note under it" "note: Left at noon\." "$out"
check_match "  ...and the totals in hours and minutes" "^logged 19 h 30 min \(4 entries\); confirmed 2 h 30 min \(1 entry\); disputed 8 h 00 min \(1 entry\); awaiting an answer 9 h 00 min \(2 entries\)$" "$out"
check_eq "the student lists their own hours" 4 "$(sctl --json hours list "$A1" | json 'len(d["entries"])')"
check_fails "  ...not on an application that is not theirs" sctl hours list "$A3"
check_match "each entry sent is in the school's audit log" "hours" \
    "$(ctl "$sch" --json audit list | json '[e.get("type") for e in d if e["action"]=="placement-message"]')"

# The employer's node checks too: the school logs on a placement whose
# completion has not reached it yet; the employer's node refuses it.
node_stop "$sch"
check "the employer completes the other placement while the school is down" ctl "$emp" placement state "$A2" completed
node_stop "$emp"
node_start "$sch"
check "the school, not knowing yet, logs an hour on it" \
    ctl "$sch" hours log "$A2" --date "$(day -6)" --hours 1 --activity "Late entry"
node_start "$emp"
check "the completion reaches the school" wait_for 30 plc_is "$sch" "$A2" completed
check "the employer's node refuses the entry, logging no date or reason" \
    wait_for 30 grep -q "placement message (hours) from .* about application $A2 refused; .mentorctl placement show. says why" "$emp.log"
check_eq "  ...placement show keeps the reason" \
    "hours: the placement is completed; hours are logged only while it is scheduled or active" \
    "$(ctl "$emp" --json placement show "$A2" | json 'd["refused"][-1]["type"]+": "+d["refused"][-1]["reason"]')"
check_eq "  ...and keeps only the entry before" 1 "$(ctl "$emp" --json hours list "$A2" | json 'len(d["entries"])')"
late=$(ctl "$sch" --json hours list "$A2" | json "[e['entry'] for e in d['entries'] if e['activity']=='Late entry'][0]")
check "the refusal travels back: the school's entry becomes refused" wait_for 30 status_is "$sch" "$A2" "$late" refused
check_eq "  ...with the employer's reason as its note" \
    "the placement is completed; hours are logged only while it is scheduled or active" \
    "$(ctl "$sch" --json hours list "$A2" | json "[e.get('note') for e in d['entries'] if e['entry']=='$late'][0]")"
check_eq "  ...out of the totals: both nodes count the same hours" \
    "$(totals "$emp" "$A2" | sed "s/, ('refused', 0, 0)//")" "$(totals "$sch" "$A2" | sed "s/, ('refused', 1, 60)//")"
check_match "  ...placement show tells the coordinator" \
    "your hours message, by the other side's node \(.*\): the placement is completed" \
    "$(ctl "$sch" placement show "$A2")"
check_match "  ...and hours list counts it apart" "refused by the employer's node 1 h 00 min \(1 entry, not counted\)" \
    "$(ctl "$sch" hours list "$A2")"
check_eq "the employer's node sends no refusal of a refusal" 0 \
    "$(ctl "$emp" --json placement show "$A2" | json 'len(d.get("refused_by_other", []))')"
refused "the school now refuses to log on the completed placement" "the placement is completed; hours are logged only while it is scheduled or active" \
    ctl "$sch" hours log "$A2" --date "$(day -6)" --hours 1 --activity x
check "  ...but the employer still answers its earlier entry" \
    ctl "$emp" hours answer "$A2" "$(ctl "$emp" --json hours list "$A2" | json 'd["entries"][0]["entry"]')" confirm
check_fails "no student name in either log" grep -q "Lindqvist\|Ada" "$sch.log" "$emp.log"
check "both nodes stop cleanly" sh -c "kill -TERM $(cat "$sch.pid") $(cat "$emp.pid")"
wait 2>/dev/null
done_testing
