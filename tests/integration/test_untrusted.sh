#!/usr/bin/env bash
# Records this node refuses as untrusted are not fetched again (issue 12):
# a school linked to a hub that holds the listings of an employer the
# school does not trust refuses them once; later reconciliations find them
# missing again but fetch none of them, until whom the school trusts
# changes (trust add), when they are fetched and stored.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 1\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" >/dev/null
}
connected() { [ "$(ctl "$1" --json peer list | json 'len(d)>0 and all(p["connected"] for p in d)')" == True ]; }
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
# fetched DIR: bytes of the messages that carry records in full received:
# RECORDS (answers to its WANTs) and PUSH (what a peer's reconciliation
# found missing here: the stranger's listing may come either way).
fetched() { ctl "$1" --json peer list | json 'sum(p["received"]["bytes"]["records"] + p["received"]["bytes"]["push"] for p in d)'; }
untrusted() { ctl "$1" --json peer list | json 'sum(p["received"]["untrusted_bytes"] for p in d)'; }

sch=$(node_new school school); fast "$sch"
hub=$(node_new hub hub); fast "$hub"
e1=$(node_new trusted employer); fast "$e1"
e2=$(node_new stranger employer); fast "$e2"
for d in "$sch" "$hub" "$e1" "$e2"; do node_start "$d"; done
link "$e1" "$hub"; link "$e2" "$hub"; link "$sch" "$hub"
ctl "$sch" trust add "$(id_of "$e1")" >/dev/null
check "the four nodes are linked" wait_for 20 connected "$hub"
printf '[{"ref":"a","kind":"job_shadow","title":"A","organization":"Trusted","capacity":1,"modality":"virtual"}]' >"$T/a.json"
printf '[{"ref":"b","kind":"job_shadow","title":"B","organization":"Stranger","capacity":1,"modality":"virtual"}]' >"$T/b.json"
A=$(ctl "$e1" --json listing post "$T/a.json" | json 'd["ids"][0]')
B=$(ctl "$e2" --json listing post "$T/b.json" | json 'd["ids"][0]')
check "the hub holds both listings" wait_for 20 has_listing "$hub" "$B"
check "the trusted employer's listing reaches the school" wait_for 20 has_listing "$sch" "$A"
refused() { [ "$(untrusted "$sch")" -ge 1 ]; }
check "the stranger's records reach it and are refused as untrusted" wait_for 20 refused
check_fails "  ...so its listing is not there" has_listing "$sch" "$B"
sleep 2
f1=$(fetched "$sch")
sleep 4	# four reconciliations at least
f2=$(fetched "$sch")
check "  ...(records did arrive in full before: $f1 bytes)" test "${f1:-0}" -gt 0
check_eq "later reconciliations bring none of them again (RECORDS+PUSH bytes before, after 4 s)" "$f1" "$f2"
ctl "$sch" trust add "$(id_of "$e2")" >/dev/null
check "once the school trusts the stranger, its listing is fetched and stored" wait_for 20 has_listing "$sch" "$B"
done_testing
