#!/usr/bin/env python3
# make.py: writes the work-based learning report's known data set and the
# figures expected of `report wbl`, computed here independently of
# daemon/cmd_report.c (tests/unit/test_report.c compares the two).
#   python3 tests/data/wbl/make.py   (from the repository root)
# The students and placements are synthetic, made by the rules below; the
# cluster codes and listing kinds are the contract's.
import datetime, json, os

D = os.path.dirname(os.path.abspath(__file__))
CLUSTERS = [["manufacturing"], ["health-science"],
            ["manufacturing", "information-technology"]]
EMPLOYERS = ["Lakeshore Metal Fabricators", "Loop Digital Works",
             "Mercy Clinic", "Ridge Tool & Die"]
KINDS = ["job_shadow", "internship"]

def ms(day):	# "YYYY-MM-DD" at 15:00 UTC, in ms
    d = datetime.datetime.strptime(day, "%Y-%m-%d").replace(
        hour=15, tzinfo=datetime.timezone.utc)
    return int(d.timestamp() * 1000)

students, apps = [], []
for i in range(64):
    sid = "W%03d" % i
    s = {"id": sid, "name": "Student %d" % i, "grade": 9 + i % 4,
         "competencies": {}, "goals": {"clusters": CLUSTERS[i % 3],
         "occupations": []}, "max_distance_km": 50,
         "modality": ["in_person", "virtual", "hybrid"]}
    if i % 2 == 0:
        s["concentrator"] = True
    elif i % 6 == 1:
        s["concentrator"] = False
    students.append(s)

def app(n, sid, state, kind, emp, start, end, history, hours):
    pl = {"state": state, "start": start, "kind": kind,
          "employer_name": emp, "history": history, "hours": hours,
          "evaluations": []}
    if end:
        pl["end"] = end
    apps.append({"key": "%032x" % n, "entry": {"id": "%032x" % n,
        "listing": "%032x" % (1000 + n), "title": "Listing %d" % n,
        "student": sid, "status": "accepted", "placement": pl}})

def hours(date, minutes, status):
    return {"entry": "%032x" % len(apps), "date": date, "minutes": minutes,
            "activity": "work", "status": status, "logged_at": 1}

n = 1
for i in range(64):
    sid = "W%03d" % i
    if i % 5 in (0, 1, 2):	# completed in 2025-26, with history
        day = "2026-03-%02d" % (1 + i % 28)
        app(n, sid, "completed", KINDS[i % 2], EMPLOYERS[i % 4],
            "2026-02-01", "2026-03-31",
            [{"state": "active", "by": "school", "at": ms("2026-02-01")},
             {"state": "completed", "by": "employer", "at": ms(day)}],
            [hours("2026-02-0%d" % (1 + i % 5), 120, "confirmed"),
             hours("2026-02-1%d" % (i % 5), 180, "confirmed"),
             hours("2026-02-20", 60, "disputed"),
             hours("2026-02-21", 45, "logged")])
        n += 1
    if i % 7 == 0:		# completed in 2026-27: its end date says when
        app(n, sid, "completed", "mentorship", EMPLOYERS[0],
            "2026-08-20", "2026-09-15", [],
            [hours("2026-06-29", 30, "confirmed"),
             hours("2026-09-01", 90, "confirmed")])
        n += 1
    if i % 11 == 0:		# cancelled: its confirmed hours still count
        app(n, sid, "cancelled", "internship", EMPLOYERS[2],
            "2025-10-01", None, [], [hours("2025-10-02", 60, "confirmed")])
        n += 1
    if i % 13 == 0:		# still active
        app(n, sid, "active", "project", EMPLOYERS[1], "2026-04-01", None,
            [], [hours("2026-04-02", 240, "confirmed")])
        n += 1
# A deleted student's leftover entry and a pending application: ignored.
app(n, "GONE", "completed", "job_shadow", EMPLOYERS[0], "2026-01-05",
    "2026-01-09", [], [hours("2026-01-06", 300, "confirmed")])
