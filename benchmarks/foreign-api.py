#!/usr/bin/env python3
"""A foreign API for trying `ferry run` against a server that is not ferry's simulator.

Usage: python3 benchmarks/foreign-api.py --port 8765 [--limiter sliding|bucket|fixed|gcra|github403|none]
       [--rate-headers auto|none|x|ietf|ietf-old|openai]
       [--rpm 600] [--tpm 20000] [--faults 0.03] [--slow-every 50] [--key-env FOREIGN_KEY]
       curl -s 127.0.0.1:8765/__stats    # what the server saw: duplicates, embeds per text, point writes

Endpoints (each answers the way real APIs do, in the small ways ferry's simulator does not):
  POST /v1/embeddings      OpenAI-shaped; x-ratelimit-*-requests/-tokens with duration resets ("6m0s", "1.5s",
                           "20ms"); the token count is the server's own (words * 1.3); an input holding POISON
                           refuses the whole batch with 422, more than --max-inputs inputs with 413.
  PUT  /points             Qdrant-like upsert {"points":[{id,vector,payload}]}; sometimes 503 with an HTML page.
  POST /crm/contacts       409 with the existing id in conflict.existing_id; 200 {"success":false,...} for an
                           email at reject.example; sometimes 503 HTML, a connection closed mid-answer, 5 s slow rows.
  GET  /crm/contacts?email=E&page=N   paginated search: two results per page, the match may be on page 2.
  POST /user_management/users   WorkOS-shaped create (201 {"object":"user","id":...}), under the same limit as /crm:
                           what `ferry import-users --api-url` sends for a CSV without organizations.
  Limits on /crm (--limiter): a sliding log per API key, a token bucket refilled in bursts, a fixed window with
  X-RateLimit-Reset in epoch seconds and Retry-After as an HTTP date, GCRA (a bucket of --crm-rate refilled evenly
  over --crm-per, Retry-After in seconds), or GitHub's 403 + X-RateLimit-Remaining: 0. --rate-headers sends one
  convention of rate-limit headers on every limited answer instead of the limiter's own (auto): none, x
  (X-RateLimit-* with an epoch reset), ietf (RateLimit-Policy + RateLimit), ietf-old (RateLimit-Limit/-Remaining/
  -Reset in seconds) or openai (x-ratelimit-*-requests with duration resets).
"""
import argparse
import email.utils
import hashlib
import json
import os
import random
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
STATS = defaultdict(int)
CONTACTS = {}            # external_id -> contact
CREATES = defaultdict(int)  # external_id -> creations (a second one is a duplicate)
EMBEDS = defaultdict(int)   # text -> times embedded
POINTS = defaultdict(int)   # point id -> writes
POINT_VEC = {}
IDEM = {}                # idempotency key -> (status, body)
COMPANIES = {}           # domain -> {"id", "domain", "indexed"}; seeded ones are not in the search index
COMPANY_CREATES = defaultdict(int)


