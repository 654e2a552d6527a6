#!/usr/bin/env bash
# Applications across employer <- hub -> school over real sockets: the
# consent gate, sealing (the hub relays but cannot read), accept/decline
# flowing back, capacity, the audit log, and deletion leaving no trace.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
# hub_flag DIR: --hub when DIR is a hub: its peers honour its certificates
hub_flag() { grep -q '^role = hub$' "$1/mentord.conf" && echo --hub; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$(basename "$2")" $(hub_flag "$2") >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" --organization "$(basename "$1")" $(hub_flag "$1") >/dev/null
}
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
received() { [ "$(ctl "$1" --json application list | json 'len([a for a in d if a["side"]=="received"])')" -ge "$2" ]; }
status_is() { [ "$(ctl "$1" --json application show "$2" 2>/dev/null | json 'd["status"]')" == "$3" ]; }
is_full() { [ "$(ctl "$1" --json listing show "$2" 2>/dev/null | json 'd.get("full", False)')" == True ]; }

emp=$(node_new employer employer); fast "$emp"
hub=$(node_new hub hub); fast "$hub"
sch=$(node_new school school); fast "$sch"
SPORT=$(free_port)
printf '\n[api]\nstudent_listen = tcp://127.0.0.1:%s\n' "$SPORT" >>"$sch/mentord.conf"
for d in "$emp" "$hub" "$sch"; do node_start "$d"; done
link "$emp" "$hub"; link "$hub" "$sch"

y=$(date +%Y)
cat >"$T/students.json" <<J
[{"id":"S1","name":"Zelphine Quorra","birth_date":"$((y-16))-01-15","grade":11,
  "competencies":{"onet:2.B.3.h":3,"onet:2.A.1.a":2},"modality":["virtual"]},
 {"id":"S2","name":"Brannoc Vintery","birth_date":"$((y-16))-02-20","grade":11,"modality":["virtual"]},
 {"id":"S3","name":"Tiny Wexholm","birth_date":"$((y-12))-03-03","grade":7,"modality":["virtual"]},
 {"id":"S4","name":"Adult Grantley","birth_date":"$((y-20))-04-04","modality":["virtual"]}]
J
ctl "$sch" student import "$T/students.json" >/dev/null
cat >"$T/l.json" <<'J'
[{"ref":"weld-1","kind":"mentorship","title":"Welding mentor","organization":"Acme",
  "capacity":1,"modality":"virtual","min_age":14,
  "requires":[{"competency":"onet:2.B.3.h","level":2}]},
 {"ref":"open-1","kind":"project","title":"Open project","organization":"Acme",
  "capacity":5,"modality":"virtual"}]
J
ids=$(ctl "$emp" --json listing post "$T/l.json")
L1=$(echo "$ids" | json 'd["ids"][0]'); L2=$(echo "$ids" | json 'd["ids"][1]')
check "the listings reach the school" wait_for 20 has_listing "$sch" "$L2"

out=$(ctl "$sch" apply S1 "$L1" 2>&1); rc=$?
check_eq "a minor without consent cannot apply (exit 1)" 1 "$rc"
check_match "  ...and is told why" "under 18 and has no current guardian consent" "$out"
check "consent is recorded" ctl "$sch" consent S1 --guardian "Morwenna Quorra"
check_eq "consent list shows it current" True \
    "$(ctl "$sch" --json consent list S1 | json 'd[0]["current"]')"
A1=$(ctl "$sch" --json apply S1 "$L1" --message "I weld with my uncle on weekends" | json 'd["id"]')
check_match "with consent the application is sent" '^[0-9a-f]{32}$' "$A1"
check_fails "applying twice to one listing is refused" ctl "$sch" apply S1 "$L1"
check_fails "an empty message is refused before anything is sent" \
    ctl "$sch" apply S4 "$L2" --message ""
