#!/usr/bin/env bash
# The web listener under the hood: the security headers on every reply,
# also those libevent writes itself (malformed requests, over the limits,
# unknown methods and expectations), over HTTP and HTTPS; sessions ending
# after the configured idle time and absolute time even when in use
# ([web] session_*); a sign-in's password check (Argon2id) off the event
# loop, so that other requests are answered meanwhile.  Raw sockets and
# real cookies from python (/usr/bin/python3), deadlines, no long sleeps.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# --- [web] session_* in mentord.conf --------------------------------------
bad=$(node_new bad school)
printf 'session_max_s = 0\n' >>"$bad/mentord.conf"
check_fails "a session length of 0 is refused at start" \
    timeout 10 "$MENTORD" -d "$bad"
check_match "  ...naming the key" 'bad value for web\.session_max_s' "$(cat "$T/last.err" "$T/last.out")"

s=$(node_new school school)
printf 'session_idle_student_s = 2\nsession_idle_staff_s = 3\nsession_max_s = 5\n' >>"$s/mentord.conf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
tls=$(node_new tls school)
printf 'tls_cert = %s\ntls_key = %s\n' "$T/cert.pem" "$T/key.pem" >>"$tls/mentord.conf"
check "the school starts with short sessions" node_start "$s"
check "a node with TLS starts" node_start "$tls"
ctl "$s" student import "$ROOT/contrib/data/sample/students.csv" >/dev/null
for u in ada bea cal; do
	echo "admin-pass-123" | ctl "$s" web user add $u --role admin --password-stdin >/dev/null
done
CODE=$(ctl "$s" --json web code S1001 | json 'd["codes"][0]["code"]')

WEB=$(web_of "$s") TLSWEB=$(web_of "$tls" | sed 's/^http:/https:/') CODE=$CODE \
    timeout 120 "$PY" - <<'EOF'
import http.client, json, os, socket, ssl, threading, time, urllib.parse

WEB, TLSWEB, CODE = os.environ["WEB"], os.environ["TLSWEB"], os.environ["CODE"]
FAILED = 0


def check(desc, cond, why=""):
    global FAILED
    print(("ok - " if cond else "not ok - ") + desc, flush=True)
    if not cond:
        FAILED = 1
        for line in str(why).splitlines()[:15]:
            print("#   " + line, flush=True)


def hostport(base):
    u = urllib.parse.urlsplit(base)
    return u.hostname, u.port


def raw(base, data, tls=False):
    """Sends raw bytes; returns every byte until the server closes."""
    s = socket.create_connection(hostport(base), timeout=10)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname="localhost")
    s.sendall(data)
    out = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
    except (socket.timeout, ssl.SSLError, ConnectionResetError):
        pass
    s.close()
    return out


def replies(out):
    """Splits a byte stream into (status, {header: value}, body) by
    Content-Length (a reply without one runs to the end)."""
    res = []
    while out:
        head, sep, rest = out.partition(b"\r\n\r\n")
        if not sep:
            res.append((0, {}, out))
            break
        lines = head.decode("latin1").split("\r\n")
        st = int(lines[0].split()[1])
        h = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            h[k.strip().lower()] = v.strip()
        n = int(h["content-length"]) if "content-length" in h else len(rest)
        res.append((st, h, rest[:n]))
        out = rest[n:]
    return res


SEC = {"content-security-policy": "default-src 'self'; script-src 'self'; "
       "style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'",
       "x-content-type-options": "nosniff",
       "referrer-policy": "no-referrer",
       "x-frame-options": "DENY"}


def secure(h):
    return all(h.get(k) == v for k, v in SEC.items())


