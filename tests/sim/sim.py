#!/usr/bin/python3
"""sim.py: a federation of N real mentord processes on 127.0.0.1.

A state hub; regional hubs linked to it and to their neighbours; employers
and schools under the regions.  Every node trusts every employer, so the
public set must converge everywhere.  Measures and prints a table:

  propagation  a listing posted at an employer reaching every node
               (p50/p99/max, resolution: one poll round)
  cost         bytes received per node per record delivered, beside the
               record's size (the floor is 1x)
  privacy      nodes that store any byte of an application beyond its
               sender and recipient (relays hold it in memory only, until
               acknowledged; a check: goal 0)
  faults       a regional hub SIGSTOPped and resumed, a rolling kill -9
               wave, a link removed and re-added; afterwards every node's
               set of live listings is identical and no acknowledged
               listing is missing
  resources    RSS and open file descriptors per node

Exit status 0 when the convergence and no-loss checks pass.  With --tap
every check also prints "ok - ..." / "not ok - ..." for tests/run.sh.

  sim.py --nodes 12 --build build [--tap] [--keep]

Reads are made over each node's client API socket directly (pyzmq; SPEC
section 10) so that polling 100 nodes is cheap; changes go through the
real mentorctl.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import zmq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MENTORD = os.path.join(ROOT, "daemon", "mentord")
MENTORCTL = os.path.join(ROOT, "client", "mentorctl")

FAILED = []
TAP = False


def check(desc, cond, detail=""):
    if TAP:
        print(("ok - " if cond else "not ok - ") + desc, flush=True)
        if not cond and detail:
            print("#   " + detail, flush=True)
    if not cond:
        FAILED.append(desc)
    return cond


USED_PORTS = set()
# Reservations shared with tests/integration/lib.sh: a port is taken by an
# atomic mkdir here, so that a test running beside the simulation never
# picks the same port between choosing and binding it.
PORTS = "/tmp/mentord-ports"


def free_port():
    """A port free now, below the ephemeral range (10000-32767): the
    daemon binds it seconds later, and a port from the ephemeral range may
    by then be the local end of some connection; none handed out twice,
    here or to another test (release_ports gives them back)."""
    os.makedirs(PORTS, exist_ok=True)
    for _ in range(1000):
        p = random.randrange(10000, 32768)
        if p in USED_PORTS:
            continue
        try:
            os.mkdir(os.path.join(PORTS, str(p)))
        except OSError:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            os.rmdir(os.path.join(PORTS, str(p)))
            continue
        finally:
            s.close()
        USED_PORTS.add(p)
        return p
    raise RuntimeError("no free port below 32768")


def release_ports():
    for p in USED_PORTS:
        try:
            os.rmdir(os.path.join(PORTS, str(p)))
        except OSError:
            pass


class Node:
    def __init__(self, sim, name, role):
        self.sim, self.name, self.role = sim, name, role
        self.dir = os.path.join(sim.dir, name)
        self.port = free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.proc = None
        self.sock = None
        self.node_id = None
        self.region = None
        self.dialout = False    # no inbound port: its hub adds it by id

    def init(self):
        listen = [] if self.dialout else ["--listen", self.endpoint]
        subprocess.run([MENTORD, "init", "-d", self.dir, "--name", self.name,
                        "--role", self.role] + listen,
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "mentord.conf"), "a") as f:
            f.write("\n[peer]\nheartbeat_ms = 300\nsync_interval_s = 3\n")
        # A web listener, when this build has one, on a port of its own.
        conf = open(os.path.join(self.dir, "mentord.conf")).read()
        if "[web]" in conf:
            conf = conf.replace("listen = 127.0.0.1:8080",
                                "listen = 127.0.0.1:%d" % free_port())
            open(os.path.join(self.dir, "mentord.conf"), "w").write(conf)

    def start(self):
        log = open(self.dir + ".log", "ab")
        self.proc = subprocess.Popen([MENTORD, "-d", self.dir], stdout=log,
                                     stderr=log)
        self.close_sock()

    def close_sock(self):
        if self.sock is not None:
            self.sock.close(0)
            self.sock = None

    def api(self, cmd, args=None, timeout_ms=5000):
        """One request over the client API; the result, or None."""
        if self.sock is None:
            self.sock = self.sim.ctx.socket(zmq.DEALER)
            self.sock.setsockopt(zmq.LINGER, 0)
            self.sock.connect("ipc://%s/api.sock" % self.dir)
        hdr = bytes([1]) + json.dumps({"cmd": cmd,
                                       "args": args or {}}).encode()
        self.sock.send(hdr)
        if not self.sock.poll(timeout_ms):
            self.close_sock()   # a reply may still come: start afresh
            return None
        frames = self.sock.recv_multipart()
        resp = json.loads(frames[0][1:])
        return resp.get("result") if resp.get("ok") else None

    def ctl(self, *args, check=True):
        r = subprocess.run([MENTORCTL, "-d", self.dir, "--json"] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and r.returncode != 0:
            raise RuntimeError("%s: mentorctl %s: %s" % (
                self.name, " ".join(args), r.stderr.decode().strip()))
        return json.loads(r.stdout) if r.stdout.strip() else None

    def wait_up(self, deadline=15):
        end = time.time() + deadline
        while time.time() < end:
            if self.api("status", timeout_ms=500) is not None:
                return True
            time.sleep(0.05)
        return False

    def listing_ids(self):
        r = self.api("listing.list", timeout_ms=10000)
        return None if r is None else {e["id"] for e in r}

    def rss_kb(self):
        try:
            for line in open("/proc/%d/status" % self.proc.pid):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def fds(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.proc.pid))
        except OSError:
            return 0


class Sim:
    def __init__(self, n, seed):
        self.ctx = zmq.Context()
        self.dir = tempfile.mkdtemp(prefix="mentord-sim.",
                                    dir=os.environ.get("SIM_DIR"))
        self.rng = random.Random(seed)
        self.nodes = []
        nreg = max(2, round(n / 16))
        nemp = max(3, round(n * 0.18))
        nsch = n - 1 - nreg - nemp
        if nsch < 2:
            raise SystemExit("sim: at least 8 nodes")
        self.state = Node(self, "state-hub", "hub")
        self.regions = [Node(self, "region-%d" % i, "hub")
                        for i in range(nreg)]
        self.employers = [Node(self, "employer-%d" % i, "employer")
                          for i in range(nemp)]
        self.schools = [Node(self, "school-%d" % i, "school")
                        for i in range(nsch)]
        for i, e in enumerate(self.employers):
            e.region = self.regions[i % nreg]
        for i, s in enumerate(self.schools):
            s.region = self.regions[i % nreg]
            # Most schools allow no inbound connections: they dial out.
            s.dialout = i % 4 != 0
        self.nodes = ([self.state] + self.regions + self.employers +
                      self.schools)
        self.links = []
        for r in self.regions:
            self.links.append((self.state, r))
        # Regions in a ring (two regions: one link), so that the federation
        # has cycles and a record can reach a node by more than one path.
        for i in range(nreg if nreg > 2 else 1):
            self.links.append((self.regions[i],
                               self.regions[(i + 1) % nreg]))
        for x in self.employers + self.schools:
            self.links.append((x.region, x))
        self.posted = {}        # listing id -> (employer, post time)
        self.start_s = 30 + n / 2   # for every node to answer at start
        self.refs = {}          # listing id -> its number (ref sim-N)

    def close(self, keep):
        for x in self.nodes:
            x.close_sock()
            if x.proc and x.proc.poll() is None:
                x.proc.kill()
                x.proc.wait()
        self.ctx.term()
        release_ports()
        if keep:
            print("# kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def link(self, a, b):
        for x, y in ((a, b), (b, a)):
            if y.dialout:
                args = ["peer", "add", y.node_id, "--organization", y.name]
            else:
                args = ["peer", "add", y.endpoint, y.node_id,
                        "--organization", y.name]
            if y.role == "hub" and self.hub_flag:
                args.append("--hub")
            x.ctl(*args)

    def unlink(self, a, b):
        a.ctl("peer", "remove", b.node_id)
        b.ctl("peer", "remove", a.node_id)

    def setup(self):
        t0 = time.time()
        for x in self.nodes:
            x.init()
        for x in self.nodes:
            x.start()
        # A hundred daemons starting at once on a loaded machine: the
        # last to answer may take a while.
        for x in self.nodes:
            if not x.wait_up(self.start_s):
                raise SystemExit("sim: %s did not start" % x.name)
            x.node_id = x.api("status")["node_id"]
        # Whether this build marks hubs explicitly (peer add --hub).
        h = subprocess.run([MENTORCTL, "peer", "add", "--help"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.hub_flag = b"--hub" in h.stdout
        for a, b in self.links:
            self.link(a, b)
        for x in self.nodes:
            for e in self.employers:
                if x is not e:
                    x.api("trust.add", {"node_id": e.node_id})
        # An employer takes applications from schools across the state:
        # it marks every regional hub as a hub, so that the certificate a
        # school's own hub gave it vouches for it there too (trust is one
        # level, SPEC.md 4.6; without this, applications between regions
        # are refused as untrusted).
        for e in self.employers:
            for r in self.regions:
                if r is not e.region:
                    e.api("trust.add", {"node_id": r.node_id, "hub": True})
        self.setup_s = time.time() - t0

    def wait_connected(self, deadline):
        end = time.time() + deadline
        while time.time() < end:
            down = 0
            for x in self.nodes:
                r = x.api("peer.list")
                if r is None or not all(p["connected"] for p in r):
                    down += 1
            if down == 0:
                return True
            time.sleep(0.5)
        return False

    def post(self, emp, i, size_pad=0):
        body = {"ref": "sim-%d" % i, "kind": "job_shadow",
                "title": "Simulated shadow %d" % i,
                "organization": emp.name,
                "description": "A simulated listing. " + "x" * size_pad,
                "capacity": 3, "modality": "virtual",
                "clusters": ["manufacturing"],
                "occupations": ["51-4121.00"]}
        path = os.path.join(self.dir, "post-%d.json" % i)
        with open(path, "w") as f:
            json.dump(body, f)
        r = emp.ctl("listing", "post", path)
        lid = r["ids"][0]
        self.posted[lid] = (emp, time.time())
        self.refs[lid] = i
        return lid

    def arrivals(self, ids, deadline):
        """Polls every node until it holds every id; per (node, id) the
        seconds from the post to the poll round that first saw it."""
        pending = {(x.name, i) for x in self.nodes for i in ids
                   if x is not self.posted[i][0]}
        lat = {}
        end = time.time() + deadline
        self.rounds, t0 = 0, time.time()
        while pending and time.time() < end:
            self.rounds += 1
            for x in self.nodes:
                if not any(k[0] == x.name for k in pending):
                    continue
                have = x.listing_ids() or set()
                now = time.time()
                for i in ids:
                    if (x.name, i) in pending and i in have:
                        pending.discard((x.name, i))
                        lat[(x.name, i)] = now - self.posted[i][1]
            time.sleep(0.02)
        self.round_s = (time.time() - t0) / max(self.rounds, 1)
        return lat, pending

    def converged(self, deadline):
        want = set(self.posted)
        end = time.time() + deadline
        while time.time() < end:
            sets = [x.listing_ids() for x in self.nodes]
            if all(s is not None and s == want for s in sets):
                return True, 0
            time.sleep(0.5)
        bad = sum(1 for s in sets if s != want)
        return False, bad


RX_KEYS = ("records", "record_bytes", "duplicates", "duplicate_bytes",
           "untrusted_bytes")


def rx_counts(node):
    """What arrived at a node from all its peers (peer list "received"):
    records, their own bytes, duplicates, and message bytes by type."""
    r = node.api("peer.list", timeout_ms=10000) or []
    tot = {k: 0 for k in RX_KEYS}
    tot["bytes"] = {}
    for p in r:
        rx = p.get("received") or {}
        for k in RX_KEYS:
            tot[k] += rx.get(k, 0)
        for k, v in (rx.get("bytes") or {}).items():
            tot["bytes"][k] = tot["bytes"].get(k, 0) + v
    return tot


def rx_delta(a, b):
    d = {k: b[k] - a[k] for k in RX_KEYS}
    d["bytes"] = {k: v - a["bytes"].get(k, 0) for k, v in b["bytes"].items()}
    return d


def snapshot(sim):
    """Per node: its message counters and the kernel's TCP byte count."""
    tcp = tcp_rx()
    return {x.name: (rx_counts(x), tcp.get(x.proc.pid, 0))
            for x in sim.nodes}


