#!/usr/bin/env python3
"""Writes the journal file fixtures with systemd's own writer (systemd-journal-remote reading the Journal Export
Format) and their expected `journalctl --file F -o json --all` output.

Usage: make-fixtures.py OUT_DIR JOURNAL_REMOTE_BINARY
       make-fixtures.py --bench N OUT_FILE JOURNAL_REMOTE_BINARY   (a large file for JournalReaderBenchmark, not kept)
(Debian 12: apt-get download systemd-journal-remote libmicrohttpd12; dpkg-deb -x each into ROOT; run with
LD_LIBRARY_PATH=ROOT/usr/lib/x86_64-linux-gnu and ROOT/lib/systemd/systemd-journal-remote; journalctl 252 reads.)

Each file is written under the compression / layout named by systemd's environment switches
(SYSTEMD_JOURNAL_COMPACT, SYSTEMD_JOURNAL_COMPRESS, SYSTEMD_JOURNAL_KEYED_HASH), then cut after its last object and gzip-compressed:
journald grows a file in 8 MiB steps of zeros (header.arena_size counts them), which the fixtures leave out.
"""
import gzip, json, os, struct, subprocess, sys

BOOT = "5a1f0c8e9b2d4e6f8a1b2c3d4e5f6a7b"
MACHINE = "0f3c4a5b6c7d8e9fa0b1c2d3e4f5a6b7"
HOST = "ip-10-0-1-23.ec2.internal"
CTR = "3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e"
SANDBOX = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
PODMAN_CTR = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b"
T0 = 1714557600000000  # 2024-05-01T10:00:00Z in microseconds


def entry(i, unit, ident, comm, pid, message, extra=None, prio="6", transport="stdout"):
    f = [("__REALTIME_TIMESTAMP", str(T0 + i * 1_000_123)), ("__MONOTONIC_TIMESTAMP", str(5_000_000 + i * 1_000_123)),
         ("_BOOT_ID", BOOT), ("_MACHINE_ID", MACHINE), ("_HOSTNAME", HOST), ("PRIORITY", prio),
         ("_TRANSPORT", transport), ("SYSLOG_FACILITY", "3"), ("_UID", "0"), ("_GID", "0"),
         ("_PID", str(pid)), ("_COMM", comm), ("SYSLOG_IDENTIFIER", ident)]
    if unit:
        f.append(("_SYSTEMD_UNIT", unit))
        f.append(("_SYSTEMD_CGROUP", "/system.slice/" + unit))
    f.append(("MESSAGE", message))
    for k, v in (extra or []):
        f.append((k, v))
    return f


