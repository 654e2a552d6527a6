"""webtest.py: helpers for the browser tests: a headless Chromium through
WebDriver (Debian's chromium and chromium-driver, python3-selenium), TAP-ish
"ok - ..." / "not ok - ..." lines, waits with deadlines, screenshots, and a
plain HTTP client for the API (to try what a page would never send)."""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException,
                                        StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

FAILED = 0
PASSED = 0
PROFILES = []

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions",
    "--disable-default-apps", "--metrics-recording-only",
    "--no-default-browser-check", "--password-store=basic",
]


def ok(desc):
    global PASSED
    PASSED += 1
    print("ok - " + desc, flush=True)


def notok(desc, why=""):
    global FAILED
    FAILED += 1
    print("not ok - " + desc, flush=True)
    for line in str(why).splitlines()[:25]:
        print("#   " + line, flush=True)


def check(desc, cond, why=""):
    if cond:
        ok(desc)
    else:
        notok(desc, why)
    return bool(cond)


def scenario(fn):
    """Runs one scenario; an exception is one failure with its trace."""
    def run(*a, **k):
        try:
            return fn(*a, **k)
        except Exception:  # noqa: BLE001 - any error fails the scenario
            notok("%s finished without an error" % fn.__name__,
                  traceback.format_exc())
            return None
    run.__name__ = fn.__name__
    return run


def wait(cond, timeout=15.0, step=0.1):
    """Polls cond() until it returns a true value or time is up."""
    end = time.time() + timeout
    last = None
    while True:
        try:
            last = cond()
        except (StaleElementReferenceException, WebDriverException):
            last = None
        if last:
            return last
        if time.time() >= end:
            return last
        time.sleep(step)


def browser(lang=None, width=1280, height=900):
    """A fresh headless Chromium with its own profile directory."""
    o = webdriver.ChromeOptions()
    for f in CHROMIUM_FLAGS:
        o.add_argument(f)
    prof = tempfile.mkdtemp(prefix="mentord-chromium.")
    PROFILES.append(prof)
    o.add_argument("--user-data-dir=" + prof)
    o.add_argument("--window-size=%d,%d" % (width, height))
    if lang:
        o.add_argument("--lang=" + lang)
        o.add_experimental_option("prefs", {"intl.accept_languages": lang})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    binary = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if os.path.exists(binary):
        o.binary_location = binary
    drv = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    d = webdriver.Chrome(service=Service(drv), options=o)
    d.set_page_load_timeout(30)
    d.js_errors = []
    return d


def cleanup_profiles():
    for p in PROFILES:
        shutil.rmtree(p, ignore_errors=True)


def js_errors(d):
    """Browser console errors other than the HTTP refusals tests provoke."""
    out = []
    try:
        for e in d.get_log("browser"):
            m = e.get("message", "")
            if e.get("level") != "SEVERE":
                continue
            if "Failed to load resource" in m:
                continue
            out.append(m)
    except WebDriverException:
        pass
    d.js_errors.extend(out)
    return out


def text(d, css):
    els = d.find_elements(By.CSS_SELECTOR, css)
    return "\n".join(e.text for e in els)


def visible(d, css):
    els = d.find_elements(By.CSS_SELECTOR, css)
    return [e for e in els if e.is_displayed()]


def alert_open(d):
    try:
        a = d.switch_to.alert
        a.text  # noqa: B018 - raises when there is none
        return True
    except NoAlertPresentException:
        return False


FRAMES_JS = """var done = arguments[arguments.length - 1];
requestAnimationFrame(function () { requestAnimationFrame(done); });"""


def resized(d, width, height):
    """Resizes the window and returns once the page has the new width and
    has drawn two frames at it (a fixed pause cost 0.3 s a resize, half a
    minute of the run)."""
    d.set_window_size(width, height)
    wait(lambda: d.execute_script("return window.innerWidth") == width,
         2, 0.02)
    try:
        d.execute_async_script(FRAMES_JS)
    except WebDriverException:
        time.sleep(0.3)


def shot(d, name, width):
    """Screenshot of the whole page at width px into $SHOTS/name-W.png."""
    out = os.environ.get("SHOTS")
    if not out:
        return None
    os.makedirs(out, exist_ok=True)
    resized(d, width, 900)
    h = d.execute_script("return document.documentElement.scrollHeight")
    resized(d, width, max(600, min(int(h) + 140, 4000)))
    path = os.path.join(out, "%s-%d.png" % (name, width))
    d.save_screenshot(path)
    d.set_window_size(1280, 900)
    return path


