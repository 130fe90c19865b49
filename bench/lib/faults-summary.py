"""The figures of one bench/faults.sh scenario, from what it left in its directory.

Usage: faults-summary.py WORK_DIR NAME EXPECTED_ALERTS RATE
Reads report.json (the load test's), events (FAULT_ON / FAULT_OFF in seconds since the load started), load.t0 (the
load's start, epoch seconds), probe.csv (epoch,kind,status,code,ms of the REST probe) and alerts.node*.json
(GET /v1/admin/alerts of each node at the end). Prints the figures on stderr and the scenario's table row on stdout.

Definitions (docs/reliability.md says the same):
- fault window: from the first FAULT_ON to the last FAULT_OFF (at least one second).
- availability (sends): of the load's sends answered during the fault window, by the second of their answer, the
  share acknowledged; (seconds): the share of the window's seconds in which at least one send was acknowledged and
  none failed.
- time to recover: from FAULT_OFF to the start of the first run of 5 seconds in which every second acknowledged
  sends and none failed (a send's timeout is 10 s, so a send lost in the fault fails up to 10 s after it).
- probe: its reads and writes started during the fault window, the share answered 2xx; and the slowest answer.
"""
import glob
import json
import math
import os
import re
import sys

work, name, expected, rate = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
err = sys.stderr


def out(line=""):
    print(line, file=err)


report = json.load(open(os.path.join(work, "report.json")))
t0 = float(open(os.path.join(work, "load.t0")).read())
events = [(float(line.split()[0]), line.split(None, 1)[1].strip()) for line in open(os.path.join(work, "events"))
          if line.strip()]
ons = [t for t, e in events if e.startswith("FAULT_ON")]
offs = [t for t, e in events if e.startswith("FAULT_OFF")]
on = ons[0] if ons else 0.0
off = offs[-1] if offs else on
off = max(off, on + 1)

timeline = report["timeline"]
by_t = {int(i["t"]): i for i in timeline}
win = [by_t[s] for s in range(int(math.floor(on)) + 1, int(math.ceil(off)) + 1) if s in by_t]
acked_w = sum(i["acked"] for i in win)
errors_w = sum(i["errors"] for i in win)
avail_sends = acked_w / (acked_w + errors_w) if acked_w + errors_w else float("nan")
good_seconds = sum(1 for i in win if i["acked"] > 0 and i["errors"] == 0)
avail_seconds = good_seconds / len(win) if win else float("nan")

# time to recover
last_t = max(by_t) if by_t else 0
recover = None
first_bad_after = None
for s in range(int(math.ceil(off)) + 1, last_t - 3):
    run = [by_t.get(s + k) for k in range(5)]
    if all(r is not None and r["acked"] > 0 and r["errors"] == 0 for r in run):
        recover = max(0.0, (s - 1) - off)   # second s covers (s-1, s]
        break
ok_during = all(i["errors"] == 0 and i["acked"] > 0 for i in win)
if ok_during and recover is not None:
    recover = 0.0

# probe
probe = {"read": [], "write": []}
probe_path = os.path.join(work, "probe.csv")
if os.path.exists(probe_path):
    for line in open(probe_path):
        parts = line.strip().split(",")
        if len(parts) != 5:
            continue
        t, kind, status, code, ms = float(parts[0]) - t0, parts[1], int(parts[2]), parts[3], float(parts[4])
        probe[kind].append((t, status, code, ms))


def probe_figures(kind):
    rows = [r for r in probe[kind] if on <= r[0] <= off]
    if not rows:
        return "-", "-", {}, None
    ok = sum(1 for r in rows if 200 <= r[1] < 300)
    codes = {}
    for r in rows:
        if not 200 <= r[1] < 300:
            key = f"{r[1]} {r[2]}".strip()
            codes[key] = codes.get(key, 0) + 1
    slowest = max(r[3] for r in rows)
    # first success after the fault after which every later request of this kind succeeded
    later = [r for r in probe[kind] if r[0] >= on]
    back = None
    for k, r in enumerate(later):
        if all(200 <= x[1] < 300 for x in later[k:]):
            back = max(0.0, r[0] - off)
            break
    return f"{ok}/{len(rows)}", f"{slowest:.0f}", codes, back


read_ok, read_slow, read_codes, read_back = probe_figures("read")
write_ok, write_slow, write_codes, write_back = probe_figures("write")

# alerts
fault_epoch = t0 + on
alerts = []
for path in sorted(glob.glob(os.path.join(work, "alerts.node*.json"))):
    node = re.search(r"node(\d+)", path).group(1)
    data = json.load(open(path))
    if data.get("unreachable"):
        alerts.append((node, None))
        continue
    for a in data.get("alerts", []):
        alerts.append((node, a))