n += 1
apps.append({"key": "%032x" % n, "entry": {"id": "%032x" % n, "listing":
    "%032x" % 7, "title": "Pending", "student": "W001",
    "status": "pending"}})

# ---- the expected figures ------------------------------------------------
def year_of(day):
    d = datetime.date.fromisoformat(day)
    return d.year if d.month >= 7 else d.year - 1

def when_completed(pl):
    at = [h["at"] for h in pl.get("history", []) if h["state"] == "completed"]
    if at:
        return datetime.datetime.fromtimestamp(at[-1] / 1000,
            datetime.timezone.utc).date().isoformat()
    return pl.get("end") or pl.get("start")

def cell(count, total):
    if total < 10 or 0 < count < 10:
        return {"suppressed": True}
    return {"count": count, "total": total,
            "share": ((count * 20000 + total) // (2 * total)) / 10000.0}

def expected(frm=None, to=None):
    roster = {s["id"]: s for s in students}
    inr = lambda d: (frm is None or d >= frm) and (to is None or d <= to)
    years = {}
    def Y(y):
        return years.setdefault(y, {"done": set(), "minutes": 0,
            "hs": set(), "kinds": {}, "emps": {}})
    for a in apps:
        e = a["entry"]
        pl = e.get("placement")
        if pl is None or e["student"] not in roster:
            continue
        for h in pl["hours"]:
            if h["status"] == "confirmed" and inr(h["date"]):
                y = Y(year_of(h["date"]))
                y["minutes"] += h["minutes"]
                y["hs"].add(e["student"])
        if pl["state"] == "completed":
            d = when_completed(pl)
            if not inr(d):
                continue
            y = Y(year_of(d))
            y["done"].add(e["student"])
            for key, name in (("kinds", pl["kind"]),
                              ("emps", pl["employer_name"])):
                c = y[key].setdefault(name, [0, set()])
                c[0] += 1
                c[1].add(e["student"])
    out = []
    for y in sorted(years):
        v = years[y]
        grades, clusters = {}, {}
        for s in students:
            did = s["id"] in v["done"]
            g = grades.setdefault(s["grade"], [0, 0])
            g[0] += did; g[1] += 1
            for c in s["goals"]["clusters"]:
                k = clusters.setdefault(c, [0, 0])
                k[0] += did; k[1] += 1
        conc = [s for s in students if s.get("concentrator")]
        def places(d, key):
            r = []
            for name in sorted(d):
                p, st = d[name]
                r.append({key: name, "suppressed": True} if len(st) < 10
                         else {key: name, "placements": p,
                               "students": len(st)})
            return r
        hrs = ({"suppressed": True} if len(v["hs"]) < 10 else
               {"minutes": v["minutes"], "hours": v["minutes"] // 60,
                "students": len(v["hs"])})
        out.append({"year": "%d-%02d" % (y, (y + 1) % 100),
            "start": "%d-07-01" % y, "end": "%d-06-30" % (y + 1),
            "completed": cell(len(v["done"]), len(students)),
            "by_grade": [dict(grade=g, **cell(*grades[g]))
                         for g in sorted(grades)],
            "by_cluster": [dict(cluster=c, **cell(*clusters[c]))
                           for c in sorted(clusters)],
            "hours": hrs,
            "by_kind": places(v["kinds"], "kind"),
            "by_employer": places(v["emps"], "employer"),
            "perkins_5s3": cell(sum(s["id"] in v["done"] for s in conc),
                                len(conc))})
    r = {"suppressed_below": 10, "students": len(students), "years": out}
    if frm: r["from"] = frm
    if to: r["to"] = to
    return r

def dump(name, obj):
    with open(os.path.join(D, name), "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")

dump("students.json", students)
dump("apps.json", apps)
dump("expected.json", expected())
dump("expected-2026.json", expected("2026-07-01", "2027-06-30"))