check_match "  ...naming the field" "message" "$(cat "$T/last.err")"
ctl "$sch" consent S3 --guardian "Parent Wexholm" >/dev/null
out=$(ctl "$sch" apply S3 "$L2" 2>&1)
check_match "under 13 needs a consent that covers it" "under 13" "$out"
ctl "$sch" consent S3 --guardian "Parent Wexholm" --scope apply,under13 >/dev/null
out=$(ctl "$sch" apply S3 "$L1" 2>&1)
check_match "  ...and the listing's minimum age still applies" "too young" "$out"
A3=$(ctl "$sch" --json apply S3 "$L2" | json 'd["id"]')
check_match "  ...with it, an under-13 can apply to an open project" '^[0-9a-f]{32}$' "$A3"

check "the employer receives the applications" wait_for 20 received "$emp" 2
show=$(ctl "$emp" --json application show "$A1")
check_eq "it holds the first name, level and message" \
    "Zelphine 3 I weld with my uncle on weekends" \
    "$(echo "$show" | json 'd["first_name"]+" "+str(d["competencies"]["onet:2.B.3.h"])+" "+d["message"]')"
check_eq "  ...and nothing it should not" "True" \
    "$(echo "$show" | json 'not any(k in d for k in ["birth_date","name","location","last_name"]) and "Quorra" not in json.dumps(d) if False else not any(k in d for k in ["birth_date","name","location"]) and "Quorra" not in str(d)')"
check_eq "the hub relayed but cannot read: it received nothing" 0 \
    "$(ctl "$hub" --json application list | json 'len(d)')"

ctl "$sch" consent S2 --guardian "Guardian Vintery" >/dev/null
A2=$(ctl "$sch" --json apply S2 "$L1" | json 'd["id"]')
check "a second applicant's application arrives" wait_for 20 received "$emp" 3
check "the employer accepts the first, with a note" ctl "$emp" application accept "$A1" --note "See you on 10 January at 8:00."
out=$(ctl "$emp" application accept "$A2" 2>&1); rc=$?
check_eq "capacity 1: a second accept is refused" 1 "$rc"
check_match "  ...saying the listing is full" "full" "$out"
check "  ...but it can be declined" ctl "$emp" application decline "$A2"
check "the school sees the acceptance" wait_for 20 status_is "$sch" "$A1" accepted
check_eq "  ...and the employer's note, which travelled sealed" "See you on 10 January at 8:00." \
    "$(ctl "$sch" --json application list | json '[a.get("note","") for a in d if a["id"]=="'"$A1"'"][0]')"
check_fails "a note over 500 bytes is refused" ctl "$emp" application decline "$A2" --note "$(head -c 501 /dev/zero | tr '\0' x)"
check_match "  ...naming the limit" "note: 1 to 500 bytes" "$(cat "$T/last.err")"
check "  ...and the decline" wait_for 20 status_is "$sch" "$A2" declined
check "the full listing is republished and reaches the school" wait_for 20 is_full "$sch" "$L1"
out=$(ctl "$sch" apply S4 "$L1" 2>&1)
check_match "a school refuses to apply to a full listing" "is full" "$out"
check_eq "application list on the school shows each status" "accepted declined" \
    "$(ctl "$sch" --json application list | json '" ".join(a["status"] for a in sorted(d, key=lambda a: a["id"]) if a["id"] in ("'"$A1"'","'"$A2"'")) if False else " ".join([a["status"] for a in d if a["id"]=="'"$A1"'"] + [a["status"] for a in d if a["id"]=="'"$A2"'"])')"

# Delivery survives the employer being down: stored, then reconciled.
kill -9 "$(cat "$emp.pid")"; wait "$(cat "$emp.pid")" 2>/dev/null
A6=$(ctl "$sch" --json apply S4 "$L2" | json 'd["id"]')
check_match "an adult applies while the employer is down" '^[0-9a-f]{32}$' "$A6"
node_start "$emp"
check "  ...and the employer has it after it restarts" \
    wait_for 30 sh -c "'$MENTORCTL' -d '$emp' application show '$A6' >/dev/null 2>&1"
check_eq "  ...once" 1 \
    "$(ctl "$emp" --json application list | json 'len([a for a in d if a["id"]=="'"$A6"'"])')"

# The audit log: disclosures recorded, chain intact, tampering shows.
check_eq "the audit log records each disclosure" 4 \
    "$(ctl "$sch" --json audit list | json 'len([e for e in d if e["action"]=="disclose"])')"
