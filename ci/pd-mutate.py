#!/usr/bin/env python3
"""ci/pd-mutate.py: does an exported packetdrill script assert what its
scenario asserts? (docs/packetdrill.md, "Mutation check")

For every set-up line of every scenario (a `sysctl` line or a `listen`
line), one mutant changes its value so that the kernel is likely to answer
differently. The same change is made twice:

- in the .lq, which `listenq run` runs (model and kernel, expectations):
  the scenario's expect lines no longer hold when the change matters;
- in the exported script of the ORIGINAL scenario only (the set-up backtick,
  a later `sysctl` backtick or the `listen()` line), which packetdrill runs
  in a new network namespace: the script, still asserting the original
  scenario, must fail where `listenq run` fails.

Prints one row per mutant and the figures: of the mutants `listenq run`
fails, how many scripts fail. Needs root, a built listenq and a packetdrill
binary (LISTENQ_PACKETDRILL or PATH). Takes minutes (the slow scenarios wait
for timers, twice per mutant); --fast leaves them out.

usage: sudo ci/pd-mutate.py [--build build] [--fast] [--jobs 2] [--markdown] [FILE.lq...]
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

EVENTS = ("listen", "sockopt", "syn", "ack", "rst", "fin", "accept", "wait")


def mutate_value(name, v):
    """The new value of a set-up line: one that changes what the kernel does
    (a behaviour switch flipped, a limit moved across what the scenario
    uses)."""
    if name == "net.ipv4.tcp_syncookies":
        return {0: 1, 1: 0, 2: 0}[v]
    if name == "net.core.somaxconn":
        return 4096 if v < 4096 else 1
    if name == "net.ipv4.tcp_max_syn_backlog":
        return 128 if v < 128 else 8
    if name == "net.ipv4.tcp_synack_retries":
        return 1 if v == 0 else v - 1
    if name == "net.ipv4.tcp_timestamps":
        return 1 if v == 0 else 0
    if name in ("net.ipv4.tcp_abort_on_overflow", "net.ipv4.tcp_sack",
                "net.ipv4.tcp_window_scaling"):
        return 1 - v
    if name == "listen":
        return v + 1
    return None


def mutants(path):
    """(line number, kind, name, old, new, leading, index among its kind)."""
    out = []
    leading = True
    counts = {}
    with open(path) as f:
        lines = f.read().split("\n")
    for no, raw in enumerate(lines, 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        verb = words[0]
        if verb == "sysctl" and len(words) == 2 and "=" in words[1]:
            name, val = words[1].split("=", 1)
            key = ("sysctl", name, leading)
            counts[key] = counts.get(key, 0) + 1
            new = mutate_value(name, int(val))
            if new is not None:
                out.append((no, "sysctl", name, int(val), new, leading, counts[key] - 1))
        elif verb == "listen" and len(words) == 2:
            key = ("listen",)
            counts[key] = counts.get(key, 0) + 1
            out.append((no, "listen", "listen", int(words[1]),
                        mutate_value("listen", int(words[1])), False, counts[key] - 1))
        if verb in EVENTS:
            leading = False
    # a leading sysctl given twice: only the last one reaches the script
    last = {}
    for m in out:
        if m[1] == "sysctl" and m[5]:
            last[m[2]] = m
    return [m for m in out if not (m[1] == "sysctl" and m[5] and last[m[2]] is not m)]


def mutate_lq(text, m):
    lines = text.split("\n")
    no, kind, name, old, new = m[:5]
    line = lines[no - 1]
    if kind == "sysctl":
        lines[no - 1] = line.replace("%s=%d" % (name, old), "%s=%d" % (name, new), 1)
    else:
        lines[no - 1] = re.sub(r"listen\s+-?\d+", "listen %d" % new, line, count=1)
    return "\n".join(lines)


def mutate_pkt(text, m):
    """The same change in the script: None when the script has no such line."""
    no, kind, name, old, new, leading, idx = m
    if kind == "sysctl" and leading:
        # the set-up backtick holds each sysctl once
        pat = re.compile(r"^sysctl -q %s=%d$" % (re.escape(name), old), re.M)
        if not pat.search(text):
            return None
        return pat.sub("sysctl -q %s=%d" % (name, new), text, count=1)
    # the idx-th later sysctl line of that name, or listen() line
    if kind == "sysctl":
        hits = list(re.finditer(r"`sysctl -q %s=-?\d+`" % re.escape(name), text))
    else:
        hits = list(re.finditer(r"listen\(3, -?\d+\)", text))
    if idx >= len(hits):
        return None
    h = hits[idx]
    rep = "`sysctl -q %s=%d`" % (name, new) if kind == "sysctl" else "listen(3, %d)" % new
    return text[:h.start()] + rep + text[h.end():]


def run_listenq(listenq, lq):
    r = subprocess.run([listenq, "run", "--no-progress", lq], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=900)
    return r.returncode


def run_script(pd, bindir, pkt):
    # the flow's family, as the script's header says to run it
    m = re.search(r"--ip_version=(\S+) SCRIPT", open(pkt).read())
    ipv = m.group(1) if m else "ipv4"
    env = dict(os.environ)
    env["PATH"] = bindir + ":" + env.get("PATH", "")
    # one CPU, as listenq export --check runs it (docs/packetdrill.md)
    r = subprocess.run(["taskset", "-c", str(os.sched_getaffinity(0).pop()), "unshare", "-n",
                        "sh", "-c",
                        'ip link set lo up && exec "$0" --ip_version="$2" "$1"', pd, pkt, ipv],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                       timeout=900)
    first = ""
    for line in r.stdout.splitlines():
        if pkt in line and ": " in line:
            first = line.split(pkt, 1)[1].lstrip(":").split(":", 1)[0]
            break
    return r.returncode, first


def one(args, lq, m, work):
    base = os.path.basename(lq)[:-3]
    tag = "%s.%d" % (base, m[0])
    text = open(lq).read()
    mlq = os.path.join(work, tag + ".lq")
    with open(mlq, "w") as f:
        f.write(mutate_lq(text, m))
    opkt = os.path.join(work, tag + ".orig.pkt")
    subprocess.run([args.listenq, "export", "--packetdrill", "-o", opkt, lq], check=True)
    mtext = mutate_pkt(open(opkt).read(), m)
    run_rc = run_listenq(args.listenq, mlq)
    if mtext is None:
        return (lq, m, run_rc, None, "")
    mpkt = os.path.join(work, tag + ".pkt")
    with open(mpkt, "w") as f:
        f.write(mtext)
    pd_rc, where = run_script(args.packetdrill, os.path.dirname(os.path.abspath(args.listenq)),
                              mpkt)
    return (lq, m, run_rc, pd_rc, where)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--fast", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    args.listenq = os.path.join(args.build, "listenq")
    args.packetdrill = os.environ.get("LISTENQ_PACKETDRILL") or shutil.which("packetdrill")
    if not args.packetdrill:
        print("pd-mutate: no packetdrill binary (LISTENQ_PACKETDRILL or PATH)", file=sys.stderr)
        return 4
    if os.geteuid() != 0:
        print("pd-mutate: needs root (namespaces, packetdrill)", file=sys.stderr)
        return 4
    files = args.files or sorted(glob.glob("corpus/conformance/*.lq"))
    if args.fast:
        files = [f for f in files
                 if not re.search(r"^\s*wait\s", open(f).read(), re.M)]
    work = tempfile.mkdtemp(prefix="listenq-pd-mutate.")
    jobs = [(lq, m) for lq in files for m in mutants(lq)]
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for r in ex.map(lambda j: one(args, j[0], j[1], work), jobs):
            rows.append(r)
            lq, m, run_rc, pd_rc, where = r
            run_s = "fails" if run_rc else "passes"
            pd_s = "no such line" if pd_rc is None else ("fails at line " + where
                                                         if pd_rc else "passes")
            change = "%s %d->%d" % (m[2].replace("net.ipv4.", "").replace("net.core.", ""),
                                    m[3], m[4])
            if args.markdown:
                print("| %s:%d | %s | %s | %s |" % (os.path.basename(lq), m[0], change, run_s,
                                                    pd_s))
            else:
                print("%-44s %-34s run %-7s script %s" % ("%s:%d" % (os.path.basename(lq), m[0]),
                                                         change, run_s, pd_s))
            sys.stdout.flush()
    shutil.rmtree(work, ignore_errors=True)
    run_fail = [r for r in rows if r[2] != 0]
    caught = [r for r in run_fail if r[3]]
    missed = [r for r in run_fail if not r[3]]
    extra = [r for r in rows if r[2] == 0 and r[3]]
    print("mutants: %d (%d scenarios)" % (len(rows), len(files)))
    print("listenq run fails: %d" % len(run_fail))
    print("script fails where listenq run fails: %d of %d (%.1f%%)"
          % (len(caught), len(run_fail), 100.0 * len(caught) / max(1, len(run_fail))))
    print("script fails where listenq run passes: %d of %d"
          % (len(extra), len(rows) - len(run_fail)))
    for r in missed:
        print("missed: %s:%d %s %d->%d" % (os.path.basename(r[0]), r[1][0], r[1][2], r[1][3],
                                           r[1][4]))
    return 0 if len(caught) * 10 >= 9 * len(run_fail) else 1


if __name__ == "__main__":
    sys.exit(main())