def epoch(iso):
    from datetime import datetime
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() if iso else None


raised = []
before = []
for node, a in alerts:
    if a is None:
        continue
    starts = epoch(a.get("startsAt"))
    ends = epoch(a.get("endsAt"))
    if starts is not None and starts >= fault_epoch - 2:
        raised.append((node, a, starts - fault_epoch, None if ends is None else ends - (t0 + off)))
    else:
        before.append((node, a))

integ = report["integrity"]
errors = report.get("errors") or {}
resumed = re.search(r"streams resumed after the server closed them: (\d+).*?not resumed: (\d+); sends sent again: (\d+)",
                    open(os.path.join(work, "load.out")).read())

out()
out(f"== {name}")
for t, e in events:
    out(f"  t={t:6.1f}s  {e}")
out(f"  load: {report['attempted']} sends at {rate:.0f}/s, {report['acked']} acknowledged; errors by code: "
    + (", ".join(f"{k}: {v}" for k, v in errors.items()) or "none"))
out(f"  availability during the fault ({off - on:.1f} s): sends answered OK {avail_sends:.1%} "
    f"({acked_w} acked, {errors_w} failed, by answer time); seconds with acks and no failure {good_seconds}/{len(win)}")
out("  time to recover after the fault: " + ("not within the run" if recover is None else f"{recover:.0f} s"))
out(f"  probe (REST, one read and one write every 0.5 s, 5 s limit): during the fault reads OK {read_ok} "
    f"(slowest {read_slow} ms; {read_codes or 'no failures'}), writes OK {write_ok} (slowest {write_slow} ms; "
    f"{write_codes or 'no failures'}); writes all OK again "
    + ("never" if write_back is None else f"{write_back:.1f} s after the fault"))
out(f"  integrity: lost {integ['lost']}, duplicated {integ['duplicated']}, out of order {integ['outOfOrder']}, "
    f"history gaps {integ['historyGaps']}, streams closed early {integ['connectionsClosedEarly']}"
    + (f"; streams resumed {resumed.group(1)} (not resumed {resumed.group(2)}), sends sent again {resumed.group(3)}"
       if resumed else ""))
delivered = [i["sendToDelivered"]["p99"] for i in timeline
             if on <= i["t"] <= off + 10 and i.get("sendToDelivered") and i["sendToDelivered"]["count"] > 0]
outside = sorted(i["sendToDelivered"]["p99"] for i in timeline
                 if (i["t"] < on or i["t"] > off + 10) and i.get("sendToDelivered") and i["sendToDelivered"]["count"] > 0)
out("  send->delivered p99, worst second from the fault's start to 10 s after its end: "
    + (f"{max(delivered):.0f} ms" if delivered else "-")
    + (f" (median second outside: {outside[len(outside) // 2]:.0f} ms)" if outside else ""))
seconds = [i for i in timeline if on - 3 <= i["t"] <= off + 15]
out("  per second around the fault (t: sent/acked/errors): "
    + " ".join(f"{i['t']}:{i['sent']}/{i['acked']}/{i['errors']}" for i in seconds))
out(f"  alerts expected: {expected}")
if not raised:
    out("  alerts raised: none")
for node, a, s, e in raised:
    out(f"  alert node {node}: {a['name']} ({a['state']}) from {s:+.1f} s after the fault's start"
        + ("" if e is None else f" to {e:+.1f} s after its end") + f": {a.get('summary', '')}")
for node, a in before:
    out(f"  (node {node} had {a['name']} from before the fault, {a['state']})")
for node, a in alerts:
    if a is None:
        out(f"  (node {node} did not answer GET /v1/admin/alerts at the end)")
extra = os.path.join(work, "notes.txt")
if os.path.exists(extra) and os.path.getsize(extra):
    for line in open(extra):
        out("  " + line.rstrip())

names = sorted({a["name"] for _, a, _, _ in raised})
print(f"| {name} | {avail_sends:.1%} / {avail_seconds:.0%} | "
      + ("not within the run" if recover is None else f"{recover:.0f} s") + " | "
      + (", ".join(f"{k}: {v}" for k, v in errors.items()) or "none") + " | "
      + f"{integ['lost']} / {integ['duplicated']} / {integ['outOfOrder']} / {integ['historyGaps']} | "
      + f"{read_ok} / {write_ok} | {', '.join(names) or 'none'} ({expected}) |")