check_eq "  ...naming the fields and the recipient, not the student's name" "True" \
    "$(ctl "$sch" --json audit list | json 'all("fields" in e and len(e["to"])==64 for e in d if e["action"]=="disclose") and "Zelphine" not in str(d)')"
check "audit verify passes" ctl "$sch" audit verify

# A student's own key: their profile, matches and applications only.
check "student key writes a key file" ctl "$sch" student key S2 --out "$T/s2.key"
check_eq "  ...readable by its owner only" 600 "$(stat -c %a "$T/s2.key")"
sctl() { "$MENTORCTL" --timeout 5 --key "$T/s2.key" "$@"; }
check_eq "with it the student sees their own profile" "Brannoc Vintery" \
    "$(sctl --json student show S2 | json 'd["name"]')"
check_fails "  ...not another student's" sctl student show S4
check_match "  ...refused as another student" "its own student only" "$(cat "$T/last.err")"
check "  ...runs match for themselves" sctl match S2
check_fails "  ...not for someone else" sctl match S1
check_eq "  ...sees only their own applications" "$A2" \
    "$(sctl --json application list | json '" ".join(a["id"] for a in d)')"
check_fails "  ...cannot read another's application" sctl application show "$A1"
check_fails "  ...cannot list students" sctl student list
check_match "  ...(not allowed with a student key)" "not allowed with a student key" "$(cat "$T/last.err")"
check_fails "  ...cannot accept applications" sctl application accept "$A1"
A5=$(sctl --json apply S2 "$L2" | json 'd["id"]')
check_match "  ...and can apply" '^[0-9a-f]{32}$' "$A5"
python3 - "$T/s2.key" "$T/forged.key" <<'PY'
import sys, os
lines = open(sys.argv[1]).read().splitlines()
out = [l if not l.startswith(("public_key", "secret_key")) else l.split("=")[0] + "= " + os.urandom(32).hex() for l in lines]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
check_fails "a key the school never issued is refused" \
    "$MENTORCTL" --timeout 3 --key "$T/forged.key" match S2
check "student key --revoke" ctl "$sch" student key S2 --revoke
check_fails "  ...cuts access at once" sctl match S2

# Privacy: nothing of a student on the hub or in any log.
for pat in Zelphine Quorra Brannoc "uncle on weekends" "$((y-16))-01-15"; do
	if grep -rqa "$pat" "$hub" "$emp.log" "$hub.log" "$sch.log"; then
		notok "no trace of \"$pat\" in the hub's files or any log"
	else
		ok "no trace of \"$pat\" in the hub's files or any log"
	fi
done

# Deletion: gone from the store files after compacting.
check "student delete" ctl "$sch" student delete S1
check "store compact" ctl "$sch" store compact
check_eq "the student's applications are gone from the school's list" 0 \
    "$(ctl "$sch" --json application list | json 'len([a for a in d if a["id"]=="'"$A1"'"])')"
for pat in Zelphine Quorra Morwenna "$((y-16))-01-15"; do
	if grep -rqa "$pat" "$sch/store"; then
		notok "after delete and compact, no \"$pat\" in the store files"
	else
		ok "after delete and compact, no \"$pat\" in the store files"
	fi
done
check_eq "the audit log keeps a pseudonymous deletion entry" 1 \
    "$(ctl "$sch" --json audit list | json 'len([e for e in d if e["action"]=="student-deleted"])')"
check "  ...and still verifies" ctl "$sch" audit verify
check "the node keeps working after compacting" ctl "$sch" match S2

node_stop "$sch"
python3 - "$sch/store/data.mdb" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
i = b.find(b'"action":"disclose"')
b[i + 10] ^= 0x01
open(p, 'wb').write(bytes(b))
PY
node_start "$sch"
out=$(ctl "$sch" audit verify 2>&1); rc=$?
check_eq "a tampered audit entry makes audit verify fail" 1 "$rc"
check_match "  ...naming the entry" "broken at entry" "$out"
for d in "$emp" "$hub" "$sch"; do node_stop "$d"; done
done_testing
