#!/usr/bin/env bash
# The web listener: security headers, static files, sign-in, throttling,
# CSRF, a student's confinement, revocation, API tokens, TLS, and the
# refusal of a public address without TLS.  Driven with curl.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { notok "curl is installed"; exit 1; }

# --- init writes [web] -------------------------------------------------
"$MENTORD" init -d "$T/dflt" --name dflt --role hub >/dev/null
check_match "init writes [web] listen = 127.0.0.1:8080 by default" \
    '^listen = 127\.0\.0\.1:8080$' "$(sed -n '/^\[web\]/,$p' "$T/dflt/mentord.conf")"
check_fails "init refuses a bad --web-listen" \
    "$MENTORD" init -d "$T/bad" --name bad --role hub --web-listen nowhere
check_match "and says what it expected" 'web-listen: expected HOST:PORT' "$(cat "$T/last.err")"

s=$(node_new school school)
B=$(web_of "$s")
mkdir -p "$T/root/static" "$T/outside"
echo '<!doctype html><title>mentord</title>' >"$T/root/index.html"
echo '<!doctype html><title>student</title>' >"$T/root/student.html"
echo 'console.log(1);' >"$T/root/static/app.js"
echo 'body{}' >"$T/root/static/style.css"
echo 'secret' >"$T/outside/secret.txt"
echo 'plain' >"$T/root/static/notes.txt"
echo 'x' >"$T/root/static/data.bin"
ln -s "$T/outside/secret.txt" "$T/root/static/link.txt"
printf 'root = %s\n' "$T/root" >>"$s/mentord.conf"
check "the school starts with its web on" node_start "$s"
ctl "$s" student import "$ROOT/contrib/data/sample/students.csv" >/dev/null

