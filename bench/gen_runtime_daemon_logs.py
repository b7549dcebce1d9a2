#!/usr/bin/env python3
"""Synthetic container runtime daemon logs for ParserBenchmark (containerd_daemon_log, crio_daemon_log).

usage: gen_runtime_daemon_logs.py OUTDIR [LINES]   (default 200000 lines each)

Writes OUTDIR/containerd.txt and OUTDIR/crio.txt as `journalctl -o short-precise` text of a busy node: pods
coming and going (containerd 2.0 / CRI-O 1.30 message wordings, see docs/schema.md), 15% kubelet lines (skipped
by the parsers), the rest the daemon's other info lines. Deterministic (seeded), ids and names invented.
"""
import random
import sys


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    rnd = random.Random(7)
    write(out + "/containerd.txt", n, rnd, containerd_lines)
    write(out + "/crio.txt", n, rnd, crio_lines)


def write(path, n, rnd, gen):
    with open(path, "w") as f:
        i = 0
        for line in gen(rnd):
            f.write(line)
            f.write("\n")
            i += 1
            if i >= n:
                break


def hexid(rnd):
    return "%064x" % rnd.getrandbits(256)


def ts(i):
    s = i // 20
    return "Nov 20 %02d:%02d:%02d.%06d" % (10 + s // 3600 % 12, s // 60 % 60, s % 60, (i % 20) * 50000), \
        "2026-11-20T%02d:%02d:%02d.%06d000Z" % (10 + s // 3600 % 12, s // 60 % 60, s % 60, (i % 20) * 50000)


def q(m):
    return m.replace("\\", "\\\\").replace('"', '\\"')


def containerd_lines(rnd):
    i = 0
    while True:
        sb, ct = hexid(rnd), hexid(rnd)
        uid = "7e1c2b1e-%04x-4000-8000-%012x" % (i % 65536, i)
        pod = "web-%d" % (i % 5000)
        md = "&PodSandboxMetadata{Name:%s,Uid:%s,Namespace:shop,Attempt:0,}" % (pod, uid)
        msgs = [
            "RunPodSandbox for %s" % md,
            'RunPodSandbox for %s returns sandbox id "%s"' % (md, sb),
            'CreateContainer within sandbox "%s" for container &ContainerMetadata{Name:web,Attempt:0,}' % sb,
            'CreateContainer within sandbox "%s" for &ContainerMetadata{Name:web,Attempt:0,} returns container id "%s"'
            % (sb, ct),
            'StartContainer for "%s"' % ct,
            'StartContainer for "%s" returns successfully' % ct,
            'StopContainer for "%s" with timeout 30 (s)' % ct,
            'TaskExit event container_id:"%s" id:"%s" pid:%d exit_status:137 exited_at:{seconds:1795168800 nanos:%d}'
            % (ct, ct, 4000 + i % 30000, i % 999999999),
            'StopContainer for "%s" returns successfully' % ct,
            'RemoveContainer for "%s" returns successfully' % ct,
        ]
        for m in msgs:
            for _ in range(rnd.randint(0, 2)):
                hdr, t = ts(i)
                i += 1
                if rnd.random() < 0.3:
                    yield "%s ip-10-0-1-10 kubelet[1200]: I1120 10:00:00.000000    1200 kubelet.go:2400] " \
                          '"SyncLoop (PLEG): event for pod" pod="shop/%s"' % (hdr, pod)
                else:
                    yield '%s ip-10-0-1-10 containerd[941]: time="%s" level=info msg="Container exec \\"%s\\" ' \
                          'stdin closed"' % (hdr, t, hexid(rnd)[:32])
            hdr, t = ts(i)
            i += 1
            yield '%s ip-10-0-1-10 containerd[941]: time="%s" level=info msg="%s"' % (hdr, t, q(m))


def crio_lines(rnd):
    i = 0
    while True:
        sb, ct = hexid(rnd), hexid(rnd)
        pod = "web-%d" % (i % 5000)
        d = "shop/%s/web" % pod
        msgs = [
            ("Running pod sandbox: shop/%s/POD" % pod, "RunPodSandbox", ""),
            ("Ran pod sandbox %s with infra container: shop/%s/POD" % (sb, pod), "RunPodSandbox", ""),
            ("Creating container: %s" % d, "CreateContainer", ""),
            ("Created container %s: %s" % (ct, d), "CreateContainer", ""),
            ("Starting container: %s" % ct, "StartContainer", ""),
            ("Started container", "StartContainer",
             " PID=%d containerID=%s description=%s sandboxID=%s" % (4000 + i % 30000, ct, d, sb)),
            ("Stopping container: %s (timeout: 30s)" % ct, "StopContainer", ""),
            ("Stopped container %s: %s" % (ct, d), "StopContainer", ""),
            ("Removed container %s: %s" % (ct, d), "RemoveContainer", ""),
        ]
        for m, rpc, extra in msgs:
            for _ in range(rnd.randint(0, 2)):
                hdr, t = ts(i)
                i += 1
                if rnd.random() < 0.3:
                    yield "%s worker-0 kubelet[1200]: I1120 10:00:00.000000    1200 kubelet.go:2400] " \
                          '"SyncLoop (PLEG): event for pod" pod="shop/%s"' % (hdr, pod)
                else:
                    yield '%s worker-0 crio[1818]: time="%s" level=info msg="Checking image status: ' \
                          'quay.io/example/web:%d" id=%s name=/runtime.v1.ImageService/ImageStatus' \
                          % (hdr, t.replace("T", " "), i % 50, hexid(rnd)[:32])
            hdr, t = ts(i)
            i += 1
            yield '%s worker-0 crio[1818]: time="%s" level=info msg="%s" id=%s name=/runtime.v1.RuntimeService/%s%s' \
                % (hdr, t.replace("T", " "), q(m), hexid(rnd)[:32], rpc, extra)


if __name__ == "__main__":
    main()