# Message types in peer list's "received" "bytes", by what they are for.
ANNOUNCE = ("announce", "want")          # "want": after an ANNOUNCE
RECON = ("recon", "recon_reply", "want_recon")
HEARTBEAT = ("ping", "pong")
CARRY = ("push", "records", "deliver")   # whole messages carrying records


def export_frames(node, path):
    """The records a node holds, as (bytes) frames of its export stream.
    mentorctl never overwrites a file: an old export would be read again."""
    try:
        os.unlink(path)
    except OSError:
        pass
    subprocess.run([MENTORCTL, "-d", node.dir, "records", "export", path],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        buf = open(path, "rb").read()
    except OSError:
        return []
    out, off = [], 5
    while off + 4 <= len(buf):
        n = int.from_bytes(buf[off:off + 4], "big")
        out.append(buf[off + 4:off + 4 + n])
        off += 4 + n
    return out


def tcp_rx():
    """Bytes received on TCP, by pid, over the connections open now."""
    r = subprocess.run(["ss", "-tinpH", "state", "established"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    rx, pid = {}, None
    for line in r.stdout.splitlines():
        if "users:((" in line:
            m = line.split("pid=")
            pid = int(m[1].split(",")[0]) if len(m) > 1 else None
        elif pid is not None and "bytes_received:" in line:
            n = int(line.split("bytes_received:")[1].split()[0])
            rx[pid] = rx.get(pid, 0) + n
            pid = None
    return rx


def record_sizes(sim, ids):
    """The signed size of each posted listing, from its author's export."""
    by_emp, sizes = {}, {}
    for lid in ids:
        by_emp.setdefault(sim.posted[lid][0], []).append(lid)
    for emp, lids in by_emp.items():
        frames = export_frames(emp, os.path.join(sim.dir,
                                                 "size-%s.mntx" % emp.name))
        for lid in lids:
            pat = re.compile(rb"sim-%d(?![0-9])" % sim.refs[lid])
            hit = [len(f) for f in frames if pat.search(f)]
            sizes[lid] = hit[0] if hit else 0
    return sizes


def cost_window(sim, first, n, label, a, rows):
    """Posts n listings (refs first..first+n-1) one after another and
    measures, per node, what arrived from its peers while they spread,
    then over an idle window of the same length with no posts.  Adds the
    propagation and cost rows; returns the figures the checks use."""
    s0, t0 = snapshot(sim), time.time()
    ids = []
    for i in range(n):
        ids.append(sim.post(sim.rng.choice(sim.employers), first + i, 400))
        time.sleep(0.2)
    lat, pending = sim.arrivals(ids, 30 + a.nodes / 2)
    time.sleep(1)
    s1, t1 = snapshot(sim), time.time()
    time.sleep(max(0.0, (t1 - t0) - (time.time() - t1)))
    s2, t2 = snapshot(sim), time.time()
    sizes = record_sizes(sim, ids)
    size = statistics.mean(sizes.values())
    v = list(lat.values())
    rows.append(("%s: a listing reaching every node" % label,
                 "p50 %.2f s, p99 %.2f s, max %.2f s" % (
                     pct(v, 50), pct(v, 99), max(v) if v else 0),
                 "from the post; poll round %.3f s" % sim.round_s))
    ratio, dups, ann, hb, rec, frm, tcp, tcp_idle = ([] for _ in range(8))
    idle_hb, idle_rec, idle_recbytes, untr, idle_untr = [], [], 0, [], []
    for x in sim.nodes:
        d = rx_delta(s0[x.name][0], s1[x.name][0])
        di = rx_delta(s1[x.name][0], s2[x.name][0])
        lacked = sum(sizes[l] for l in ids if sim.posted[l][0] is not x)
        # Records refused as untrusted are no copy of a posted listing:
        # reconciliation brings them again every round (apart, below).
        if lacked:
            ratio.append((d["record_bytes"] - d["untrusted_bytes"]) / lacked)
        untr.append(d["untrusted_bytes"] / n)
        idle_untr.append(di["untrusted_bytes"] / n)
        dups.append(d["duplicates"])
        b, bi = d["bytes"], di["bytes"]
        ann.append(sum(b.get(k, 0) for k in ANNOUNCE) / n)
        hb.append(sum(b.get(k, 0) for k in HEARTBEAT) / n)
        rec.append(sum(b.get(k, 0) for k in RECON) / n)
        frm.append((sum(b.get(k, 0) for k in CARRY) - d["record_bytes"]) / n)
        idle_hb.append(sum(bi.get(k, 0) for k in HEARTBEAT) / n)
        idle_rec.append(sum(bi.get(k, 0) for k in RECON + ANNOUNCE) / n)
        idle_recbytes += di["record_bytes"] - di["untrusted_bytes"]
        tcp.append((s1[x.name][1] - s0[x.name][1]) / n)
        tcp_idle.append((s2[x.name][1] - s1[x.name][1]) / n)
    mean = statistics.mean
    rows.append(("%s: record bytes received per node per record" % label,
                 "mean %.2fx, max %.2fx" % (mean(ratio), max(ratio)),
                 "records' own bytes over those each node lacked (floor "
                 "1x; record %.0f B); %d duplicates" % (size, sum(dups))))
    rows.append(("%s: untrusted records re-sent per node per record" % label,
                 "mean %.0f B (%.2fx), max %.0f B" % (
                     mean(untr), mean(untr) / size, max(untr)),
                 "refused by the node (author not trusted), sent again by "
                 "every reconciliation; idle window: mean %.0f B" %
                 mean(idle_untr)))
    rows.append(("%s: announce+want bytes per node per record" % label,
                 "mean %.0f, max %.0f" % (mean(ann), max(ann)),
                 "%.2fx the record" % (mean(ann) / size)))
    rows.append(("%s: heartbeats + reconciliation + framing" % label,
                 "mean %.0f + %.0f + %.0f B per node per record" % (
                     mean(hb), mean(rec), mean(frm)),
                 "idle window of the same %.1f s, no posts: %.0f + %.0f B "
                 "(%d record bytes)" % (t1 - t0, mean(idle_hb),
                                        mean(idle_rec), idle_recbytes)))
    diff = [p - q for p, q in zip(tcp, tcp_idle)]
    rows.append(("%s: kernel TCP bytes per node per record" % label,
                 "mean %.0f (%.1fx), max %.0f (%.1fx)" % (
                     mean(tcp), mean(tcp) / size, max(tcp), max(tcp) / size),
                 "idle window: mean %.0f; posting minus idle: mean %.0f "
                 "(%.1fx; CURVE and ZMTP framing included)" % (
                     mean(tcp_idle), mean(diff), mean(diff) / size)))
    return {"ids": ids, "pending": pending, "mean": mean(ratio),
            "min": min(ratio), "max": max(ratio), "dups": sum(dups)}


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    global TAP
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=12)
    ap.add_argument("--posts", type=int, default=0)
    ap.add_argument("--apps", type=int, default=0)
    ap.add_argument("--kills", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--compare-push", action="store_true",
                    help="then restart every node with [peer] propagate = "
                    "push and measure the cost again")
    a = ap.parse_args()
    TAP = a.tap
    posts = a.posts or max(5, a.nodes // 5)
    apps = a.apps or max(2, a.nodes // 20)
    kills = a.kills or max(3, a.nodes // 8)
    sim = Sim(a.nodes, a.seed)
    rows = []
    try:
        sim.setup()
        ok = sim.wait_connected(60 + a.nodes)
        check("all %d nodes up and every link connected" % a.nodes, ok)
        rows.append(("setup", "%d nodes, %d links, %d schools dial out" % (
                     a.nodes, len(sim.links),
                     sum(1 for x in sim.schools if x.dialout)),
                     "%.1f s" % sim.setup_s))

        # Propagation and cost: listings posted one after another.  The
        # cost is what each node's peers sent it (peer list "received":
        # the records' own bytes, announcements, the rest by message type)
        # and, beside it, what the kernel counted on its TCP connections
        # (CURVE boxes and ZMTP framing too), each against an idle window.
        time.sleep(3)
        c = cost_window(sim, 0, posts, "announce/fetch", a, rows)
        ids, pending = c["ids"], c["pending"]
        check("every posted listing reached every node (%d x %d)" % (
            posts, a.nodes - 1), not pending,
            "%d (node, listing) pairs missing" % len(pending))
        # Every node lacked every listing it did not post and received
        # it (above): at least 1x, counted; at most 1.5x (bound).
        check("each node received each record's bytes about once "
              "(record bytes min %.2fx, max %.2fx, mean %.2fx; bounds "
              "1x-1.5x)" % (c["min"], c["max"], c["mean"]),
              0.999 <= c["min"] and c["max"] < 1.5,
              "%d duplicates" % c["dups"])

        # Privacy: sealed applications between random pairs.
        held = 0
        for k in range(apps):
            sch = sim.rng.choice(sim.schools)
            lid = sim.rng.choice(ids)
            emp = sim.posted[lid][0]
            sid = "SIM%d" % k
            csv = os.path.join(sim.dir, "st-%d.csv" % k)
            with open(csv, "w") as f:
                f.write("id,name,birth_date,grade,lat,lon,max_distance_km,"
                        "modality,clusters,occupations,competencies\n"
                        "%s,Sim Student,2000-01-01,12,41.8,-87.6,50,"
                        "virtual,manufacturing,,\n" % sid)
            sch.ctl("student", "import", csv)
            app = sch.ctl("apply", sid, lid)["id"]
            end = time.time() + 30
            got = False
            while time.time() < end and not got:
                r = emp.api("application.list") or []
                got = any(e["id"] == app for e in r)
                time.sleep(0.2)
            check("application %d reached its employer" % k, got)
            end, st = time.time() + 30, {}
            while time.time() < end:
                st = sch.api("application.show", {"id": app}) or {}
                if st.get("delivery") == "delivered":
                    break
                time.sleep(0.2)
            check("application %d acknowledged end to end" % k,
                  st.get("delivery") == "delivered")
            # Directed records (SPEC 12.6): relays hold them in memory
            # only, until acknowledged; nobody but the sender and the
            # recipient stores any byte of them.
            path = {sch.name, emp.name}
            ref = ("@app:" + app).encode()
            for x in sim.nodes:
                if x.name in path:
                    continue
                if any(ref in f for f in export_frames(
                        x, os.path.join(sim.dir, "exp-%s" % x.name))):
                    held += 1
        check("no node but sender and recipient stores an application",
              held == 0, "%d copies" % held)
        rows.append(("nodes off the path holding an application",
                     "%d over %d applications" % (held, apps), "goal 0"))

        # Faults.
        t0 = time.time()
        reg = sim.rng.choice(sim.regions)
        reg.proc.send_signal(signal.SIGSTOP)
        under = [e for e in sim.employers if e.region is reg]
        others = [e for e in sim.employers if e.region is not reg]
        sim.post(sim.rng.choice(under or others), posts + 1, 100)
        sim.post(sim.rng.choice(others), posts + 2, 100)
        time.sleep(5)
        reg.proc.send_signal(signal.SIGCONT)
        victims = sim.rng.sample(sim.nodes[1:], min(kills,
                                                    len(sim.nodes) - 1))
        for j, x in enumerate(victims):
            x.proc.kill()
            x.proc.wait()
            sim.post(sim.rng.choice([e for e in sim.employers
                                     if e is not x]), posts + 3 + j, 100)
            x.start()
            if not x.wait_up(sim.start_s):
                check("%s restarts after kill -9" % x.name, False)
        a_, b_ = sim.rng.choice([l for l in sim.links
                                 if l[1] in sim.schools])
        sim.unlink(a_, b_)
        sim.post(sim.rng.choice(sim.employers), posts + 3 + kills, 100)
        time.sleep(1)
        sim.link(a_, b_)
        ok, bad = sim.converged(60 + a.nodes)
        check("after SIGSTOP, %d kill -9 restarts and a re-added link, "
              "every node holds the same %d listings" % (
                  len(victims), len(sim.posted)), ok,
              "%d nodes differ" % bad)
        rows.append(("faults: SIGSTOP 5 s, %d kill -9, 1 link re-added" %
                     len(victims),
                     "converged" if ok else "%d nodes differ" % bad,
                     "%.1f s to converge" % (time.time() - t0)))

        rss = [x.rss_kb() / 1024.0 for x in sim.nodes]
        fds = [x.fds() for x in sim.nodes]
        rows.append(("RSS per node", "mean %.1f MiB, max %.1f MiB" % (
            statistics.mean(rss), max(rss)), ""))
        rows.append(("open fds per node", "mean %.0f, max %d" % (
            statistics.mean(fds), max(fds)), ""))
        alive = all(x.proc.poll() is None for x in sim.nodes)
        check("every daemon is still running", alive)

        if a.compare_push:
            # The same federation, every record pushed in full over every
            # link as before announce/fetch ([peer] propagate = push).
            for x in sim.nodes:
                x.proc.terminate()
            for x in sim.nodes:
                try:
                    x.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    x.proc.kill()
                    x.proc.wait()
                with open(os.path.join(x.dir, "mentord.conf"), "a") as f:
                    f.write("\n[peer]\npropagate = push\n")
                x.start()
            up = all(x.wait_up(sim.start_s) for x in sim.nodes)
            ok = up and sim.wait_connected(60 + a.nodes)
            check("push-everything: every node restarted and linked", ok)
            time.sleep(3)
            c = cost_window(sim, posts + kills + 10, posts,
                            "push-everything", a, rows)
            check("push-everything: every posted listing reached every "
                  "node", not c["pending"],
                  "%d (node, listing) pairs missing" % len(c["pending"]))
            # The bound above can fail: on these links (regions in a
            # ring) pushing everything brings some node each record more
            # than once.
            check("push-everything breaks the 1.5x bound on the same links "
                  "(record bytes max %.2fx, mean %.2fx, %d duplicates)" % (
                      c["max"], c["mean"], c["dups"]),
                  c["max"] >= 1.5 and c["dups"] > 0)
    finally:
        print("\nfederation simulation, %d real daemons on 127.0.0.1" %
              a.nodes)
        w = max([len(r[0]) for r in rows] + [10])
        for r in rows:
            print("  %-*s  %-40s %s" % (w, r[0], r[1], r[2]))
        if FAILED and not TAP:  # --tap printed each as it came
            print("\nfailed: %d %s" % (len(FAILED),
                  "check" if len(FAILED) == 1 else "checks"))
            for desc in FAILED:
                print("  " + desc)
        sim.close(a.keep or (FAILED and TAP))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