# hdr URL [curl args]: the response headers (lower-case names).
hdr() { curl -s -o /dev/null -D - "$@" | tr -d '\r' | tr 'A-Z' 'a-z'; }
# code URL [curl args]: the HTTP status.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# post PATH JSON [curl args]: POSTs JSON with the cookie jar $J and the
# CSRF token $CSRF; prints the body; the status goes to $T/status.
post() {
	local p=$1 d=$2; shift 2
	curl -s -o "$T/body" -w '%{http_code}' -b "$J" -c "$J" \
	    -H 'Content-Type: application/json' -H "X-CSRF-Token: ${CSRF:-}" \
	    --data-binary "$d" "$@" "$B/api/v1/$p" >"$T/status"
	cat "$T/body"
}
status() { cat "$T/status"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" <"$T/body"; }

# --- headers and static files ------------------------------------------
h=$(hdr "$B/")
CSP="content-security-policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
check_match "a page has the CSP" "^$(printf '%s' "$CSP" | sed 's/[][\.*^$]/\\&/g')\$" "$h"
check_fails "the CSP allows no inline script or style" grep -q "unsafe-inline" <<<"$h"
check_match "nosniff" '^x-content-type-options: nosniff$' "$h"
check_match "no referrer" '^referrer-policy: no-referrer$' "$h"
check_match "no framing" '^x-frame-options: deny$' "$h"
check_match "/ is HTML" '^content-type: text/html; charset=utf-8$' "$h"
check_eq "GET / serves index.html" '<!doctype html><title>mentord</title>' "$(curl -s "$B/")"
check_eq "GET /student serves student.html" '<!doctype html><title>student</title>' "$(curl -s "$B/student")"
check_match "a script is text/javascript" '^content-type: text/javascript' "$(hdr "$B/static/app.js")"
check_match "a style sheet is text/css" '^content-type: text/css' "$(hdr "$B/static/style.css")"
h=$(hdr -X POST -H 'Content-Type: application/json' -d '{}' "$B/api/v1/ping")
check_match "an API reply has the CSP too" '^content-security-policy: default-src' "$h"
check_match "an API reply is not cached" '^cache-control: no-store$' "$h"
check_fails "no HSTS without TLS" grep -q strict-transport <<<"$h"
for p in '/static/../../outside/secret.txt' '/static/%2e%2e/%2e%2e/outside/secret.txt' \
    '/static/..%2f..%2foutside/secret.txt' '/..%2fmentord.conf' '/static/link.txt' \
    '/static/.hidden' '/static//app.js' '/static/data.bin' '/mentord.conf' '/static/'; do
	check_eq "GET $p is refused" 404 "$(code --path-as-is "$B$p")"
done
check_fails "no response ever carries the file outside the root" \
    grep -rq secret <(for p in /static/link.txt '/static/../../outside/secret.txt'; do curl -s --path-as-is "$B$p"; done)
check_eq "POST to a page is refused" 405 "$(code -X POST "$B/")"
big=$(head -c 20000 /dev/zero | tr '\0' x)
check_match "headers over 16 KiB are refused" '^4[0-9][0-9]$|^000$' "$(code -H "X-Big: $big" "$B/")"

# --- accounts and sign-in ----------------------------------------------
ctl "$s" web user add coord --role coordinator >"$T/setup.out"
check_match "user add prints a set-up link" "^  $B/#setup=[0-9a-f]{64}\$" "$(cat "$T/setup.out")"
SETUP=$(sed -n 's/.*#setup=//p' "$T/setup.out")
J=$T/coord.jar CSRF=
post auth/signin '{"user":"coord","password":"anything at all"}' >/dev/null
check_eq "an account waiting for its set-up link cannot sign in" 401 "$(status)"
post auth/setup "{\"token\":\"$SETUP\",\"password\":\"short\"}" >/dev/null
check_eq "set-up refuses a short password" 400 "$(status)"
check_eq "and names the field" password "$(field 'd["error"]["field"]')"
post auth/setup "{\"token\":\"$SETUP\",\"password\":\"coordinator pass 1\"}" >/dev/null
check_eq "the set-up link sets the password and signs in" 200 "$(status)"
post auth/setup "{\"token\":\"$SETUP\",\"password\":\"coordinator pass 2\"}" >/dev/null
check_eq "a set-up link works once" 403 "$(status)"
rm -f "$J"
h=$(curl -s -D - -o "$T/body" -c "$J" -H 'Content-Type: application/json' \
    -d '{"user":"coord","password":"coordinator pass 1"}' "$B/api/v1/auth/signin" | tr -d '\r')
check_match "sign-in sets an HttpOnly SameSite=Strict cookie" \
    '^Set-Cookie: mentord_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/$' "$h"
check_eq "sign-in says who" coordinator "$(field 'd["result"]["who"]')"
CSRF=$(field 'd["result"]["csrf"]')
check_eq "GET auth/me answers with the same token" "$CSRF" \
    "$(curl -s -b "$J" "$B/api/v1/auth/me" | json 'd["result"]["csrf"]')"
post student.list '{}' >/dev/null
check_eq "the coordinator lists students" 200 "$(status)"
check_eq "all 30 of them" 30 "$(field 'len(d["result"])')"

# --- CSRF and cross-site ---------------------------------------------------
SAVE=$CSRF CSRF=
post student.list '{}' >/dev/null
check_eq "a POST without X-CSRF-Token is refused" 403 "$(status)"
CSRF=0000000000000000000000000000000000000000000000000000000000000000
post student.list '{}' >/dev/null
check_eq "a POST with a wrong X-CSRF-Token is refused" 403 "$(status)"
CSRF=$SAVE
post student.list '{}' -H 'Origin: https://evil.example' >/dev/null
check_eq "a cross-site Origin is refused" 403 "$(status)"
check_eq "with a plain message" "cross-site request refused" "$(field 'd["error"]["message"]')"
post student.list '{}' -H 'Sec-Fetch-Site: cross-site' >/dev/null
check_eq "Sec-Fetch-Site: cross-site is refused" 403 "$(status)"
post student.list '{}' -H "Origin: $B" -H 'Sec-Fetch-Site: same-origin' >/dev/null
check_eq "the same origin is let through" 200 "$(status)"
check_eq "a form-like Content-Type is refused" 415 "$(code -b "$J" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: text/plain' -d '{}' "$B/api/v1/student.list")"
post auth/signin '{"user":"coord","password":"coordinator pass 1"}' -H 'Origin: https://evil.example' >/dev/null
check_eq "a cross-site sign-in is refused" 403 "$(status)"

# --- error mapping ---------------------------------------------------------
post no.such.command '{}' >/dev/null
check_eq "an unknown command is 404" 404 "$(status)"
post student.show '{"id":"S9999"}' >/dev/null
check_eq "a missing student is 404" 404 "$(status)"
check_eq "named ENOTFOUND" ENOTFOUND "$(field 'd["error"]["name"]')"
post match '{"student":"S1001","top":1000}' >/dev/null
check_eq "a bad argument is 400" 400 "$(status)"
check_eq "with the field it names" top "$(field 'd["error"]["field"]')"
post student.list '[1,2]' >/dev/null
check_eq "a body that is not an object is 400" 400 "$(status)"
python3 -c 'print("{\"x\":\"" + "a"*1100000 + "\"}")' >"$T/big.json"
post student.list "@$T/big.json" >/dev/null
check_eq "a body over 1 MiB is 413" 413 "$(status)"
check_eq "GET on a command is 405" 405 "$(code -b "$J" "$B/api/v1/student.list")"
check_eq "not signed in is 401" 401 "$(code -X POST -H 'Content-Type: application/json' -d '{}' "$B/api/v1/student.list")"

# --- throttling ---------------------------------------------------------------
echo 'a good password' | ctl "$s" web user add victim --role coordinator --password-stdin >/dev/null
J=$T/victim.jar CSRF=
for i in 1 2 3 4 5; do post auth/signin '{"user":"victim","password":"wrong wrong wrong"}' >/dev/null; done
check_eq "the fifth wrong password is still 401" 401 "$(status)"
post auth/signin '{"user":"victim","password":"a good password"}' >/dev/null
check_eq "after 5 failures the account is throttled (429)" 429 "$(status)"
check_match "with Retry-After" '^Retry-After: [0-9]+' "$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"user":"victim","password":"x"}' "$B/api/v1/auth/signin" | tr -d '\r')"
post auth/signin '{"user":"coord","password":"coordinator pass 1"}' >/dev/null
check_eq "another account from the same address still signs in" 200 "$(status)"
for i in $(seq 1 20); do post auth/signin '{"code":"AAAA-AAAA-AA"}' >/dev/null; done
check_eq "a wrong sign-in code is 401" 401 "$(status)"
post auth/signin '{"code":"AAAA-AAAA-AA"}' >/dev/null
check_eq "after 20 wrong codes the address is throttled (429)" 429 "$(status)"

# --- behind a proxy: the address is the proxy's X-Forwarded-For ------------------
node_stop "$s"
printf 'behind_proxy = yes\n' >>"$s/mentord.conf"
node_start "$s"
J=$T/proxy.jar CSRF=
for i in $(seq 1 20); do post auth/signin '{"code":"AAAA-AAAA-AA"}' -H 'X-Forwarded-For: 10.9.9.9, 192.0.2.1' >/dev/null; done
post auth/signin '{"code":"AAAA-AAAA-AA"}' -H 'X-Forwarded-For: 10.9.9.9, 192.0.2.1' >/dev/null
check_eq "behind a proxy, the client the proxy saw is throttled" 429 "$(status)"
post auth/signin '{"code":"AAAA-AAAA-AA"}' -H 'X-Forwarded-For: 192.0.2.2' >/dev/null
check_eq "and another client is not" 401 "$(status)"
sed -i '/^behind_proxy = yes$/d' "$s/mentord.conf"

# --- a student's session -------------------------------------------------------
# The address is throttled for codes now; a restart forgets the throttle.
node_stop "$s"
node_start "$s"
ctl "$s" web code S1001 S1002 >"$T/codes"
check_match "web code prints grouped codes and URLs" \
    "^S1001 +[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}  $B/#code=[A-Z0-9]{10}\$" "$(cat "$T/codes")"
C1=$(awk '$1=="S1001"{print $2}' "$T/codes")
J=$T/student.jar CSRF=
post auth/signin "{\"code\":\"$(tr 'A-Z' 'a-z' <<<"$C1")\"}" >/dev/null
check_eq "a student signs in with the code (any case, dashes)" 200 "$(status)"
check_eq "as that student" S1001 "$(field 'd["result"]["student"]')"
CSRF=$(field 'd["result"]["csrf"]')
post student.show '{}' >/dev/null
check_eq "the student sees their own profile" S1001 "$(field 'd["result"]["id"]')"
post student.show '{"id":"S1002"}' >/dev/null
check_eq "but not another student's (403)" 403 "$(status)"
post match '{"student":"S1002"}' >/dev/null
check_eq "nor another student's matches" 403 "$(status)"
for c in student.list consent.list audit.list web.code web.user.list store.compact peer.add student.delete; do
	post "$c" '{"students":["S1002"],"id":"S1002"}' >/dev/null
	check_eq "a student cannot call $c" 403 "$(status)"
done
post student.update '{"goals":{"clusters":["manufacturing"],"occupations":["51-4121.00"]},"modality":["virtual","hybrid"]}' >/dev/null
check_eq "a student changes their goals and formats" 200 "$(status)"
check_eq "and the profile says so" "['virtual', 'hybrid']" "$(field 'd["result"]["modality"]')"
post student.update '{"name":"Someone Else"}' >/dev/null
check_eq "but not their name" name "$(field 'd["error"]["field"]')"
post student.update '{"modality":["by pigeon"]}' >/dev/null
check_eq "a bad format is refused with its field" 400 "$(status)"
check_match "naming it" '^modality' "$(field 'd["error"]["field"]')"
post student.update '{"student":"S1002","modality":["virtual"]}' >/dev/null
check_eq "nor another student's profile" 403 "$(status)"
SJ=$J SCSRF=$CSRF
J=$T/coord.jar CSRF=$SAVE
post web.code '{"students":["S1002"]}' >/dev/null
check_eq "a coordinator issues a code from the web" 200 "$(status)"
post web.user.list '{}' >/dev/null
check_eq "but cannot manage accounts" 403 "$(status)"
post audit.list '{}' >/dev/null
check_eq "the coordinator sees the student's change in the audit log" "student-update ['goals', 'modality'] student" \
    "$(field '[" ".join([e["action"], str(e["fields"]), e["by"]]) for e in d["result"] if e["action"]=="student-update"][-1]')"
ctl "$s" web code revoke S1001 >/dev/null
J=$SJ CSRF=$SCSRF
post student.show '{}' >/dev/null
check_eq "a revoked code ends the student's session at once" 401 "$(status)"
post auth/signin "{\"code\":\"$C1\"}" >/dev/null
check_eq "and the code no longer signs in" 401 "$(status)"

# --- sign-out everywhere, removal, password change ------------------------------
rm -f "$T/c1.jar" "$T/c2.jar"
J=$T/c1.jar CSRF=; post auth/signin '{"user":"coord","password":"coordinator pass 1"}' >/dev/null; C1CSRF=$(field 'd["result"]["csrf"]')
J=$T/c2.jar CSRF=; post auth/signin '{"user":"coord","password":"coordinator pass 1"}' >/dev/null; C2CSRF=$(field 'd["result"]["csrf"]')
J=$T/c1.jar CSRF=$C1CSRF
post auth/signout-all '{}' >/dev/null
check_eq "sign-out everywhere" 200 "$(status)"
J=$T/c2.jar CSRF=$C2CSRF
post student.list '{}' >/dev/null
check_eq "ends the account's other sessions" 401 "$(status)"
post auth/signin '{"user":"coord","password":"coordinator pass 1"}' >/dev/null
CSRF=$(field 'd["result"]["csrf"]')
post auth/password '{"old":"coordinator pass 1","new":"coordinator pass 2"}' >/dev/null
check_eq "a staff member changes their password" 200 "$(status)"
CSRF=$(field 'd["result"]["csrf"]')
post student.list '{}' >/dev/null
check_eq "and keeps working in a new session" 200 "$(status)"
ctl "$s" web user remove coord >/dev/null
post student.list '{}' >/dev/null
check_eq "removing the account ends its session at once" 401 "$(status)"

# --- API tokens -------------------------------------------------------------
TOK=$(ctl "$s" web token add roster-sync --role coordinator)
check_match "token add prints a 256-bit token" '^[0-9a-f]{64}$' "$TOK"
check_eq "a script uses the token without cookie or CSRF" 200 \
    "$(code -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d '{}' "$B/api/v1/student.list")"
curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: text/csv' \
    --data-binary @"$ROOT/contrib/data/sample/students.csv" "$B/api/v1/student.import?format=csv" >"$T/status"
check_eq "and uploads a roster as text/csv with args in the query" 200 "$(status)"
printf 'id,name,birth_date\nS2001,,2010-01-01\nS2002,Ana,not-a-date\n' >"$T/bad.csv"
curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: text/csv' \
    --data-binary @"$T/bad.csv" "$B/api/v1/student.import?format=csv&dry_run=true" >"$T/status"
check_eq "a roster with errors is refused with every error in error.details" "400 2" \
    "$(status) $(field 'd["error"]["details"]["error_count"]')"
ctl "$s" web token revoke roster-sync >/dev/null
check_eq "a revoked token stops at once" 401 \
    "$(code -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d '{}' "$B/api/v1/student.list")"
ETOK=$(ctl "$s" web token add poster --role employer)
epost() {
	curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $ETOK" \
	    -H 'Content-Type: application/json' --data-binary "$2" "$B/api/v1/$1" >"$T/status"
}
epost listing.post '{"dry_run":true,"listing":{"kind":"bogus","title":"","capacity":0,"modality":"in_person","colour":"red"}}'
check_eq "a listing with many problems is refused (400)" 400 "$(status)"
check_eq "with every field error at once" "colour kind title organization capacity location" \
    "$(field '" ".join(e["field"] for e in d["error"]["fields"])')"
check_eq "the message is the first one" colour "$(field 'd["error"]["field"]')"
L='{"kind":"job_shadow","title":"Welding shop job shadow","organization":"Acme Fabrication","capacity":2,"modality":"virtual"}'
epost listing.post "{\"dry_run\":true,\"listing\":$L}"
check_eq "a good listing passes the dry run" "True Welding shop job shadow" \
    "$(field 'str(d["result"]["valid"]) + " " + d["result"]["listings"][0]["preview"]["title"]')"
curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $ETOK" -H 'Content-Type: application/json' \
    --data-binary "$L" "$B/api/v1/listing.post?dry_run=true" >"$T/status"
check_eq "the listing itself as the body, arguments in the query, works too" "200 True" \
    "$(status) $(field 'd["result"]["valid"]')"
epost listing.list '{}'
check_eq "and the dry run stored nothing" 0 "$(field 'len(d["result"])')"
epost listing.post "{\"listing\":$L}"
check_eq "posting it for real works" 200 "$(status)"
epost listing.list '{}'
check_eq "and stores it" 1 "$(field 'len(d["result"])')"
# The form's type-ahead and place look-up.
epost framework.search '{"q":"critical","kind":"skill","top":3}'
check_eq "framework.search finds a skill by a word of its name" "200 onet:2.A.2.a Critical Thinking" \
    "$(status) $(field 'd["result"][0]["code"] + " " + d["result"][0]["name"]')"
epost framework.search '{"q":"manufact","kind":"cluster"}'
check_eq "  ...clusters of both frameworks" "True True" \
    "$(field 'str(any(x["code"]=="manufacturing" for x in d["result"])) + " " + str(any(x["code"]=="advanced-manufacturing" for x in d["result"]))')"
epost framework.search '{"q":"welder","kind":"occupation","top":5}'
check_eq "  ...occupations by alternate title, with a name" "True" \
    "$(field 'any(x["code"]=="51-4121.00" and x["name"] for x in d["result"])')"
epost framework.search '{"q":"x","kind":"planet"}'
check_eq "  ...an unknown kind is refused, naming it" "400 kind" "$(status) $(field 'd["error"]["field"]')"
epost zip.lookup '{"zip":"54301"}'
check_eq "zip.lookup gives a ZIP code's point" "200 44.48" "$(status) $(field '"%.2f" % d["result"]["lat"]')"
epost zip.lookup '{"zip":"543"}'
check_eq "  ...and refuses a malformed one with its field" "400 zip" "$(status) $(field 'd["error"]["field"]')"
# --- what the pages call: search, fit, why not, dashboard ----------------------
ctl "$s" listing post "$ROOT/contrib/data/sample/listings.json" >/dev/null
C3=$(ctl "$s" --json web code S1003 | json 'd["codes"][0]["code"]')
J=$T/s3.jar CSRF=
post auth/signin "{\"code\":\"$C3\"}" >/dev/null
CSRF=$(field 'd["result"]["csrf"]')
post listing.search '{}' >/dev/null
check_eq "a student searches every live listing" 44 "$(field 'd["result"]["total"]')"
check_eq "each with its fit" True "$(field 'all("fit" in x and "score" in x["fit"] for x in d["result"]["listings"])')"
check_eq "the ones the student would be offered first, best first" True \
    "$(field '(lambda l: l == sorted(l, reverse=True) and l[0][0])([(x["fit"]["matched"], x["fit"]["score"]) for x in d["result"]["listings"]])')"
check_eq "the others say why not" True \
    "$(field 'all(x["fit"]["why_not"] for x in d["result"]["listings"] if not x["fit"]["matched"]) and any(not x["fit"]["matched"] for x in d["result"]["listings"])')"
post listing.search '{"q":"WELDING"}' >/dev/null
check_eq "search by words, any case" True \
    "$(field 'd["result"]["total"] >= 3 and all("welding" in (x["title"]+x["organization"]+x.get("description","")).lower() for x in d["result"]["listings"])')"
post listing.search '{"modality":"virtual","kind":"project"}' >/dev/null
check_eq "search by format and kind" True \
    "$(field 'd["result"]["total"] > 0 and all(x["modality"]=="virtual" and x["kind"]=="project" for x in d["result"]["listings"])')"
post listing.search '{"max_km":10}' >/dev/null
check_eq "search by distance from the student" True \
    "$(field 'all(x["fit"].get("distance_km", 0) <= 10 for x in d["result"]["listings"]) and d["result"]["total"] < 44')"
post listing.search '{"cluster":"health-science","limit":2}' >/dev/null
check_eq "search by cluster, a page at a time" "2 True" \
    "$(field 'str(len(d["result"]["listings"])) + " " + str(d["result"]["total"] > 2)')"
post match '{"top":5}' >/dev/null
check_eq "match reasons carry kind and plain text" True \
    "$(field 'len(d["result"]["matches"]) > 0 and all(r["kind"] and r["text"] for m in d["result"]["matches"] for r in m["reasons"])')"
check_eq "distances in km and miles" True \
    "$(field 'all(r["text"].endswith("mi) away") or "(hybrid)" in r["text"] for m in d["result"]["matches"] for r in m["reasons"] if r["kind"]=="distance")')"