def corpus():
    e = []
    i = 0

    def add(*a, **k):
        nonlocal i
        e.append(entry(i, *a, **k))
        i += 1

    add(None, "systemd", "systemd", 1, "Starting docker.service - Docker Application Container Engine...",
        transport="journal")
    add("docker.service", "dockerd", "dockerd", 812,
        'time="2024-05-01T10:00:01.000123000Z" level=info msg="Starting up"')
    add("docker.service", "dockerd", "dockerd", 812,
        'time="2024-05-01T10:00:02.100000000Z" level=info msg="API listen on /run/docker.sock"')
    add("containerd.service", "containerd", "containerd", 640,
        'time="2024-05-01T10:00:03.000000000Z" level=info msg="starting containerd" revision=ae71819 version=1.7.13')
    add("kubelet.service", "kubelet", "kubelet", 901,
        'I0501 10:00:04.000000     901 kubelet.go:2327] "SyncLoop ADD" source="api" pods=["default/web-7d9f"]')
    add("containerd.service", "containerd", "containerd", 640,
        'time="2024-05-01T10:00:05.000000000Z" level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:web-7d9f,'
        'Uid:1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6,Namespace:default,Attempt:0,} returns sandbox id \\"'
        + SANDBOX + '\\""')
    form = ('time="2024-05-01T10:00:06.000000000Z" level=debug msg="form data: {\\"Cmd\\":[\\"/bin/sh\\"],'
            '\\"Env\\":[' + ",".join('\\"VAR%02d=value-%02d\\"' % (n, n) for n in range(40)) + '],'
            '\\"HostConfig\\":{\\"Binds\\":[\\"/:/host\\"],\\"PidMode\\":\\"host\\",\\"Privileged\\":true},'
            '\\"Image\\":\\"alpine:3.19\\"}"')
    add("docker.service", "dockerd", "dockerd", 812, form, prio="7")  # > 512 bytes: stored compressed
    add("docker.service", "dockerd", "dockerd", 812,
        'time="2024-05-01T10:00:06.100000000Z" level=debug msg="Calling POST /v1.45/containers/create?name=escape"',
        prio="7")
    add(None, "sshd", "sshd", 1200, "Accepted publickey for ec2-user from 203.0.113.50 port 51234 ssh2",
        transport="syslog", extra=[("SYSLOG_PID", "1200")])
    add("containerd.service", "containerd", "containerd", 640,
        'time="2024-05-01T10:00:08.000000000Z" level=info msg="TaskExit event in podsandbox handler container_id:'
        '\\"' + CTR + '\\" id:\\"' + CTR + '\\" pid:4242 exit_status:137 exited_at:{seconds:1714557608 nanos:5000}"')
    add("crio.service", "crio", "crio", 700,
        'time="2024-05-01 10:00:09.000000000Z" level=info msg="Ran pod sandbox ' + SANDBOX
        + ' with infra container: default/web-7d9f/POD" id=1d2e3f name=/runtime.v1.RuntimeService/RunPodSandbox')
    add(None, "podman", "podman", 3300,
        "container start " + PODMAN_CTR + " (image=docker.io/library/alpine:3.19, name=miner)",
        transport="journal",
        extra=[("PODMAN_EVENT", "start"), ("PODMAN_TYPE", "container"), ("PODMAN_TIME",
               "2024-05-01T10:00:10.123456789Z"), ("PODMAN_ID", PODMAN_CTR), ("PODMAN_NAME", "miner"),
               ("PODMAN_IMAGE", "docker.io/library/alpine:3.19"), ("CODE_FUNC", "github.com/containers/podman/v4/"
               "libpod/events.(*EventJournalD).Write"), ("_CMDLINE", "podman run -d --name miner alpine:3.19")])
    add("falco-modern-bpf.service", "falco", "falco", 950,
        "10:00:11.123456789: Warning Shell spawned by untrusted binary (user=root user_loginuid=-1 shell=sh "
        "parent=runc cmdline=sh -c id pid=4300 container_id=" + CTR[:12] + " container_name=escape "
        "container_image_repository=alpine container_image_tag=3.19)", prio="4")
    add("falco-modern-bpf.service", "falco", "falco", 950, json.dumps({
        "hostname": HOST, "output": "10:00:12.000000001: Critical Drift detected (chmod) (user=root "
        "container_id=" + CTR[:12] + ")", "priority": "Critical", "rule": "Drop and execute new binary in container",
        "source": "syscall", "tags": ["container", "mitre_persistence"], "time": "2024-05-01T10:00:12.000000001Z",
        "output_fields": {"container.id": CTR[:12], "proc.name": "chmod", "user.name": "root"}}), prio="2")
    # a message journald keeps as binary (a control character): journalctl prints it as an array of bytes
    add("docker.service", "dockerd", "dockerd", 812,
        '\x1b[36mINFO\x1b[0m[2024-05-01T10:00:13.000000000Z] Loading containers: done.')
    add(None, "kernel", "kernel", 0, "overlayfs: upper fs does not support RENAME_WHITEOUT.", transport="kernel",
        prio="4")
    add("docker.service", "dockerd", "dockerd", 812,
        'time="2024-05-01T10:00:15.000000000Z" level=debug msg="Calling POST /v1.45/containers/' + CTR
        + '/start"', prio="7", extra=[("TAG", "first"), ("TAG", "second")])  # one field twice: a JSON array
    add(None, "podman", "podman", 3301, "container died " + PODMAN_CTR + " (image=docker.io/library/alpine:3.19,"
        " name=miner)", transport="journal",
        extra=[("PODMAN_EVENT", "died"), ("PODMAN_TYPE", "container"), ("PODMAN_TIME",
               "2024-05-01T10:00:16.5Z"), ("PODMAN_ID", PODMAN_CTR), ("PODMAN_NAME", "miner"),
               ("PODMAN_IMAGE", "docker.io/library/alpine:3.19"), ("PODMAN_EXIT_CODE", "137")])
    for n in range(6):  # repeated fields: data objects shared between entries
        add("kubelet.service", "kubelet", "kubelet", 901, 'I0501 10:00:%02d.000000     901 prober.go:107] '
            '"Probe succeeded" probeType="Readiness" pod="default/web-7d9f"' % (17 + n))
    return e


