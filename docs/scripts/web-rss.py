#!/usr/bin/env python3
"""Drive a running Otklik web process with many signed-in people, for its
peak memory (docs/BENCHMARKS.md, "The web process under 10,000 users").

Start the web process with TRUST_PROXY=true (each person gets an address of
its own in X-Forwarded-For, so the sign-in throttle sees 100 people, not one
address) and a REDIS_URL (no built-in worker), then:

    python3 docs/scripts/web-rss.py http://127.0.0.1:18111 register 100
    python3 docs/scripts/web-rss.py http://127.0.0.1:18111 browse 100 20

"register" signs up v0..v99@example.com; "browse" signs them in and has each
read eight pages ROUNDS times, all at once. Read VmHWM from /proc/<pid>/status.
Standard library only.
"""
import http.cookiejar
import itertools
import re
import sys
import threading
import time
import urllib.parse
import urllib.request

BASE, MODE, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
PASSWORD = "correct horse battery staple"
PAGES = ["/", "/applications", "/review", "/settings", "/summary", "/rules", "/resumes",
         "/applications?status=applied"]
addresses = itertools.count(1)


def session():
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    n = next(addresses)
    op.addheaders = [("X-Forwarded-For", f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")]
    return op


def post(op, path, fields):
    page = op.open(BASE + path).read().decode()
    fields["csrf"] = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    op.open(BASE + path, urllib.parse.urlencode(fields).encode()).read()


people = []
for i in range(N):
    op = session()
    post(op, "/register" if MODE == "register" else "/login",
         {"email": f"v{i}@example.com", "password": PASSWORD})
    people.append(op)
if MODE == "register":
    print("registered", N)
    sys.exit(0)

rounds = int(sys.argv[4])
counts = {"pages": 0, "errors": 0}
lock = threading.Lock()


def browse(op):
    for _ in range(rounds):
        for p in PAGES:
            try:
                op.open(BASE + p).read()
                key = "pages"
            except Exception:
                key = "errors"
            with lock:
                counts[key] += 1


start = time.time()
threads = [threading.Thread(target=browse, args=(op,)) for op in people]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{counts['pages']} pages in {time.time() - start:.1f}s, {counts['errors']} errors")
