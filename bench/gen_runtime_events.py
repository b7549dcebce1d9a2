#!/usr/bin/env python3
"""Benchmark inputs for the runtime-security and container-event JSON parsers (ParserBenchmark).

    bench/gen_runtime_events.py OUTDIR [MB]        (default 30 MB per file)

writes, into OUTDIR (never into the repository):
  falco.jsonl          Falco json_output alerts: the shared corpus alerts (falco/*.json: the falco test output
                       lines and the falcosidekick README payload) repeated round-robin with varied values
  tetragon.jsonl       Tetragon GetEventsResponse lines: every corpus event (tetragon/testdata_events.json and the
                       pretty-printed single events, compacted to one line each) repeated round-robin with varied
                       values: exec, exit, kprobe, connect, listen, close
  docker-events.jsonl  `docker events --format '{{json .}}'` lines (Engine API EventMessage with the legacy
                       status/id/from fields), container lifecycle actions over 50 container ids

Varied values: times (RFC 3339 with nanoseconds, increasing), pids, exec ids (base64 of node:ns:pid, as Tetragon
makes them), node and host names, pod names, container ids, command arguments, file names. Shapes, field sets
and field order are the corpus's own. Deterministic (fixed seed). The corpus lives in ../shared/corpus (override
with STRATA_CORPUS).
"""
import base64
import glob
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get("STRATA_CORPUS", os.path.join(ROOT, "..", "..", "shared", "corpus"))
R = random.Random(7)
T0 = 1_730_000_000 * 10**9  # epoch ns


def rfc3339(ns):
    s, frac = divmod(ns, 10**9)
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%09dZ" % frac


def hexid(n):
    return "%0*x" % (n, R.getrandbits(4 * n))


NODES = ["node-%02d" % i for i in range(12)]
CONTAINERS = [hexid(64) for _ in range(40)]
PODS = ["%s-%s-%s" % (app, hexid(10), hexid(5)) for app in ("api", "web", "worker", "cache", "elasticsearch")
        for _ in range(4)]


def write(path, records, mb):
    target = mb << 20
    size = n = 0
    with open(path, "w", encoding="utf-8") as f:
        while size < target:
            line = json.dumps(records(n), separators=(",", ":"), ensure_ascii=False) + "\n"
            f.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    print("%s: %d records, %d bytes" % (path, n, size), file=sys.stderr)


# ---- falco ------------------------------------------------------------------------------------------------------

def falco_templates():
    out = []
    for p in sorted(glob.glob(os.path.join(CORPUS, "falco", "*.json"))):
        with open(p, encoding="utf-8") as f:
            out += [json.loads(l) for l in f if l.strip()]
    if not out:
        sys.exit("no Falco alerts under %s/falco" % CORPUS)
    return out


def falco(templates):
    def record(n):
        a = json.loads(json.dumps(templates[n % len(templates)]))
        ns = T0 + n * 1_000_003 + R.randrange(1000)
        t = rfc3339(ns)
        a["time"] = t
        if "hostname" in a:
            a["hostname"] = NODES[n % len(NODES)]
        out = a.get("output", "")
        cut = out.find(": ")
        if cut > 0:
            a["output"] = t[:-1] + "+0000" + out[cut:]
        of = a.get("output_fields", {})
        for k in list(of):
            if k in ("evt.time", "evt.time.iso8601"):
                of[k] = ns
            elif k == "proc.cmdline":
                of[k] = of[k].split(" ")[0] + " /tmp/f-%d" % R.randrange(100000)
            elif k == "fd.name":
                of[k] = "/bin/f-%d" % R.randrange(100000)
        return a
    return record


# ---- tetragon ---------------------------------------------------------------------------------------------------

def tetragon_templates():
    out = []
    for p in sorted(glob.glob(os.path.join(CORPUS, "tetragon", "**", "*.json"), recursive=True)):
        with open(p, encoding="utf-8") as f:
            text = f.read()
        try:
            out.append(json.loads(text))  # one pretty-printed event
        except json.JSONDecodeError:
            out += [json.loads(l) for l in text.splitlines() if l.strip()]  # JSON lines
    if not out:
        sys.exit("no Tetragon events under %s/tetragon" % CORPUS)
    return out


def tetragon(templates):
    def vary_process(p, node, ns, pid):
        if not isinstance(p, dict):
            return
        if "pid" in p:
            p["pid"] = pid
        if "exec_id" in p:
            p["exec_id"] = base64.b64encode(("%s:%d:%d" % (node, ns // 1000, pid)).encode()).decode()
        if "parent_exec_id" in p:
            p["parent_exec_id"] = base64.b64encode(("%s:%d:%d" % (node, ns // 1000 - 7, pid - 1)).encode()).decode()
        if "start_time" in p:
            p["start_time"] = rfc3339(ns - R.randrange(10**9))
        if p.get("arguments") and R.random() < 0.5:
            p["arguments"] = p["arguments"] + " --n=%d" % R.randrange(1000)
        pod = p.get("pod")
        if isinstance(pod, dict):
            c = pod.get("container")
            if isinstance(c, dict) and "id" in c:
                cid = CONTAINERS[pid % len(CONTAINERS)]
                c["id"] = c["id"].split("://")[0] + "://" + cid if "://" in c["id"] else cid
                if "pid" in c:
                    c["pid"] = pid % 300 + 1
            if "name" in pod:
                pod["name"] = PODS[pid % len(PODS)]

    def record(n):
        e = json.loads(json.dumps(templates[n % len(templates)]))
        ns = T0 + n * 1_000_003 + R.randrange(1000)
        node = NODES[n % len(NODES)]
        pid = 1000 + R.randrange(4_000_000)
        for k, body in e.items():
            if k.startswith("process_") and isinstance(body, dict):
                vary_process(body.get("process"), node, ns, pid)
                vary_process(body.get("parent"), node, ns - 10**6, pid - 1 - R.randrange(50))
                for arg in body.get("args", []) or []:
                    fa = arg.get("file_arg") if isinstance(arg, dict) else None
                    if isinstance(fa, dict) and "path" in fa:
                        fa["path"] = fa["path"].rsplit("/", 1)[0] + "/f-%d" % R.randrange(10000)
        if "node_name" in e:
            e["node_name"] = node
        if "time" in e:
            e["time"] = rfc3339(ns)
        return e
    return record


# ---- docker events ----------------------------------------------------------------------------------------------

def docker_events(n):
    t = T0 // 10**9 + n
    c = CONTAINERS[R.randrange(len(CONTAINERS))]
    a = R.choice(["create", "start", "die", "kill", "exec_start: sh -c id", "exec_die", "attach", "destroy"])
    attrs = {"image": "registry.example/app:1.2", "name": "web-%d" % (t % 100),
             "io.kubernetes.pod.name": "web-%d" % (t % 100), "io.kubernetes.pod.namespace": "prod",
             "io.kubernetes.container.name": "app"}
    if a == "die":
        attrs["exitCode"] = str(R.choice([0, 1, 137]))
    return {"status": a, "id": c, "from": "registry.example/app:1.2", "Type": "container", "Action": a,
            "Actor": {"ID": c, "Attributes": attrs}, "scope": "local", "time": t,
            "timeNano": t * 10**9 + R.randrange(10**9)}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, "falco.jsonl"), falco(falco_templates()), mb)
    write(os.path.join(outdir, "tetragon.jsonl"), tetragon(tetragon_templates()), mb)
    write(os.path.join(outdir, "docker-events.jsonl"), docker_events, mb)


if __name__ == "__main__":
    main()