A11Y = []


def shots(d, name):
    """Screenshots at phone and desktop widths; notes a11y problems."""
    try:
        lab, con = a11y(d)
        A11Y.extend("%s: no label: %s" % (name, x) for x in lab)
        A11Y.extend("%s: contrast %s" % (name, x) for x in con)
    except WebDriverException as e:
        A11Y.append("%s: %s" % (name, e))
    for w in (360, 1280):
        shot(d, name, w)


def session_of(d):
    """(cookie value, csrf token) of the browser's signed-in session."""
    c = d.get_cookie("mentord_session")
    csrf = d.execute_script("return M.me() ? M.me().csrf : null")
    return (c["value"] if c else None), csrf


def post(base, path, body=None, cookie=None, csrf=None, headers=None,
         ctype="application/json"):
    """POST base+path; returns (status, parsed JSON or None, headers)."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    h = {"Content-Type": ctype}
    if cookie:
        h["Cookie"] = "mentord_session=" + cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    h.update(headers or {})
    data = body if isinstance(body, (bytes, str)) else \
        json.dumps(body if body is not None else {})
    conn.request("POST", path, body=data, headers=h)
    r = conn.getresponse()
    raw = r.read()
    try:
        j = json.loads(raw)
    except ValueError:
        j = None
    st, hd = r.status, dict(r.getheaders())
    conn.close()
    return st, j, hd


def get(base, path, cookie=None):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    h = {}
    if cookie:
        h["Cookie"] = "mentord_session=" + cookie
    conn.request("GET", path, headers=h)
    r = conn.getresponse()
    raw = r.read()
    st, hd = r.status, dict(r.getheaders())
    conn.close()
    return st, raw, hd


def ctl(dirname, *args, stdin=None):
    """Runs the real mentorctl on a node; returns (exit, stdout, stderr)."""
    p = subprocess.run([os.environ["MENTORCTL"], "-d", dirname] +
                       list(args), input=stdin, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def ctl_json(dirname, *args):
    rc, out, err = ctl(dirname, "--json", *args)
    if rc != 0:
        raise RuntimeError("mentorctl %s: %s" % (" ".join(args), err))
    return json.loads(out)


def done():
    print("# %d passed, %d failed" % (PASSED, FAILED))
    cleanup_profiles()
    sys.exit(1 if FAILED else 0)


# Runs in the page: fields without a label, and text whose contrast with
# its background is below WCAG 2.1 AA (4.5:1; 3:1 for large text).
A11Y_JS = r"""
function lum(c) {
  var m = c.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/);
  if (!m) return null;
  var v = [m[1], m[2], m[3]].map(function (x) {
    x = x / 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
  });
  return {l: 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2],
          a: m[4] === undefined ? 1 : Number(m[4])};
}
function bg(e) {
  for (; e; e = e.parentElement) {
    var b = lum(getComputedStyle(e).backgroundColor);
    if (b && b.a > 0.5) return b.l;
  }
  return 1;
}
var out = {unlabelled: [], contrast: []};
document.querySelectorAll('input, select, textarea').forEach(function (f) {
  if (f.type === 'hidden' || !f.offsetParent) return;
  if ((f.labels && f.labels.length) || f.getAttribute('aria-label') ||
      f.getAttribute('aria-labelledby')) return;
  out.unlabelled.push(f.outerHTML.slice(0, 80));
});
document.querySelectorAll('body *').forEach(function (e) {
  if (!e.offsetParent || e.closest('.sr-only')) return;
  var own = Array.prototype.some.call(e.childNodes, function (n) {
    return n.nodeType === 3 && n.textContent.trim();
  });
  if (!own) return;
  var s = getComputedStyle(e), f = lum(s.color);
  if (!f) return;
  var b = bg(e), hi = Math.max(f.l, b), lo = Math.min(f.l, b);
  var r = (hi + 0.05) / (lo + 0.05);
  var large = parseFloat(s.fontSize) >= 24 ||
      (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
  if (r < (large ? 3 : 4.5))
    out.contrast.push(e.tagName + ' "' + e.textContent.trim().slice(0, 30) +
                      '" ' + r.toFixed(2));
});
return out;
"""


def a11y(d):
    """(fields without a label, texts below AA contrast) on this page."""
    r = d.execute_script(A11Y_JS)
    return r["unlabelled"], r["contrast"]