post listing.search '{"student":"S1002"}' >/dev/null
check_eq "a student cannot search as another student" 403 "$(status)"
FAR=$(ctl "$s" --json listing list | json '[x["id"] for x in d if x["title"]=="Medical assistant clinic internship"][0]')
post listing.show "{\"id\":\"$FAR\"}" >/dev/null
check_match "a listing too far away says so in km and miles" \
    '^It is [0-9]+ km \([0-9]+ mi\) away; you travel up to 15 km \(9 mi\)$' "$(field '"\n".join(d["result"]["why_not"])')"
check_eq "and its fit is not a match" False "$(field 'd["result"]["fit"]["matched"]')"
HYB=$(ctl "$s" --json listing list | json '[x["id"] for x in d if x["modality"]=="hybrid"][0]')
post listing.show "{\"id\":\"$HYB\"}" >/dev/null
check_match "a format the student did not choose says so" 'It is hybrid; you chose in person, virtual' "$(field '"\n".join(d["result"]["why_not"])')"
post dashboard '{}' >/dev/null
check_eq "a student has no dashboard" 403 "$(status)"
echo 'dashboard pass 1' | ctl "$s" web user add dash --role coordinator --password-stdin >/dev/null
J=$T/dash.jar CSRF=
post auth/signin '{"user":"dash","password":"dashboard pass 1"}' >/dev/null
CSRF=$(field 'd["result"]["csrf"]')
post dashboard '{}' >/dev/null
check_eq "the coordinator's dashboard counts students and listings" "30 44 44" \
    "$(field '" ".join(str(x) for x in [d["result"]["students"]["total"], d["result"]["listings"]["live"], sum(d["result"]["listings"]["by_format"].values())])')"
