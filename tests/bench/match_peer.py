#!/usr/bin/python3
"""match_peer.py DIR: the matcher's filters and score (daemon/match.h),
written the way a data person would with numpy: every listing is filtered
and scored with whole-array operations, then the best ten are sorted.

bench_match writes DIR: meta.txt, one raw little-endian file per listing
column, students.bin (one C struct per student) and ours.i64 (the C
matcher's top ten listing numbers per size and student).  For each size
(a prefix of the listings) this prints

    peer SIZE P50_MS P99_MS AGREE

where AGREE counts the students whose top ten equals the C matcher's.
"""
import datetime
import math
import os
import sys
import time

import numpy as np

NONE_DAY = 2**31 - 1
EPOCH = datetime.date(1970, 1, 1).toordinal()
RAD = math.pi / 180.0

# 12 x min(student / required, 1), indexed [required][student].
CREDIT = np.array([[12, 12, 12, 12, 12],
                   [0, 12, 12, 12, 12],
                   [0, 6, 12, 12, 12],
                   [0, 4, 8, 12, 12],
                   [0, 3, 6, 9, 12]], dtype=np.int64)

# Occupation closeness: same code, detailed, broad, minor, major group,
# on codes held as integers NNNNNNNN (51-4121.00 -> 51412100).
CLOSE = [(1, 15), (100, 12), (1000, 9), (10000, 6), (1000000, 3)]


def read_meta(d):
    meta = {}
    with open(os.path.join(d, "meta.txt")) as f:
        for line in f:
            k, *v = line.split()
            meta[k] = [int(x) for x in v]
    return meta


def load(d, name, dtype, shape=None):
    a = np.fromfile(os.path.join(d, name), dtype=dtype)
    return a.reshape(shape) if shape is not None else a


def student_dtype(ncomp, m):
    return np.dtype([("by", "<i4"), ("bm", "<i4"), ("bd", "<i4"),
                     ("has_loc", "u1"), ("modmask", "u1"), ("pad", "u1", 2),
                     ("lat", "<f8"), ("lon", "<f8"), ("maxd", "<f8"),
                     ("smask", "<u8"), ("goal", "<i4", m),
                     ("lvl", "u1", ncomp)], align=True)


def is_leap(y):
    return (y % 4 == 0 and y % 100 != 0) or y % 400 == 0


def birthdays(s):
    """Day number of each birthday, age 0..99 (29 Feb -> 1 Mar)."""
    by, bm, bd = int(s["by"]), int(s["bm"]), int(s["bd"])
    t = np.empty(100, dtype=np.int64)
    for a in range(100):
        y = by + a
        if bm == 2 and bd == 29 and not is_leap(y):
            t[a] = datetime.date(y, 3, 1).toordinal() - EPOCH
        else:
            t[a] = datetime.date(y, bm, bd).toordinal() - EPOCH
    return t