# --- security headers on every reply --------------------------------------
big = b"X-Big: " + b"a" * 20000 + b"\r\n"
cases = [
    ("a garbage request line", b"GARBAGE\r\n\r\n", 400),
    ("a malformed header line",
     b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400),
    ("headers over 16 KiB", b"GET / HTTP/1.1\r\nHost: x\r\n" + big +
     b"\r\n", 400),
    ("an unknown method", b"FROB / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    ("a body over the limit", b"POST /api/v1/ping HTTP/1.1\r\nHost: x\r\n"
     b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{}",
     413),
    ("an unknown Expect", b"POST /api/v1/ping HTTP/1.1\r\nHost: x\r\n"
     b"Expect: teapot\r\nContent-Length: 2\r\n\r\n{}", 417),
    ("TRACE (405 from the server itself)",
     b"TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405),
    ("a missing page (404)",
     b"GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
    ("an HTTP/1.0 request", b"GET / HTTP/1.0\r\n\r\n", 200),
]
for desc, data, want in cases:
    r = replies(raw(WEB, data))
    ok = len(r) == 1 and r[0][0] == want and secure(r[0][1])
    check("%s: %d with the security headers" % (desc, want), ok,
          r[:1] and (r[0][0], r[0][1]) or r)
r = replies(raw(WEB, b"GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GARBAGE\r\n\r\n"))
check("a malformed request after a good one on the same connection: "
      "both answered, both with the headers",
      [x[0] for x in r] == [401, 400] and all(secure(x[1]) for x in r),
      [(x[0], x[1]) for x in r])
check("  ...and the good one's body is intact",
      len(r) == 2 and json.loads(r[0][2])["ok"] is False, r)
out = raw(WEB, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
head, _, rest = out.partition(b"\r\n\r\n")
check("HEAD answers the headers alone, and the next reply follows at once",
      b" 200 " in head.split(b"\r\n")[0] and
      rest.startswith(b"HTTP/1.1 404") and
      b"content-security-policy" in head.lower() and
      b"content-security-policy" in rest.lower(), out[:400])
r = replies(raw(TLSWEB, b"GARBAGE\r\n\r\n", tls=True))
check("over HTTPS, libevent's own 400 has the headers and HSTS",
      len(r) == 1 and r[0][0] == 400 and secure(r[0][1]) and
      r[0][1].get("strict-transport-security", "").startswith("max-age"),
      r)
r = replies(raw(TLSWEB, b"GET / HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n\r\n", tls=True))
check("  ...and a page over HTTPS still arrives whole",
      len(r) == 1 and r[0][0] == 200 and secure(r[0][1]) and
      r[0][2].startswith(b"<!doctype html>") and
      len(r[0][2]) == int(r[0][1]["content-length"]), r[:1])


# --- sessions ---------------------------------------------------------------
def call(method, path, body=None, cookie=None, csrf=None):
    c = http.client.HTTPConnection(*hostport(WEB), timeout=15)
    h = {}
    if body is not None:
        h["Content-Type"] = "application/json"
    if cookie:
        h["Cookie"] = "mentord_session=" + cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    c.request(method, path, body=None if body is None else json.dumps(body),
              headers=h)
    r = c.getresponse()
    raw_ = r.read()
    sc = r.getheader("Set-Cookie") or ""
    c.close()
    try:
        j = json.loads(raw_)
    except ValueError:
        j = None
    return r.status, j, sc


def signin(body):
    st, j, sc = call("POST", "/api/v1/auth/signin", body)
    cookie = sc.split(";")[0].partition("=")[2] if sc else None
    return st, cookie, (j or {}).get("result", {}).get("csrf")


t0 = time.time()
st1, stu, stu_csrf = signin({"code": CODE})
st2, adm, adm_csrf = signin({"user": "ada", "password": "admin-pass-123"})
check("a student (code) and an admin (password) sign in",
      st1 == 200 and st2 == 200 and stu and adm, (st1, st2))
# The admin keeps working every 0.4 s; the student does nothing until
# 2.4 s, past the students' idle limit but before the absolute one.
seen, first_refused, last_ok, stu_seen = [], None, None, None
while time.time() - t0 < 12:
    st, j, _ = call("POST", "/api/v1/ping", {}, adm, adm_csrf)
    now = time.time() - t0
    seen.append((round(now, 2), st))
    if st == 200:
        last_ok = now
    else:
        first_refused = now
        break
    if stu_seen is None and now >= 2.4:
        stu_seen = (now,) + call("GET", "/api/v1/auth/me", cookie=stu)[:2]
    time.sleep(0.4)
check("the student's session is refused after 2 s unused, before the "
      "absolute limit (401)", stu_seen and stu_seen[1] == 401 and
      stu_seen[0] < 5, stu_seen)
check("  ...with a message that says to sign in again",
      stu_seen and stu_seen[2] and "sign in again" in
      stu_seen[2]["error"]["message"], stu_seen)
check("the admin's session, in use, outlives the 3 s idle limit",
      last_ok is not None and last_ok > 3.5, seen)
check("  ...and is refused at its 5 s absolute limit all the same",
      first_refused is not None and 4.8 <= first_refused < 12, seen)
st, j, _ = call("GET", "/api/v1/auth/me", cookie=adm)
check("  ...for good (auth/me answers 401 too)", st == 401, (st, j))


# --- sign-in off the loop -----------------------------------------------------
def timed_signin(out, i):
    a = time.time()
    # Three accounts: more than 5 at once for one account is throttled.
    st, _, _ = signin({"user": ("ada", "bea", "cal")[i % 3],
                       "password": "admin-pass-123"})
    out[i] = (st, a, time.time())


a = time.time()
signin({"user": "ada", "password": "admin-pass-123"})
one = time.time() - a
res = [None] * 6
th = [threading.Thread(target=timed_signin, args=(res, i)) for i in range(6)]
for t in th:
    t.start()
time.sleep(min(one / 2, 0.3))
pings = []
for _ in range(3):
    a = time.time()
    st, _, _ = call("GET", "/api/v1/auth/me")
    pings.append((st, a, time.time()))
for t in th:
    t.join()
last = max(r[2] for r in res)
print("# one sign-in %.0f ms; six at once done in %.0f ms; requests meanwhile "
      "answered in %s ms" % (one * 1000, (last - min(r[1] for r in res)) *
                             1000, [round((p[2] - p[1]) * 1000, 1)
                                    for p in pings]), flush=True)
check("six sign-ins at once all succeed", all(r[0] == 200 for r in res),
      res)
check("requests made while they are checked are answered before the "
      "last of them", all(p[0] == 401 and p[2] < last for p in pings),
      (pings, last))
check("  ...each in less than half a sign-in's time (%.0f ms)" %
      (one * 1000), all(p[2] - p[1] < one / 2 for p in pings),
      [round((p[2] - p[1]) * 1000) for p in pings])
# A password change is checked and hashed off the loop too.
st, cal, cal_csrf = signin({"user": "cal", "password": "admin-pass-123"})
s1, j1, _ = call("POST", "/api/v1/auth/password", {
    "old": "not my password", "new": "a brand new pass"}, cal, cal_csrf)
s2, j2, _ = call("POST", "/api/v1/auth/password", {
    "old": "admin-pass-123", "new": "short"}, cal, cal_csrf)
s3, j3, _ = call("POST", "/api/v1/auth/password", {
    "old": "admin-pass-123", "new": "a brand new pass"}, cal, cal_csrf)
check("changing a password: a wrong old one is refused (403), a "
      "short new one too (400, new), then it changes (200)",
      (s1, s2, s3) == (403, 400, 200) and
      j1["error"]["message"].startswith("old:") and
      j2["error"].get("field") == "new", (s1, j1, s2, j2, s3, j3))
check("  ...and only the new password signs in",
      signin({"user": "cal", "password": "a brand new pass"})[0] == 200 and
      signin({"user": "cal", "password": "admin-pass-123"})[0] == 401)

# Guesses in flight count against the account at once.
res = [None] * 6


def guess(i):
    res[i] = signin({"user": "dan", "password": "wrong-guess-%d" % i})[0]


th = [threading.Thread(target=guess, args=(i,)) for i in range(6)]
for t in th:
    t.start()
for t in th:
    t.join()
check("six wrong passwords at once for one account: five are checked, "
      "the sixth throttled (429)", sorted(res) == [401] * 5 + [429], res)
raise SystemExit(FAILED)
EOF
[ $? -eq 0 ] || FAILED=1
done_testing