check_eq "and how many students have a match" True "$(field '0 < d["result"]["students"]["with_matches"] <= 30')"
n=$(ctl "$s" --json web code --all | json 'len(d["codes"])')
check_eq "web code --all issues a code per student" 30 "$n"
node_stop "$s"

# --- TLS ----------------------------------------------------------------------
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	printf 'tls_cert = %s\ntls_key = %s\n' "$T/cert.pem" "$T/key.pem" >>"$s/mentord.conf"
	check "the school starts with TLS" node_start "$s"
	HB=${B/http:/https:}
	check_eq "HTTPS serves the page, verified against the certificate" \
	    '<!doctype html><title>mentord</title>' "$(curl -s --cacert "$T/cert.pem" "$HB/")"
	check_match "HSTS under TLS" '^strict-transport-security: max-age=' "$(hdr --cacert "$T/cert.pem" "$HB/")"
	ctl "$s" web user add tls --role admin --password-stdin <<<"tls password 1" >/dev/null
	h=$(curl -s -D - -o /dev/null --cacert "$T/cert.pem" -H 'Content-Type: application/json' \
	    -d '{"user":"tls","password":"tls password 1"}' "$HB/api/v1/auth/signin" | tr -d '\r')
	check_match "the cookie is Secure under TLS" '^Set-Cookie: mentord_session=.*; Secure$' "$h"
	check_fails "plain HTTP on the TLS port gets no page" curl -sf --max-time 5 "$B/"
	check_match "web user add prints an https link" "https://" "$(ctl "$s" web user add x2 --role employer)"
	node_stop "$s"
else
	notok "openssl makes a self-signed certificate"
fi

# --- refusals at start ------------------------------------------------------------
p=$(sed -n '/^\[web\]/,/^\[/s/^listen = 127.0.0.1://p' "$s/mentord.conf")
sed -i "s/^listen = 127.0.0.1:$p\$/listen = 0.0.0.0:$p/; /^tls_/d" "$s/mentord.conf"
check_fails "a public address without TLS is refused at start" timeout 10 "$MENTORD" -d "$s"
check_match "saying why" 'refusing to serve 0\.0\.0\.0:[0-9]+ without TLS' "$(cat "$T/last.err")"
sed -i "s/^listen = 0.0.0.0:$p\$/listen = 127.0.0.1:$p/" "$s/mentord.conf"
printf 'tls_cert = %s\n' "$T/cert.pem" >>"$s/mentord.conf"
check_fails "a certificate without a key is refused" timeout 10 "$MENTORD" -d "$s"
done_testing