def rank(L, n, s, today, now, top):
    """The best `top` listing numbers among the first n, best first."""
    mod = L["mod"][:n]
    ok = ((L["expires"][:n] > now) & (L["full"][:n] == 0)
          & (L["end"][:n] >= today) & ((mod & int(s["modmask"])) != 0))
    start = L["start"][:n]
    turn = birthdays(s)
    agedate = np.where(start == NONE_DAY, today, start)
    ok &= agedate >= turn[L["min_age"][:n]]
    idx = np.flatnonzero(ok)

    # Distance: in person and hybrid need a location within reach.
    located = mod[idx] != 2
    maxd = float(s["maxd"])
    dist = np.full(len(idx), -1.0)
    if s["has_loc"]:
        li = idx[located]
        lat1, lon1 = float(s["lat"]), float(s["lon"])
        lat2, lon2 = L["lat"][li], L["lon"][li]
        s1 = np.sin((lat2 - lat1) * RAD * 0.5)
        s2 = np.sin((lon2 - lon1) * RAD * 0.5)
        a = s1 * s1 + math.cos(lat1 * RAD) * np.cos(lat2 * RAD) * s2 * s2
        d = 2.0 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        dist[located] = d
        keep = ~located
        keep[located] = d <= maxd
    else:
        keep = ~located
    idx, dist = idx[keep], dist[keep]
    virtual = dist < 0

    # Readiness and growth from the student's levels.
    lvl = s["lvl"].astype(np.int64)
    rid, rl = L["req"][idx], L["req_lvl"][idx].astype(np.int64)
    rv = rid >= 0
    rs = lvl[np.where(rv, rid, 0)]
    num = (CREDIT[rl, rs] * rv).sum(axis=1)
    cnt = rv.sum(axis=1)
    readiness = np.where(cnt == 0, 40,
                         (80 * num + 12 * cnt) // np.maximum(24 * cnt, 1))
    did, dl = L["dev"][idx], L["dev_lvl"][idx].astype(np.int64)
    dv = did >= 0
    ds = lvl[np.where(dv, did, 0)]
    gap = (np.maximum(dl - ds, 0) * dv).sum(axis=1)
    growth = np.minimum(20, 5 * gap)

    # Career: clusters through the crosswalk masks, best occupation pair.
    cl = np.where((L["cmask"][idx] & np.uint64(int(s["smask"]))) != 0,
                  15, 0)
    occ = L["occ"][idx].astype(np.int64)
    ov = occ >= 0
    best = np.zeros(len(idx), dtype=np.int64)
    for g in s["goal"]:
        g = int(g)
        if g < 0:
            continue
        pts = np.zeros(occ.shape, dtype=np.int64)
        for div, p in reversed(CLOSE):
            pts = np.where(ov & (occ // div == g // div), p, pts)
        best = np.maximum(best, pts.max(axis=1))
    career = np.minimum(30, cl + best)

    if maxd > 0:
        logi = np.floor(10.0 * (1.0 - dist / maxd) + 0.5).astype(np.int64)
    else:
        logi = np.full(len(idx), 10, dtype=np.int64)
    logi[virtual] = 10
    score = readiness + growth + career + logi

    # Order: score down, distance (virtual 0), start, address.
    if len(idx) > top:
        kth = np.partition(-score, top - 1)[top - 1]
        sel = np.flatnonzero(score >= -kth)
    else:
        sel = np.arange(len(idx))
    o = np.lexsort((L["addr_lo"][idx[sel]], L["addr_hi"][idx[sel]],
                    start[idx[sel]], np.where(virtual[sel], 0.0, dist[sel]),
                    -score[sel]))
    return idx[sel[o[:top]]]


def pct(v, q):
    v = sorted(v)
    i = max(0, math.ceil(q * len(v)) - 1)
    return v[min(i, len(v) - 1)]


def main():
    d = sys.argv[1]
    meta = read_meta(d)
    n_all, ns = meta["listings"][0], meta["students"][0]
    top, today, now = meta["top"][0], meta["today"][0], meta["now"][0]
    ncomp, m = meta["ncomp"][0], meta["maxitems"][0]
    sizes = meta["sizes"]
    L = {
        "expires": load(d, "expires.i64", "<i8"),
        "full": load(d, "full.u8", "u1"),
        "mod": load(d, "mod.u8", "u1"),
        "min_age": load(d, "min_age.u8", "u1"),
        "start": load(d, "start.i32", "<i4"),
        "end": load(d, "end.i32", "<i4"),
        "lat": load(d, "lat.f64", "<f8"),
        "lon": load(d, "lon.f64", "<f8"),
        "cmask": load(d, "cmask.u64", "<u8"),
        "occ": load(d, "occ.i32", "<i4", (n_all, m)),
        "req": load(d, "req.i16", "<i2", (n_all, m)),
        "req_lvl": load(d, "req_lvl.u8", "u1", (n_all, m)),
        "dev": load(d, "dev.i16", "<i2", (n_all, m)),
        "dev_lvl": load(d, "dev_lvl.u8", "u1", (n_all, m)),
        "addr_hi": load(d, "addr_hi.u64", "<u8"),
        "addr_lo": load(d, "addr_lo.u64", "<u8"),
    }
    sdt = student_dtype(ncomp, m)
    if sdt.itemsize != meta["student_size"][0]:
        sys.exit("match_peer: student record is %d bytes, bench wrote %d"
                 % (sdt.itemsize, meta["student_size"][0]))
    st = load(d, "students.bin", sdt)
    ours = load(d, "ours.i64", "<i8", (len(sizes), ns, top))
    for si, n in enumerate(sizes):
        for i in range(min(5, ns)):     # warm up
            rank(L, n, st[i], today, now, top)
        times, agree = [], 0
        for i in range(ns):
            t0 = time.perf_counter()
            got = rank(L, n, st[i], today, now, top)
            times.append((time.perf_counter() - t0) * 1e3)
            want = ours[si, i]
            want = want[want >= 0]
            agree += len(got) == len(want) and bool(np.all(got == want))
        print("peer %d %.4f %.4f %d" % (n, pct(times, 0.5),
                                        pct(times, 0.99), agree),
              flush=True)


if __name__ == "__main__":
    main()