def fmt_duration(seconds):
    """OpenAI's reset format: 6m0s, 1.5s, 20ms."""
    if seconds < 1:
        return "%dms" % max(1, int(seconds * 1000))
    if seconds < 60:
        s = ("%.1f" % seconds).rstrip("0").rstrip(".")
        return s + "s"
    m = int(seconds // 60)
    return "%dm%ds" % (m, int(seconds - 60 * m))


class Window:
    """A sliding 60 s log of (time, amount)."""

    def __init__(self, limit, span=60.0):
        self.limit, self.span, self.log = limit, span, deque()

    def used(self, now):
        while self.log and self.log[0][0] <= now - self.span:
            self.log.popleft()
        return sum(a for _, a in self.log)

    def reset_in(self, now):
        return (self.log[0][0] + self.span - now) if self.log else 0.0


class Limiter:
    def __init__(self, kind, rate, per):
        self.kind, self.rate, self.per = kind, rate, per
        self.logs = defaultdict(deque)   # sliding log per key
        self.tokens, self.last_refill = rate, time.time()
        self.window_start, self.window_count = int(time.time()), 0
        self.tat = 0.0   # GCRA's theoretical arrival time

    def check(self, key, now):
        """-> (allowed, headers, retry_after_seconds)"""
        ok, h, r = self.count(key, now)
        if A.rate_headers == "auto":
            return ok, h, r
        keep = {k: v for k, v in h.items() if k == "Retry-After"}
        return ok, dict(keep, **self.convention(key, now)), r

    def state(self, key, now):
        """-> (remaining, seconds until the budget is whole again) as this limiter counts, after the check"""
        if self.kind == "sliding":
            log = self.logs[key]
            return self.rate - len(log), (log[0] + self.per - now) if log else 0.0
        if self.kind == "bucket":
            return self.tokens, max(0.0, self.last_refill + self.per - now)
        if self.kind == "gcra":
            t = self.per / self.rate
            return int(max(0.0, self.per - max(0.0, self.tat - now)) / t + 1e-9), max(0.0, self.tat - now)
        w = int(now // self.per * self.per)
        return self.rate - (self.window_count if w == self.window_start else 0), w + self.per - now

    def convention(self, key, now):
        if self.kind == "none" or A.rate_headers == "none":
            return {}
        remaining, reset = self.state(key, now)
        remaining, secs = max(0, remaining), int(reset + 0.999)
        if A.rate_headers == "x":
            return {"X-RateLimit-Limit": str(self.rate), "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": str(int(now + reset + 0.999))}
        if A.rate_headers == "ietf":
            return {"RateLimit-Policy": '"crm";q=%d;w=%d' % (self.rate, int(self.per + 0.999)),
                    "RateLimit": '"crm";r=%d;t=%d' % (remaining, secs)}
        if A.rate_headers == "ietf-old":
            return {"RateLimit-Limit": str(self.rate), "RateLimit-Remaining": str(remaining),
                    "RateLimit-Reset": str(secs)}
        return {"x-ratelimit-limit-requests": str(self.rate), "x-ratelimit-remaining-requests": str(remaining),
                "x-ratelimit-reset-requests": fmt_duration(reset) if reset > 0 else "0s"}

    def count(self, key, now):
        if self.kind == "none":
            return True, {}, 0
        if self.kind == "gcra":
            t = self.per / self.rate
            tat = max(self.tat, now)
            if tat + t - now > self.per + 1e-9:
                return False, {"Retry-After": str(max(1, int(tat + t - self.per - now + 0.999)))}, 0
            self.tat = tat + t
            return True, {}, 0
        if self.kind == "sliding":
            log = self.logs[key]
            while log and log[0] <= now - self.per:
                log.popleft()
            if len(log) >= self.rate:
                return False, {"Retry-After": str(max(1, int(log[0] + self.per - now + 0.999)))}, 0
            log.append(now)
            return True, {}, 0
        if self.kind == "bucket":
            # refilled in bursts: every `per` seconds the bucket is topped up to `rate`
            if now - self.last_refill >= self.per:
                self.tokens, self.last_refill = self.rate, now
            if self.tokens <= 0:
                return False, {}, 0        # no header at all: ferry must learn it from the 429s
            self.tokens -= 1
            return True, {}, 0
        # fixed window with X-RateLimit-* (epoch reset), or GitHub's 403 flavour
        w = int(now // self.per * self.per)
        if w != self.window_start:
            self.window_start, self.window_count = w, 0
        reset = self.window_start + int(self.per)
        if self.window_count >= self.rate:
            h = {"X-RateLimit-Limit": str(self.rate), "X-RateLimit-Remaining": "0",
                 "X-RateLimit-Reset": str(reset)}
            if self.kind == "fixed":
                h["Retry-After"] = email.utils.formatdate(reset + 1, usegmt=True)
            return False, h, 0
        self.window_count += 1
        return True, {"X-RateLimit-Limit": str(self.rate),
                      "X-RateLimit-Remaining": str(self.rate - self.window_count),
                      "X-RateLimit-Reset": str(reset)}, 0


def server_tokens(text):
    return max(1, int(len(str(text).split()) * 1.3))


def vector_of(text):
    h = hashlib.sha256(str(text).encode()).digest()
    return [round(b / 255.0, 4) for b in h[:8]]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=None, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def html503(self):
        self.send(503, b"<html><body><h1>503 Service Temporarily Unavailable</h1><hr>nginx</body></html>",
                  ctype="text/html")

    def body(self):
        if not hasattr(self, "_body"):
            n = int(self.headers.get("Content-Length") or 0)
            self._body = json.loads(self.rfile.read(n) or b"null")
        return self._body

    def authed(self):
        auth = self.headers.get("Authorization") or self.headers.get("api-key") or ""
        if A.key and A.key not in auth:
            with LOCK:
                STATS["unauthorized"] += 1
            self.send(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
            return False
        return True

    # ---------------------------------------------------------------- GET
    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/__stats":
            with LOCK:
                dup = {k: v for k, v in CREATES.items() if v > 1}
                out = dict(STATS)
                out.update(contacts=len(CONTACTS), duplicate_creations=sum(v - 1 for v in dup.values()),
                           duplicated=sorted(dup)[:20], texts_embedded=len(EMBEDS),
                           embeds_total=sum(EMBEDS.values()), points=len(POINTS),
                           point_writes=sum(POINTS.values()),
                           rewritten_points=sum(1 for v in POINTS.values() if v > 1),
                           companies=len(COMPANIES),
                           duplicate_company_creations=sum(v - 1 for v in COMPANY_CREATES.values() if v > 1))
            return self.send(200, out)
        if u.path == "/__contacts":
            with LOCK:
                return self.send(200, CONTACTS)
        if u.path == "/crm/companies":
            if not self.authed() or not self.limit():
                return
            dom = (parse_qs(u.query).get("domain") or [""])[0]
            with LOCK:
                STATS["company_searches"] += 1
                c = COMPANIES.get(dom)
                hits = [c] if c and c["indexed"] else []   # the search index lags: seeded companies are missing
            return self.send(200, {"results": hits, "paging": {"next": None}})
        if u.path == "/crm/contacts":
            if not self.authed() or not self.limit():
                return
            q = parse_qs(u.query)
            email_q = (q.get("email") or [""])[0].lower()
            page = int((q.get("page") or ["1"])[0])
            with LOCK:
                STATS["searches"] += 1
                # two decoys that share the domain come first, so a match is often on page 2
                dom = email_q.split("@")[-1]
                hits = [c for c in CONTACTS.values() if c["email"].split("@")[-1] == dom and c["email"] != email_q][:2]
                hits += [c for c in CONTACTS.values() if c["email"] == email_q]
            per = 2
            items = hits[(page - 1) * per: page * per]
            nxt = page + 1 if page * per < len(hits) else None
            return self.send(200, {"results": items, "paging": {"next": nxt}})
        self.send(404, {"error": "no route " + u.path})

    # ---------------------------------------------------------------- POST / PUT
    def do_POST(self):
        self.__dict__.pop("_body", None)
        self.body()   # read first: an answer before the body is read would garble the kept-alive connection
        u = urlparse(self.path)
        if u.path == "/v1/embeddings":
            return self.embeddings()
        if u.path == "/crm/contacts":
            return self.create_contact()
        if u.path == "/crm/companies":
            return self.create_company()
        if u.path == "/user_management/users":
            return self.create_user()
        self.send(404, {"error": "no route"})

    def do_PUT(self):
        self.__dict__.pop("_body", None)
        self.body()
        u = urlparse(self.path)
        if u.path == "/points":
            return self.points()
        self.send(404, {"error": "no route"})

    def limit(self):
        key = self.headers.get("Authorization", "")
        with LOCK:
            ok, headers, _ = CRM_LIMIT.check(key, time.time())
            if not ok:
                STATS["refused_429" if A.limiter != "github403" else "refused_403"] += 1
            if ARRIVALS:
                ARRIVALS.write("%.6f %s\n" % (time.time(), "ok" if ok else "refused"))
        if ok:
            self._rl = headers
            return True
        if A.limiter == "github403":
            self.send(403, {"message": "API rate limit exceeded for user."}, headers)
        else:
            self.send(429, {"error": {"message": "Too many requests", "code": "rate_limited"}}, headers)
        return False

    def create_contact(self):
        if not self.authed() or not self.limit():
            return
        b = self.body()
        ext, mail = str(b.get("external_id")), str(b.get("email", "")).lower()
        r = random.random()
        if r < A.faults:
            with LOCK:
                STATS["html_503"] += 1
            return self.html503()
        if ext.endswith("13") and A.slow_every:
            time.sleep(5)
            with LOCK:
                STATS["slow"] += 1
        if mail.endswith("@reject.example"):
            with LOCK:
                STATS["soft_errors"] += 1
            return self.send(200, {"success": False, "error": {"code": "VALIDATION", "message": "domain is blocked"}})
        with LOCK:
            if ext in CONTACTS:
                STATS["conflicts"] += 1
                conflict = True
                cid = CONTACTS[ext]["id"]
            else:
                conflict = False
                cid = "c_%06d" % (len(CONTACTS) + 1)
                CONTACTS[ext] = {"id": cid, "external_id": ext, "email": mail}
                CREATES[ext] += 1
                STATS["created"] += 1
        if conflict:
            return self.send(409, {"message": "Contact already exists", "conflict": {"existing_id": cid}})
        ans = {"success": True, "contact": {"id": cid, "external_id": ext}}
        if random.random() < A.faults:
            # created, then the connection dies mid-answer: a client must retry, and meets the 409
            with LOCK:
                STATS["cut_connections"] += 1
            data = json.dumps(ans).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:7])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        self.send(201, ans, self._rl)

    def create_user(self):
        if not self.authed() or not self.limit():
            return
        mail = str(self.body().get("email", "")).lower()
        with LOCK:
            STATS["users_created"] += 1
            uid = "user_%06d" % STATS["users_created"]
        self.send(201, {"object": "user", "id": uid, "email": mail}, self._rl)

    def create_company(self):
        if not self.authed() or not self.limit():
            return
        dom = str(self.body().get("domain"))
        with LOCK:
            c = COMPANIES.get(dom)
            if c is None:
                c = COMPANIES[dom] = {"id": "co_%04d" % (len(COMPANIES) + 1), "domain": dom, "indexed": True}
                COMPANY_CREATES[dom] += 1
                STATS["companies_created"] += 1
                return self.send(201, {"company": {"id": c["id"], "domain": dom}})
            STATS["company_conflicts"] += 1
        self.send(409, {"message": "Company exists", "conflict": {"existing_id": c["id"]}})

    def embeddings(self):
        if not self.authed():
            return
        b = self.body()
        inputs = b.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if len(inputs) > A.max_inputs:
            with LOCK:
                STATS["refused_413"] += 1
            return self.send(413, {"error": {"message": "too many inputs: %d > %d" % (len(inputs), A.max_inputs),
                                             "type": "invalid_request_error"}})
        for i, t in enumerate(inputs):
            if "POISON" in str(t):
                with LOCK:
                    STATS["refused_422"] += 1
                return self.send(422, {"error": {"message": "input[%d] is not allowed" % i,
                                                 "type": "invalid_request_error"}})
        toks = sum(server_tokens(t) for t in inputs)
        now = time.time()
        with LOCK:
            used_r, used_t = RPM.used(now), TPM.used(now)
            hdr = {
                "x-ratelimit-limit-requests": str(A.rpm), "x-ratelimit-limit-tokens": str(A.tpm),
            }
            if used_r + 1 > A.rpm or used_t + toks > A.tpm:
                which = "requests" if used_r + 1 > A.rpm else "tokens"
                STATS["refused_429_" + which] += 1
                hdr.update({
                    "x-ratelimit-remaining-requests": str(max(0, A.rpm - used_r)),
                    "x-ratelimit-remaining-tokens": str(max(0, A.tpm - used_t)),
                    "x-ratelimit-reset-requests": fmt_duration(RPM.reset_in(now)),
                    "x-ratelimit-reset-tokens": fmt_duration(TPM.reset_in(now))})
                return self.send(429, {"error": {
                    "message": "Rate limit reached on %s per min: Limit %d, Used %d, Requested %d. Please try again"
                               " in %s." % (which, A.tpm if which == "tokens" else A.rpm, used_t, toks,
                                            fmt_duration(TPM.reset_in(now))),
                    "type": which, "code": "rate_limit_exceeded"}}, hdr)
            RPM.log.append((now, 1))
            TPM.log.append((now, toks))
            for t in inputs:
                EMBEDS[t] += 1
            STATS["embed_calls"] += 1
            hdr.update({
                "x-ratelimit-remaining-requests": str(A.rpm - used_r - 1),
                "x-ratelimit-remaining-tokens": str(A.tpm - used_t - toks),
                "x-ratelimit-reset-requests": fmt_duration(RPM.reset_in(now)),
                "x-ratelimit-reset-tokens": fmt_duration(TPM.reset_in(now))})
        data = [{"object": "embedding", "index": i, "embedding": vector_of(t)} for i, t in enumerate(inputs)]
        data.reverse()     # items out of order: ferry must match by index
        self.send(200, {"object": "list", "data": data, "model": b.get("model"),
                        "usage": {"prompt_tokens": toks, "total_tokens": toks}}, hdr)

    def points(self):
        if not self.authed():
            return
        b = self.body()
        if random.random() < A.faults:
            with LOCK:
                STATS["html_503"] += 1
            return self.html503()
        with LOCK:
            for p in b.get("points", []):
                POINTS[p["id"]] += 1
                POINT_VEC[p["id"]] = p.get("vector")
            STATS["upsert_calls"] += 1
        self.send(200, {"result": {"operation_id": 1, "status": "completed"}, "status": "ok", "time": 0.001})


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--limiter", default="sliding", choices=["sliding", "bucket", "fixed", "gcra", "github403", "none"])
    p.add_argument("--rate-headers", default="auto", choices=["auto", "none", "x", "ietf", "ietf-old", "openai"],
                   help="the rate-limit headers of every limited answer; auto: the limiter's own")
    p.add_argument("--crm-rate", type=int, default=20, help="CRM requests per --crm-per seconds")
    p.add_argument("--crm-per", type=float, default=2.0)
    p.add_argument("--rpm", type=int, default=600)
    p.add_argument("--tpm", type=int, default=20000)
    p.add_argument("--max-inputs", type=int, default=64)
    p.add_argument("--faults", type=float, default=0.03)
    p.add_argument("--slow-every", type=int, default=1, help="0: no slow rows; else external ids ending 13 take 5 s")
    p.add_argument("--key-env", default="FOREIGN_KEY")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--backlog", type=int, default=5, help="listen backlog (Python's default 5: a burst of new"
                   " connections beyond it waits for the SYN retransmit, about 1 s)")
    p.add_argument("--arrivals", default="", help="a file to log each rate-limited request's arrival to"
                   " (epoch seconds as the limiter counted it, ok or refused)")
    p.add_argument("--seed-companies", type=int, default=3, help="companies acme0.io.. that exist but search misses")
    A = p.parse_args()
    A.key = os.environ.get(A.key_env, "")
    ARRIVALS = open(A.arrivals, "a", buffering=1) if A.arrivals else None
    random.seed(A.seed)
    RPM, TPM = Window(A.rpm), Window(A.tpm)
    CRM_LIMIT = Limiter(A.limiter, A.crm_rate, A.crm_per)
    for i in range(A.seed_companies):   # there before the job, and missing from the search index
        COMPANIES["acme%d.io" % i] = {"id": "co_seed%d" % i, "domain": "acme%d.io" % i, "indexed": False}
    ThreadingHTTPServer.request_queue_size = A.backlog
    srv = ThreadingHTTPServer(("127.0.0.1", A.port), Handler)
    srv.daemon_threads = True
    print("foreign api on 127.0.0.1:%d limiter=%s" % (A.port, A.limiter), flush=True)
    srv.serve_forever()