def export(entries):
    out = bytearray()
    for fields in entries:
        for k, v in fields:
            b = v.encode("utf-8")
            if any(c < 0x20 and c != 0x0A for c in b) or b"\n" in b:
                out += k.encode() + b"\n" + struct.pack("<Q", len(b)) + b + b"\n"
            else:
                out += k.encode() + b"=" + b + b"\n"
        out += b"\n"
    return bytes(out)


def tail_end(path):
    with open(path, "rb") as f:
        h = f.read(272)
        header_size = struct.unpack_from("<Q", h, 88)[0]
        tail = struct.unpack_from("<Q", h, 136)[0]
        f.seek(tail)
        size = struct.unpack_from("<Q", f.read(16), 8)[0]
    return max(header_size, tail + ((size + 7) & ~7))


def bench(n, out, remote):
    """n entries of a busy node (dockerd, containerd, kubelet, CRI-O, podman), each message its own, compact + ZSTD."""
    import random
    rnd = random.Random(42)
    progs = [("docker.service", "dockerd", "dockerd", 812), ("containerd.service", "containerd", "containerd", 640),
             ("kubelet.service", "kubelet", "kubelet", 901), ("crio.service", "crio", "crio", 700),
             (None, "podman", "podman", 3300)]
    entries = []
    for i in range(n):
        unit, ident, comm, pid = progs[rnd.randrange(len(progs))]
        ctr = "%064x" % rnd.getrandbits(256)
        if ident == "kubelet":
            msg = 'I0501 10:%02d:%02d.%06d     901 prober.go:107] "Probe succeeded" probeType="Readiness" pod="ns-%d/web-%d"' % (
                i // 60 % 60, i % 60, rnd.randrange(10**6), rnd.randrange(50), rnd.randrange(1000))
        else:
            msg = ('time="2024-05-01T10:%02d:%02d.%09dZ" level=info msg="StartContainer for \\"%s\\" returns successfully"'
                   % (i // 60 % 60, i % 60, rnd.randrange(10**9), ctr))
        extra = []
        if ident == "podman":
            extra = [("PODMAN_EVENT", "start"), ("PODMAN_TYPE", "container"), ("PODMAN_ID", ctr),
                     ("PODMAN_NAME", "c%d" % rnd.randrange(100)), ("PODMAN_IMAGE", "docker.io/library/alpine:3.19")]
        e = entry(i, unit, ident, comm, pid, msg, extra + [("_SOURCE_REALTIME_TIMESTAMP", str(T0 + i * 1_000_123 - 17))])
        entries.append(e)
    data = export(entries)
    if os.path.exists(out):
        os.remove(out)
    subprocess.run([remote, "--output=" + out, "--split-mode=none", "-"], input=data, check=True,
                   env=dict(os.environ, SYSTEMD_JOURNAL_COMPACT="1"))


def main():
    if sys.argv[1] == "--bench":
        bench(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return
    out_dir, remote = sys.argv[1], sys.argv[2]
    data = export(corpus())
    # systemd 252 compresses with its build's default (Debian: ZSTD); LZ4 and XZ files come from the tests' writer
    variants = {
        "node-compact-zstd": ({"SYSTEMD_JOURNAL_COMPACT": "1", "SYSTEMD_JOURNAL_KEYED_HASH": "1"}, "yes"),
        "node-regular-zstd": ({"SYSTEMD_JOURNAL_COMPACT": "0", "SYSTEMD_JOURNAL_KEYED_HASH": "0"}, "yes"),
        "node-regular-plain": ({"SYSTEMD_JOURNAL_COMPACT": "0", "SYSTEMD_JOURNAL_KEYED_HASH": "1"}, "no"),
    }
    for name, (env, compress) in variants.items():
        full = os.path.join(out_dir, name + ".full.journal")
        if os.path.exists(full):
            os.remove(full)
        e = dict(os.environ, **env)
        subprocess.run([remote, "--output=" + full, "--split-mode=none", "--compress=" + compress, "-"], input=data, env=e, check=True)
        js = subprocess.run(["journalctl", "--file", full, "-o", "json", "--all"], capture_output=True,
                            check=True).stdout
        with open(os.path.join(out_dir, name + ".expected.jsonl"), "wb") as f:
            f.write(js)
        end = tail_end(full)
        with open(full, "rb") as f:
            cut = f.read(end)
        with gzip.GzipFile(os.path.join(out_dir, name + ".journal.gz"), "wb", mtime=0) as f:
            f.write(cut)  # mostly the zeros of the data hash table journal-remote sizes for a large file
        os.remove(full)
        print(name, len(cut), "bytes,", js.count(b"\n"), "entries")


if __name__ == "__main__":
    main()
