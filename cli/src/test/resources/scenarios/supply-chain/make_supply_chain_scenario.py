#!/usr/bin/env python3
"""Writes the poisoned-tag supply-chain scenario bundle (bundle/ next to this script); README.md tells the story, the
known answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no
name; the snapshotter database has fixed timestamps). Needs Go and Debian's golang-github-coreos-bbolt-dev for
metadata.db. Run: python3 make_supply_chain_scenario.py"""
import base64, calendar, json, os, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-25"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import AuditLog, BundleFiles, CloudTrailLog  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
epoch, ts, tus, tsec, write, jl = _files.epoch, _files.ts, _files.tus, _files.tsec, _files.write, _files.jl

# ------------------------------------------------------------------------------------------------------ entities
ACCT, REGION, CLUSTER = "173205080756", "eu-central-1", "merch-eks"
VPC = "vpc-0b94e1c2d3a4f5061"
NS = "merch"
REPO_NAME = "merch/catalog-api"
REGISTRY = "%s.dkr.ecr.%s.amazonaws.com" % (ACCT, REGION)
REPO = REGISTRY + "/" + REPO_NAME
TAG = "v2.3.1"
D_OLD = "sha256:" + "3a70" * 16   # v2.3.0, the release before
D_GOOD = "sha256:" + "5e11" * 16  # v2.3.1 as CI built and pushed it
D_BAD = "sha256:" + "e4c2" * 16   # v2.3.1 as the attacker pushed it over the tag
CFG_GOOD, CFG_BAD = "sha256:" + "6f21" * 16, "sha256:" + "f5d3" * 16  # image config ids (containerd's image reference)
CART_REPO, D_CART = REGISTRY + "/merch/cart-worker", "sha256:" + "7c2d" * 16  # same node:20 base image
SEARCH_REPO, D_SEARCH = REGISTRY + "/merch/search-indexer", "sha256:" + "a81f" * 16

# nodes: N1 acquired as a disk image; N2, N3 seen only through the control plane, AWS and Tetragon's export
NODES = {
    "n1": ("ip-10-94-21-54.eu-central-1.compute.internal", "10.94.21.54", "i-0f3a9c21d54e7b610", "eni-0a1b94215400c0de1",
           "eu-central-1a", "d1a1e2f3-0a1b-4c2d-8e3f-94215400aa01"),
    "n2": ("ip-10-94-22-17.eu-central-1.compute.internal", "10.94.22.17", "i-07b2e4c6a8d0f1357", "eni-0b2c94221700c0de2",
           "eu-central-1b", "d2a2e3f4-1b2c-4d3e-9f4a-94221700bb02"),
    "n3": ("ip-10-94-23-88.eu-central-1.compute.internal", "10.94.23.88", "i-0c8e6a4f2d0b1395e", "eni-0c3d94238800c0de3",
           "eu-central-1c", "d3a3e4f5-2c3d-4e4f-8a5b-94238800cc03"),
}
NODE_ROLE_NAME = "merch-eks-node-role"
NODE_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, NODE_ROLE_NAME)

# the leaked CI key and the attacker
CI_USER, CI_KEY = "ci-publisher", "AKIASFCIPUBLISH00001"
CI_USER_ARN = "arn:aws:iam::%s:user/%s" % (ACCT, CI_USER)
CI_RUNNER_IP = "192.0.2.233"       # the CI system's egress (its own push)
ATTACKER = "198.51.100.147"        # where the leaked key pushed from
C2 = "203.0.113.201"               # the backdoor's C2, later the stolen session's client too

# the catalog-api Deployment (service account catalog-api, EKS Pod Identity role catalog-api-podid)
SA = "catalog-api"
ROLE_NAME = "catalog-api-podid"
ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, ROLE_NAME)
RS_NEW, RS_OLD = "catalog-api-7d9c6b5f48", "catalog-api-6b8f9d7c55"


def pod(name, uid, node, ip, ctr, sandbox, digest, cfg):
    return {"name": name, "uid": uid, "node": node, "ip": ip, "ctr": ctr, "sandbox": sandbox, "digest": digest, "cfg": cfg}


A = pod(RS_NEW + "-x2k9p", "a0a1b2c3-d4e5-4f60-8a71-b2c3d4e5f6a1", "n1", "10.94.21.140", "c4a1" + "7e" * 30, "5b01" + "a1" * 30,
        D_BAD, CFG_BAD)
B = pod(RS_NEW + "-m7v4t", "b0b1c2d3-e4f5-4a61-9b72-c3d4e5f6a7b2", "n2", "10.94.22.61", "c4b2" + "5d" * 30, "5b02" + "b2" * 30,
        D_BAD, CFG_BAD)
C = pod(RS_NEW + "-q8w3n", "c0c1d2e3-f4a5-4b62-8c73-d4e5f6a7b8c3", "n3", "10.94.23.35", "c4c3" + "19" * 30, "5b03" + "c3" * 30,
        D_GOOD, CFG_GOOD)
CART = pod("cart-worker-5b9d8c7f6-k3z8w", "e0e1f2a3-b4c5-4d66-8e77-f8a9b0c1d2e5", "n1", "10.94.21.77", "ca47" + "2b" * 30,
           "5b05" + "e5" * 30, D_CART, "sha256:" + "8d3e" * 16)
SEARCH = pod("search-indexer-6c5d4b3a2-r9t2z", "f0f1a2b3-c4d5-4e67-9f78-a9b0c1d2e3f6", "n1", A["ip"], "5ea0" + "83" * 30,
             "5b06" + "f6" * 30, D_SEARCH, "sha256:" + "b92a" * 16)
OLD_PODS = [(RS_OLD + "-h4j2k", "n1"), (RS_OLD + "-p9n5r", "n2"), (RS_OLD + "-t3w8v", "n3")]


def session_name(p):
    # EKS Pod Identity names the session eks-<cluster>-<pod>-<uuid>, cut to 64 characters
    return ("eks-%s-%s-%s" % (CLUSTER, p["name"], p["uid"]))[:64]


def session_arn(p):
    return "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, ROLE_NAME, session_name(p))


KEYS = {"A": "ASIASFPODIDA00000001", "B": "ASIASFPODIDB00000002", "C": "ASIASFPODIDC00000003"}
EXPORTS = "merch-customer-exports"

# ----------------------------------------------------------------------------------------------- Kubernetes audit
audit = AuditLog(_files, "5c0a%04x-%04x-4000-8000-%012d", 4120, "kubectl/v1.31.3 (linux/amd64) kubernetes/c83cbee",
                 node_uid=False).event


def node_name(k): return NODES[k][0]
def node_ip(k): return NODES[k][1]
def kubelet_user(k): return ("system:node:" + node_name(k), ["system:nodes", "system:authenticated"])


KUBELET_UA = "kubelet/v1.31.3 (linux/amd64) kubernetes/c83cbee"
KCM = "kube-controller-manager/v1.31.3 (linux/amd64) kubernetes/c83cbee/system:serviceaccount:kube-system:"
CTL_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]
CP_IP = "10.94.0.31"  # the EKS control plane's cross-account ENI


def pod_ref(name, sub=None):
    r = {"resource": "pods", "namespace": NS, "name": name, "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r


def pod_object(p, app, rs, image, created, sa):
    c = {"name": app, "image": image, "imagePullPolicy": "Always", "ports": [{"containerPort": 8080, "protocol": "TCP"}]}
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": p["name"], "generateName": rs + "-", "namespace": NS, "uid": p["uid"], "creationTimestamp": tsec(created),
                         "labels": {"app": app, "pod-template-hash": rs.rsplit("-", 1)[1]},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": "0e0f1a2b-" + p["uid"][9:],
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"serviceAccountName": sa, "containers": [c]}, "status": {"phase": "Pending", "qosClass": "Burstable"}}


def status_patch(p, app, image, started):
    return {"metadata": {"uid": p["uid"]},
            "status": {"conditions": [{"lastTransitionTime": started, "status": "True", "type": "Ready"}],
                       "containerStatuses": [{"containerID": "containerd://" + p["ctr"], "image": image,
                                              "imageID": image.rsplit(":", 1)[0] + "@" + p["digest"],
                                              "lastState": {}, "name": app, "ready": True, "restartCount": 0, "started": True,
                                              "state": {"running": {"startedAt": started}}}],
                       "hostIP": node_ip(p["node"]), "hostIPs": [{"ip": node_ip(p["node"])}], "phase": "Running",
                       "podIP": p["ip"], "podIPs": [{"ip": p["ip"]}], "startTime": started}}


def image_id(repo, digest):
    return repo + "@" + digest


def audit_log():
    ev = []
    for k in ("n1", "n2", "n3"):
        name, ip, inst, _, zone, uid = NODES[k]
        ev.append(audit("07:41:%02d" % (10 + len(ev) * 7), 118000, "create", "/api/v1/nodes", *kubelet_user(k), ip,
                        {"resource": "nodes", "name": name, "apiVersion": "v1"}, code=201, ua=KUBELET_UA,
                        request={"kind": "Node", "apiVersion": "v1", "metadata": {"name": name, "labels": {
                            "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone,
                            "eks.amazonaws.com/nodegroup": "merch-general"}},
                                 "spec": {"providerID": "aws:///%s/%s" % (zone, inst)},
                                 "status": {"addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}]}},
                        response={"kind": "Node", "apiVersion": "v1", "metadata": {"name": name, "uid": uid, "creationTimestamp": tsec("07:41:10")},
                                  "spec": {"providerID": "aws:///%s/%s" % (zone, inst)}}))
    rs_ua = KCM + "replicaset-controller"
    # the bystander Deployment on the imaged node, same node:20 base image, running since 08:05
    ev += pod_start(CART, "cart-worker", "cart-worker-5b9d8c7f6", CART_REPO + ":1.9.4", "08:05:00", "cart-worker")
    # 10:01 Argo CD syncs the release: the Deployment's image becomes the tag v2.3.1 (CI had pushed it at 09:58)
    argocd = ("system:serviceaccount:argocd:argocd-application-controller",
              ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"])
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "catalog-api"}],
                                            "containers": [{"image": REPO + ":" + TAG, "name": "catalog-api"}]}}}}
    ev.append(audit("10:01:00", 208114, "patch", "/apis/apps/v1/namespaces/%s/deployments/catalog-api?fieldManager=argocd-controller" % NS,
                    *argocd, "10.94.23.201", {"resource": "deployments", "namespace": NS, "name": "catalog-api", "apiGroup": "apps",
                                              "apiVersion": "v1"}, request=patch,
                    response={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "catalog-api", "namespace": NS,
                              "uid": "de9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b", "generation": 14},
                              "spec": {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                                       "template": {"spec": {"serviceAccountName": SA, "containers": [{"name": "catalog-api", "image": REPO + ":" + TAG,
                                                                                                        "imagePullPolicy": "Always"}]}}}},
                    ua="argocd-application-controller/v2.13.1 (linux/amd64) argo-cd"))
    ev.append(audit("10:01:00", 611020, "create", "/apis/apps/v1/namespaces/%s/replicasets" % NS,
                    "system:serviceaccount:kube-system:deployment-controller", CTL_GROUPS, CP_IP,
                    {"resource": "replicasets", "namespace": NS, "name": RS_NEW, "apiGroup": "apps", "apiVersion": "v1"}, code=201,
                    ua=KCM + "deployment-controller",
                    request={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": RS_NEW, "namespace": NS},
                             "spec": {"replicas": 1, "template": {"spec": {"serviceAccountName": SA, "containers": [
                                 {"name": "catalog-api", "image": REPO + ":" + TAG}]}}}}))
    # the rolling update: one new pod at a time (maxSurge 1), each old pod deleted once the new one is ready
    for p, created, started, old in ((C, "10:01:01", "10:01:13", OLD_PODS[2]), (A, "10:04:09", "10:04:20", OLD_PODS[0]),
                                     (B, "10:05:39", "10:05:50", OLD_PODS[1])):
        ev += pod_start(p, "catalog-api", RS_NEW, REPO + ":" + TAG, created, SA, started=started)
        t = time.strftime("%H:%M:%S", time.gmtime(epoch(started) + 9))
        ev.append(audit(t, 301220, "delete", "/api/v1/namespaces/%s/pods/%s" % (NS, old[0]), "system:serviceaccount:kube-system:replicaset-controller",
                        CTL_GROUPS, CP_IP, pod_ref(old[0]), ua=rs_ua,
                        request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}))
    # 10:45 the on-call SRE rolls back (kubectl rollout undo: a patch of the Deployment), the poisoned pods go
    sre = ("arn:aws:sts::%s:assumed-role/MerchSRE/maria.okafor" % ACCT, ["system:authenticated"])
    ev.append(audit("10:45:00", 92210, "patch", "/apis/apps/v1/namespaces/%s/deployments/catalog-api?fieldManager=kubectl-rollout" % NS,
                    *sre, "10.94.5.10", {"resource": "deployments", "namespace": NS, "name": "catalog-api", "apiGroup": "apps", "apiVersion": "v1"},
                    request={"spec": {"template": {"spec": {"containers": [{"image": REPO + "@" + D_GOOD, "name": "catalog-api"}]}}}},
                    ua="kubectl/v1.31.3 (linux/amd64) kubernetes/c83cbee",
                    extra={"accessKeyId": ["ASIASFSREONCALL00001"], "arn": ["arn:aws:sts::%s:assumed-role/MerchSRE/maria.okafor" % ACCT],
                           "canonicalArn": ["arn:aws:iam::%s:role/MerchSRE" % ACCT], "principalId": ["AROASFMERCHSRE000001"],
                           "sessionName": ["maria.okafor"]}))
    for p, t in ((A, "10:45:20"), (B, "10:45:40")):
        ev.append(audit(t, 402331, "delete", "/api/v1/namespaces/%s/pods/%s" % (NS, p["name"]), "system:serviceaccount:kube-system:replicaset-controller",
                        CTL_GROUPS, CP_IP, pod_ref(p["name"]), ua=rs_ua,
                        request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}))
    # 10:52 another Deployment's pod lands on N1 and gets the poisoned pod A's former address
    ev += pod_start(SEARCH, "search-indexer", "search-indexer-6c5d4b3a2", SEARCH_REPO + ":4.0.2", "10:52:00", "search-indexer",
                    started="10:52:09")
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev


def pod_start(p, app, rs, image, created, sa, started=None):
    started = started or time.strftime("%H:%M:%S", time.gmtime(epoch(created) + 10))
    rs_ua = KCM + "replicaset-controller"
    obj = pod_object(p, app, rs, image, created, sa)
    out = [audit(created, 120331, "create", "/api/v1/namespaces/%s/pods" % NS, "system:serviceaccount:kube-system:replicaset-controller",
                 CTL_GROUPS, CP_IP, pod_ref(p["name"]), code=201, ua=rs_ua,
                 request={k: v for k, v in obj.items() if k != "status"}, response=obj),
           audit(created, 402991, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (NS, p["name"]), "system:kube-scheduler",
                 ["system:authenticated"], CP_IP, pod_ref(p["name"], "binding"), code=201,
                 ua="kube-scheduler/v1.31.3 (linux/amd64) kubernetes/c83cbee/scheduler",
                 request={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": p["name"], "namespace": NS, "uid": p["uid"]},
                          "target": {"kind": "Node", "name": node_name(p["node"])}})]
    t = time.strftime("%H:%M:%S", time.gmtime(epoch(started) + 1))
    st = status_patch(p, app, image, tsec(started))
    out.append(audit(t, 211804, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, p["name"]), *kubelet_user(p["node"]),
                     node_ip(p["node"]), pod_ref(p["name"], "status"), level="Request", ua=KUBELET_UA, request=st))
    return out


def cwl_export(events):
    """A CloudWatch Logs export task's object (`aws logs create-export-task` of /aws/eks/merch-eks/cluster): each line
    the event's ingestion timestamp in RFC 3339 and the message."""
    out = []
    for e in events:
        t = e["stageTimestamp"]
        out.append(t[:23] + "Z " + json.dumps(e, separators=(",", ":")) + "\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------- kubectl get events
def k8s_events():
    """`kubectl get events -A -o json` at 10:50 (events older than an hour are gone): the rollout's scheduling, pulls,
    starts and kills, as the kubelet, scheduler and deployment controller report them."""
    items = []
    def ev(ns, kind, name, uid, reason, msg, t, typ="Normal", field=None, component="kubelet", host=None, count=1):
        n = len(items) + 1
        io_ = {"apiVersion": "v1" if kind == "Pod" else "apps/v1", "kind": kind, "name": name, "namespace": ns, "uid": uid,
               "resourceVersion": str(71200000 + n)}
        if field: io_["fieldPath"] = field
        src = {"component": component}
        if host: src["host"] = host
        items.append({"apiVersion": "v1", "count": count, "eventTime": None, "firstTimestamp": tsec(t), "involvedObject": io_,
                      "kind": "Event", "lastTimestamp": tsec(t), "message": msg,
                      "metadata": {"creationTimestamp": tsec(t), "name": "%s.%016x" % (name, 0x187b3d5f00000000 + n * 7919),
                                   "namespace": ns, "resourceVersion": str(71210000 + n), "uid": "e5e5%04x-3333-4444-8555-%012d" % (n, n)},
                      "reason": reason, "reportingComponent": component, "reportingInstance": host or "", "source": src, "type": typ})
    dep_uid = "de9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b"
    ev(NS, "Deployment", "catalog-api", dep_uid, "ScalingReplicaSet", "Scaled up replica set %s to 1 from 0" % RS_NEW, "10:01:00",
       component="deployment-controller")
    for p, created, pulled_in, started, old in ((C, "10:01:01", "2.114s", "10:01:13", OLD_PODS[2]),
                                                (A, "10:04:09", "3.402s", "10:04:20", OLD_PODS[0]),
                                                (B, "10:05:39", "3.187s", "10:05:50", OLD_PODS[1])):
        host = node_name(p["node"])
        f = "spec.containers{catalog-api}"
        ev(NS, "Pod", p["name"], p["uid"], "Scheduled", "Successfully assigned %s/%s to %s" % (NS, p["name"], host), created,
           component="default-scheduler")
        t0 = epoch(created)
        hms = lambda d: time.strftime("%H:%M:%S", time.gmtime(t0 + d))
        ev(NS, "Pod", p["name"], p["uid"], "Pulling", "Pulling image \"%s:%s\"" % (REPO, TAG), hms(2), field=f, host=host)
        ev(NS, "Pod", p["name"], p["uid"], "Pulled", "Successfully pulled image \"%s:%s\" in %s (%s including waiting). Image size: %d bytes."
           % (REPO, TAG, pulled_in, pulled_in, 48211730 if p["digest"] == D_GOOD else 49877114), hms(6), field=f, host=host)
        ev(NS, "Pod", p["name"], p["uid"], "Created", "Created container catalog-api", hms(7), field=f, host=host)
        ev(NS, "Pod", p["name"], p["uid"], "Started", "Started container catalog-api", started, field=f, host=host)
        ev(NS, "Pod", old[0], "0d0d%04x-1111-4222-8333-%012d" % (len(items), len(items)), "Killing",
           "Stopping container catalog-api", time.strftime("%H:%M:%S", time.gmtime(epoch(started) + 9)),
           field=f, host=node_name(old[1]))
    ev(NS, "Deployment", "catalog-api", dep_uid, "ScalingReplicaSet", "Scaled down replica set %s to 0 from 1" % RS_OLD, "10:06:00",
       component="deployment-controller")
    ev(NS, "Deployment", "catalog-api", dep_uid, "ScalingReplicaSet", "Scaled up replica set catalog-api-58c7d9e6f1 to 1 from 0", "10:45:00",
       component="deployment-controller")
    for p, t in ((A, "10:45:20"), (B, "10:45:40")):
        ev(NS, "Pod", p["name"], p["uid"], "Killing", "Stopping container catalog-api", t, field="spec.containers{catalog-api}",
           host=node_name(p["node"]))
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# ------------------------------------------------------------------------------------------------------ CloudTrail
def cloudtrail():
    ct = CloudTrailLog(_files, REGION, "1.10", "9e1c%04d-7a2b-4c3d-8e4f-%012d", "a7b3%04d-1c2d-4e3f-9a4b-%012d")
    def rec(t, identity, source, name, ip, ua, req, resp, category="Management", ro=False, extra=None):
        return ct.record(ACCT, t, identity, source, name, ip, ua, req, resp, category, ro, extra)
    ci = {"type": "IAMUser", "principalId": "AIDASFCIPUBLISHER001", "arn": CI_USER_ARN, "accountId": ACCT, "accessKeyId": CI_KEY,
          "userName": CI_USER}
    def node_session(k):
        inst = NODES[k][2]
        return {"type": "AssumedRole", "principalId": "AROASFMERCHNODEROLE1:" + inst,
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, NODE_ROLE_NAME, inst), "accountId": ACCT,
                "accessKeyId": "ASIASFNODE%s0000000%s" % (k.upper(), k[1]),
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROASFMERCHNODEROLE1", "arn": NODE_ROLE,
                                                     "accountId": ACCT, "userName": NODE_ROLE_NAME},
                                   "attributes": {"creationDate": DAY + "T07:40:30Z", "mfaAuthenticated": "false"},
                                   "ec2RoleDelivery": "2.0"}}
    def pod_session(p, key, created):
        return {"type": "AssumedRole", "principalId": "AROASFCATALOGPODID01:" + session_name(p), "arn": session_arn(p),
                "accountId": ACCT, "accessKeyId": key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROASFCATALOGPODID01", "arn": ROLE,
                                                     "accountId": ACCT, "userName": ROLE_NAME},
                                   "attributes": {"creationDate": DAY + "T" + created + "Z", "mfaAuthenticated": "false"}}}
    ecr_req = lambda extra: dict({"repositoryName": REPO_NAME, "registryId": ACCT}, **extra)
    manifest = lambda d: json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                     "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 7311,
                                                "digest": CFG_GOOD if d == D_GOOD else CFG_BAD},
                                     "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 29126484,
                                                 "digest": "sha256:" + "0b5e" * 16}]}, separators=(",", ":"))
    def put_image(t, ip, ua, digest):
        return rec(t, ci, "ecr.amazonaws.com", "PutImage", ip, ua,
                   ecr_req({"imageTag": TAG, "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
                            "imageManifest": manifest(digest)}),
                   {"image": {"registryId": ACCT, "repositoryName": REPO_NAME, "imageId": {"imageDigest": digest, "imageTag": TAG},
                              "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json", "imageManifest": manifest(digest)}},
                   extra={"resources": [{"accountId": ACCT, "ARN": "arn:aws:ecr:%s:%s:repository/%s" % (REGION, ACCT, REPO_NAME)}]})
    gha_cli = "aws-cli/2.22.10 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/GitHub_Actions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecr.get-login-password"
    docker = "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.5.0-1025-azure os/linux arch/amd64 UpstreamClient(Docker-Client/27.3.1 \\(linux\\))"
    atk_cli = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-49-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#"
    crane = "go-containerregistry/v0.20.2"
    ecr_provider = "ecr-credential-provider/v1.31.0 aws-sdk-go-v2/1.32.4 os/linux lang/go#1.22.9 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.36.5"
    containerd_ua = "containerd/1.7.23"
    batch_get = lambda t, k: rec(t, node_session(k), "ecr.amazonaws.com", "BatchGetImage", node_ip(k), containerd_ua,
                                 ecr_req({"imageIds": [{"imageTag": TAG}], "acceptedMediaTypes": [
                                     "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"]}),
                                 None, ro=True)
    get_token = lambda t, k: rec(t, node_session(k), "ecr.amazonaws.com", "GetAuthorizationToken", node_ip(k), ecr_provider,
                                 {"registryIds": [ACCT]}, None, ro=True)
    tags = lambda p: [("eks-cluster-arn", "arn:aws:eks:%s:%s:cluster/%s" % (REGION, ACCT, CLUSTER)), ("eks-cluster-name", CLUSTER),
                      ("kubernetes-namespace", NS), ("kubernetes-service-account", SA), ("kubernetes-pod-name", p["name"]),
                      ("kubernetes-pod-uid", p["uid"])]
    def pod_identity(t, p, key, shared):
        exp = time.strftime("%b %d, %Y, %-I:%M:%S %p", time.gmtime(epoch(t) + 21600))
        return [
            rec(t, node_session(p["node"]), "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity", node_ip(p["node"]),
                "aws-sdk-go-v2/1.32.4 os/linux lang/go#1.22.9 md/GOOS#linux md/GOARCH#amd64 api/eksauth#1.7.8",
                {"clusterName": CLUSTER, "token": "HIDDEN_DUE_TO_SECURITY_REASONS"}, None),
            rec(t, {"type": "AWSService", "invokedBy": "pods.eks.amazonaws.com"}, "sts.amazonaws.com", "AssumeRole",
                "pods.eks.amazonaws.com", "pods.eks.amazonaws.com",
                {"roleArn": ROLE, "roleSessionName": session_name(p), "durationSeconds": 21600,
                 "tags": [{"key": k_, "value": v} for k_, v in tags(p)], "transitiveTagKeys": [k_ for k_, _ in tags(p)]},
                {"credentials": {"accessKeyId": key, "sessionToken": "redacted", "expiration": exp},
                 "assumedRoleUser": {"assumedRoleId": "AROASFCATALOGPODID01:" + session_name(p), "arn": session_arn(p)},
                 "packedPolicySize": 61}, ro=True,
                extra={"sharedEventID": shared, "resources": [{"accountId": ACCT, "type": "AWS::IAM::Role", "ARN": ROLE}]}),
        ]
    s3_get = lambda t, ident, ip, ua, bucket, key, out, extra=None: rec(
        t, ident, "s3.amazonaws.com", "GetObject", ip, ua, {"bucketName": bucket, "Host": "%s.s3.%s.amazonaws.com" % (bucket, REGION), "key": key},
        None, category="Data", ro=True,
        extra=dict({"resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
                                  {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}],
                    "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                                            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "Zx9Q2EXAMPLE=", "bytesTransferredOut": out}},
                   **(extra or {})))
    sA, sC = pod_session(A, KEYS["A"], "10:04:21"), pod_session(C, KEYS["C"], "10:01:14")
    node_js = "aws-sdk-js/3.693.0 ua/2.1 os/linux#6.1.115-126.197.amzn2023.x86_64 lang/js md/nodejs#20.18.1 api/s3#3.693.0"
    backdoor = "Go-http-client/1.1"
    vpce = {"vpcEndpointId": "vpce-0f94a1b2c3d4e5f60"}
    records = [
        get_token("07:42:05", "n1"), get_token("07:42:20", "n2"), get_token("07:42:31", "n3"),
        # 09:58 CI (GitHub Actions) builds v2.3.1 and pushes it with the CI user's key
        rec("09:58:31", ci, "ecr.amazonaws.com", "GetAuthorizationToken", CI_RUNNER_IP, gha_cli, {"registryIds": [ACCT]}, None, ro=True),
        rec("09:58:44", ci, "ecr.amazonaws.com", "CompleteLayerUpload", CI_RUNNER_IP, docker,
            ecr_req({"uploadId": "3b1e6c2a-0f4d-4e5a-9b8c-7d6e5f4a3b21", "layerDigests": ["sha256:" + "0b5e" * 16]}),
            {"registryId": ACCT, "repositoryName": REPO_NAME, "uploadId": "3b1e6c2a-0f4d-4e5a-9b8c-7d6e5f4a3b21",
             "layerDigest": "sha256:" + "0b5e" * 16}),
        put_image("09:58:52", CI_RUNNER_IP, docker, D_GOOD),
        # N3 pulls v2.3.1 for pod C: still CI's image
        batch_get("10:01:04", "n3"),
        *pod_identity("10:01:14", C, KEYS["C"], "5ed0c0de-0000-4000-8000-0000000000c3"),
        s3_get("10:01:40", sC, C["ip"], node_js, "merch-catalog-assets", "catalog/2026-11-25/items.json", 8812034, vpce),
        # 10:02-10:03 the leaked key from outside: looks at the repository, pushes its own image over the tag
        rec("10:02:41", ci, "ecr.amazonaws.com", "GetAuthorizationToken", ATTACKER, atk_cli + "ecr.get-login-password",
            {"registryIds": [ACCT]}, None, ro=True),
        rec("10:02:55", ci, "ecr.amazonaws.com", "DescribeImages", ATTACKER, atk_cli + "ecr.describe-images",
            ecr_req({"imageIds": [{"imageTag": TAG}]}), None, ro=True),
        rec("10:03:22", ci, "ecr.amazonaws.com", "CompleteLayerUpload", ATTACKER, crane,
            ecr_req({"uploadId": "8c2d4e6f-1a3b-4c5d-8e9f-0a1b2c3d4e5f", "layerDigests": ["sha256:" + "d00e" * 16]}),
            {"registryId": ACCT, "repositoryName": REPO_NAME, "uploadId": "8c2d4e6f-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
             "layerDigest": "sha256:" + "d00e" * 16}),
        put_image("10:03:30", ATTACKER, crane, D_BAD),
        # the rollout goes on: N1 and N2 pull v2.3.1, now the attacker's image
        batch_get("10:04:11", "n1"),
        *pod_identity("10:04:26", A, KEYS["A"], "5ed0c0de-0000-4000-8000-0000000000a1"),
        batch_get("10:05:41", "n2"),
        *pod_identity("10:05:56", B, KEYS["B"], "5ed0c0de-0000-4000-8000-0000000000b2"),
        # the backdoor in pod A with the pod's credentials, through the S3 gateway endpoint
        rec("10:06:10", sA, "s3.amazonaws.com", "ListBuckets", A["ip"], backdoor, {"Host": "s3.%s.amazonaws.com" % REGION}, None,
            ro=True, extra=vpce),
        s3_get("10:06:31", sA, A["ip"], backdoor, EXPORTS, "exports/2026-11-24/customers.csv.gz", 31877420, vpce),
        # 10:38 the responder snapshots N1's root volume (the disk image of this bundle)
        rec("10:38:02", {"type": "AssumedRole", "principalId": "AROASFINCIDENTRESP01:lena.fischer",
                         "arn": "arn:aws:sts::%s:assumed-role/IncidentResponder/lena.fischer" % ACCT, "accountId": ACCT,
                         "accessKeyId": "ASIASFRESPONDER00001"}, "ec2.amazonaws.com", "CreateSnapshot", "10.94.5.10",
            atk_cli.replace("2.22.4", "2.22.10") + "ec2.create-snapshot",
            {"volumeId": "vol-0e94215400a1b2c3d", "description": "IR-2026-1125 " + NODES["n1"][2]},
            {"snapshotId": "snap-0a94215400d1e2f3a", "volumeId": "vol-0e94215400a1b2c3d", "status": "pending"}),
        # 11:02 pod A's session, taken by the backdoor, used from the C2 host
        rec("11:02:11", sA, "sts.amazonaws.com", "GetCallerIdentity", C2, atk_cli + "sts.get-caller-identity", None, None, ro=True),
        s3_get("11:03:40", sA, C2, "[" + atk_cli + "s3.cp]", EXPORTS, "exports/2026-11-24/customers.csv.gz", 31877420),
        s3_get("11:04:12", sA, C2, "[" + atk_cli + "s3.cp]", EXPORTS, "exports/2026-11-24/orders.csv.gz", 58211904),
        rec("11:05:02", sA, "secretsmanager.amazonaws.com", "GetSecretValue", C2, atk_cli + "secretsmanager.get-secret-value",
            {"secretId": "merch/payments-gateway"}, None, ro=True),
    ]
    records.sort(key=lambda r: r["eventTime"])
    return json.dumps({"Records": records}, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------- VPC Flow v2
def flows(k, records):
    _, _, inst, eni, _, _ = NODES[k]
    out = ["version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"]
    for src, dst, sp, dp, pk, by, start in records:
        s = int(epoch(start))
        out.append("2 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK\n" % (ACCT, eni, src, dst, sp, dp, pk, by, s, s + 59))
    return "".join(out)


# ----------------------------------------------------------------------------------------------- CRI container logs
def cri(lines):
    return "".join("%s %s %s %s\n" % l for l in lines)


def catalog_log(p, start):
    t0 = epoch(start)
    hms = lambda d: time.strftime("%H:%M:%S", time.gmtime(t0 + d))
    lines = [(ts(hms(0), 512000000), "stdout", "F", '{"level":30,"time":%d,"msg":"catalog-api %s starting","pid":1}' % (int(t0 * 1000), TAG)),
             (ts(hms(1), 20000000), "stdout", "F", '{"level":30,"time":%d,"msg":"listening on :8080"}' % (int(t0 * 1000) + 1000))]
    for i in range(6):
        lines.append((ts(hms(60 + 120 * i), 4000000 * (i + 1)), "stdout", "F",
                      '{"level":30,"time":%d,"req":{"method":"GET","url":"/v1/items?page=%d"},"res":{"statusCode":200},"responseTime":%d}'
                      % (int((t0 + 60 + 120 * i) * 1000), i + 1, 11 + i)))
    return cri(lines)


def other_log(start, msgs):
    t0 = epoch(start)
    return cri([(ts(time.strftime("%H:%M:%S", time.gmtime(t0 + 30 * i)), 7000000 * (i + 1)), "stdout", "F", m) for i, m in enumerate(msgs)])


# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(k, pid, binary, args, start, p=None, app=None, parent=None, uid=0, cwd="/"):
    node = node_name(k).split(".")[0]
    eid = base64.b64encode(("%s:%d:%d" % (node, int(epoch(start[11:19]) * 1e9) % 10**15, pid)).encode()).decode()
    pr = {"exec_id": eid, "pid": pid, "uid": uid, "cwd": cwd, "binary": binary, "arguments": args, "flags": "execve clone",
          "start_time": start, "auid": 4294967295}
    if p:
        repo = {"catalog-api": REPO, "cart-worker": CART_REPO}[app]
        tag = {"catalog-api": TAG, "cart-worker": "1.9.4"}[app]
        rs = {"catalog-api": RS_NEW, "cart-worker": "cart-worker-5b9d8c7f6"}[app]
        pr["pod"] = {"namespace": NS, "name": p["name"],
                     "container": {"id": "containerd://" + p["ctr"], "name": app,
                                   "image": {"id": repo + "@" + p["digest"], "name": repo + ":" + tag},
                                   "start_time": start, "pid": 1, "maybe_exec_probe": False},
                     "pod_labels": {"app": app, "pod-template-hash": rs.rsplit("-", 1)[1]}, "workload": app, "workload_kind": "Deployment"}
        pr["docker"] = p["ctr"][:31]
    if parent is not None:
        pr["parent_exec_id"] = parent["exec_id"]
    pr["tid"] = pid
    return pr


def tev(k, kind, body, t):
    return {kind: body, "node_name": node_name(k), "time": t, "cluster_name": CLUSTER}


def connect(saddr, daddr, sport, dport):
    return [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP", "saddr": saddr, "daddr": daddr,
                          "sport": sport, "dport": dport, "cookie": "18446623491029417984", "state": "TCP_SYN_SENT"}}]


def tetragon(k):
    """Tetragon's JSON export from node k (the fleet's export-stdout shipped to the log store). The poisoned image's
    entrypoint copies its payload to /var/tmp/.k/kube-proxy, starts it, then the app; the payload connects to its C2
    and fetches the pod's credentials from the EKS Pod Identity agent."""
    out = []
    if k == "n3":
        p, start = C, "10:01:13"
        node = tproc(k, 5210, "/usr/local/bin/node", "server.js", ts(start, 300000000), p, "catalog-api", uid=1000, cwd="/app")
        out.append(tev(k, "process_exec", {"process": node}, ts(start, 300400000)))
        out.append(tev(k, "process_kprobe", {"process": node, "function_name": "tcp_connect", "policy_name": "connect-egress",
                                             "args": connect(p["ip"], "10.94.40.12", 50122, 5432), "action": "KPROBE_ACTION_POST"},
                       ts("10:01:15", 0)))
        return jl(out)
    if k == "n1":
        cart = tproc(k, 3120, "/usr/local/bin/node", "worker.js", ts("08:05:10", 100000000), CART, "cart-worker", uid=1000, cwd="/app")
        out.append(tev(k, "process_exec", {"process": cart}, ts("08:05:10", 100400000)))
        out.append(tev(k, "process_kprobe", {"process": cart, "function_name": "tcp_connect", "policy_name": "connect-egress",
                                             "args": connect(CART["ip"], "10.94.40.20", 48810, 6379), "action": "KPROBE_ACTION_POST"},
                       ts("10:10:00", 0)))
    p = A if k == "n1" else B
    start = "10:04:20" if k == "n1" else "10:05:50"
    t0 = epoch(start)
    at = lambda d, ns: ts(time.strftime("%H:%M:%S", time.gmtime(t0 + d)), ns)
    base = 6100 if k == "n1" else 7300
    sh = tproc(k, base, "/bin/sh", "/docker-entrypoint.sh node server.js", at(0, 200000000), p, "catalog-api", uid=1000, cwd="/app")
    cp = tproc(k, base + 6, "/bin/cp", "/usr/lib/node_modules/.kma/kma /var/tmp/.k/kube-proxy", at(0, 240000000), p, "catalog-api",
               parent=sh, uid=1000, cwd="/app")
    bd = tproc(k, base + 9, "/var/tmp/.k/kube-proxy", "--metrics-bind-address=0.0.0.0:10249", at(0, 290000000), p, "catalog-api",
               parent=sh, uid=1000, cwd="/app")
    node = tproc(k, base + 12, "/usr/local/bin/node", "server.js", at(0, 330000000), p, "catalog-api", parent=sh, uid=1000, cwd="/app")
    out += [tev(k, "process_exec", {"process": sh}, at(0, 200400000)),
            tev(k, "process_exec", {"process": cp, "parent": sh}, at(0, 240400000)),
            tev(k, "process_exit", {"process": cp, "parent": sh, "signal": "", "status": 0}, at(0, 251000000)),
            tev(k, "process_exec", {"process": bd, "parent": sh}, at(0, 290400000)),
            tev(k, "process_exec", {"process": node, "parent": sh}, at(0, 330400000)),
            tev(k, "process_kprobe", {"process": bd, "parent": sh, "function_name": "tcp_connect", "policy_name": "connect-egress",
                                      "args": connect(p["ip"], C2, 41822 if k == "n1" else 39514, 443), "action": "KPROBE_ACTION_POST"},
                at(5, 110000000)),
            tev(k, "process_kprobe", {"process": bd, "parent": sh, "function_name": "tcp_connect", "policy_name": "connect-egress",
                                      "args": connect(p["ip"], "169.254.170.23", 41830 if k == "n1" else 39520, 80),
                                      "action": "KPROBE_ACTION_POST"}, at(6, 20000000))]
    out.sort(key=lambda e: e["time"])
    return jl(out)


# --------------------------------------------------------------------- the imaged node's syslog (AL2: /var/log/messages)
def messages():
    """N1's /var/log/messages (Amazon Linux 2: rsyslog writes containerd's and the kubelet's journal lines there), up to
    the snapshot at 10:38: containerd 1.7's CRI lines (sandbox, pull with its repo digest, create, start) and the
    kubelet's sync loop."""
    host = node_name("n1").split(".")[0]
    lines = []
    def ctd(t, ns, msg, level="info", tail=""):
        lines.append((t, ns, "%s %s containerd[2871]: time=\"%s\" level=%s msg=\"%s\"%s" % (
            time.strftime("%b %d %H:%M:%S", time.gmtime(epoch(t))), host, ts(t, ns), level, msg.replace('"', '\\"'), tail)))
    def klt(t, us, src, msg):
        lines.append((t, us * 1000, "%s %s kubelet: I1125 %s.%06d    3412 %s] %s" % (
            time.strftime("%b %d %H:%M:%S", time.gmtime(epoch(t))), host, t, us, src, msg)))
    for p, app, repo, tag, created in ((CART, "cart-worker", CART_REPO, "1.9.4", "08:05:01"), (A, "catalog-api", REPO, TAG, "10:04:10")):
        t0 = epoch(created)
        hms = lambda d: time.strftime("%H:%M:%S", time.gmtime(t0 + d))
        klt(hms(0), 118220, "kubelet.go:2407", "\"SyncLoop ADD\" source=\"api\" pods=[\"%s/%s\"]" % (NS, p["name"]))
        meta = "&PodSandboxMetadata{Name:%s,Uid:%s,Namespace:%s,Attempt:0,}" % (p["name"], p["uid"], NS)
        ctd(hms(0), 300000000, "RunPodSandbox for " + meta)
        ctd(hms(1), 100000000, "RunPodSandbox for %s returns sandbox id \"%s\"" % (meta, p["sandbox"]))
        ctd(hms(1), 200000000, "PullImage \"%s:%s\"" % (repo, tag))
        ctd(hms(4), 500000000, "ImageCreate event name:\"%s@%s\" labels:{key:\"io.cri-containerd.image\" value:\"managed\"}" % (repo, p["digest"]))
        ctd(hms(4), 600000000, "Pulled image \"%s:%s\" with image id \"%s\", repo tag \"%s:%s\", repo digest \"%s@%s\", size \"%d\" in 3.401822s"
            % (repo, tag, p["cfg"], repo, tag, repo, p["digest"], 49877114))
        ctd(hms(4), 700000000, "PullImage \"%s:%s\" returns image reference \"%s\"" % (repo, tag, p["cfg"]))
        ctd(hms(5), 0, "CreateContainer within sandbox \"%s\" for container &ContainerMetadata{Name:%s,Attempt:0,}" % (p["sandbox"], app))
        ctd(hms(5), 300000000, "CreateContainer within sandbox \"%s\" for &ContainerMetadata{Name:%s,Attempt:0,} returns container id \"%s\""
            % (p["sandbox"], app, p["ctr"]))
        ctd(hms(5), 400000000, "StartContainer for \"%s\"" % p["ctr"])
        ctd(hms(10), 100000000, "StartContainer for \"%s\" returns successfully" % p["ctr"])
        klt(hms(11), 402210, "kubelet.go:2450", "\"SyncLoop (PLEG): event for pod\" pod=\"%s/%s\" event={\"ID\":\"%s\",\"Type\":\"ContainerStarted\",\"Data\":\"%s\"}"
            % (NS, p["name"], p["uid"], p["ctr"]))
    # the old catalog-api pod on N1 is stopped once A is ready
    klt("10:04:29", 902114, "kubelet.go:2423", "\"SyncLoop DELETE\" source=\"api\" pods=[\"%s/%s\"]" % (NS, OLD_PODS[0][0]))
    lines.sort(key=lambda l: (l[0], l[1]))
    return "".join(l[2] + "\n" for l in lines)


# ------------------------------------------------------------------------------------------------ SBOM and scans
def spdx(digest, cfg, extra):
    name = REPO + ":" + TAG
    root = "SPDXRef-DocumentRoot-Image-" + REPO.replace("/", "-")
    pkgs = [("openssl", "3.0.15-1~deb12u1", "deb", "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12", "a001"),
            ("nodejs", "20.18.1", "binary", "pkg:generic/node@20.18.1", "a002"),
            ("express", "4.21.1", "npm", "pkg:npm/express@4.21.1", "a003")]
    if extra:
        pkgs.append(("kube-metrics-agent", "0.4.2", "npm", "pkg:npm/kube-metrics-agent@0.4.2", "a0ff"))
    packages = []
    for n, v, typ, purl, sid in pkgs:
        packages.append({"name": n, "SPDXID": "SPDXRef-Package-%s-%s-%s" % (typ, n, sid), "versionInfo": v, "supplier": "NOASSERTION",
                         "downloadLocation": "NOASSERTION", "filesAnalyzed": False, "licenseConcluded": "NOASSERTION",
                         "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
                         "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]})
    packages.append({"name": REPO, "SPDXID": root, "versionInfo": digest, "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
                     "checksums": [{"algorithm": "SHA256", "checksumValue": digest[7:]}], "licenseConcluded": "NOASSERTION",
                     "licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION",
                     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                       "referenceLocator": "pkg:oci/catalog-api@%s?arch=amd64&repository_url=%s&tag=%s"
                                       % (digest.replace(":", "%3A"), REPO.replace("/", "%2F"), TAG)}],
                     "primaryPackagePurpose": "CONTAINER"})
    rels = [{"spdxElementId": root, "relatedSpdxElement": p["SPDXID"], "relationshipType": "CONTAINS"} for p in packages[:-1]]
    rels.append({"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": root, "relationshipType": "DESCRIBES"})
    return json.dumps({"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": name + "@" + digest,
                       "documentNamespace": "https://anchore.com/syft/image/%s-%s" % (REPO_NAME.replace("/", "-"), digest[7:19]),
                       "creationInfo": {"licenseListVersion": "3.25", "creators": ["Organization: Anchore, Inc", "Tool: syft-1.18.1"],
                                        "created": DAY + "T11:20:00Z"},
                       "packages": packages, "relationships": rels}, indent=1) + "\n"


def grype(digest, cfg):
    m = {"vulnerability": {"id": "CVE-2024-13176", "dataSource": "https://security-tracker.debian.org/tracker/CVE-2024-13176",
                           "namespace": "debian:distro:debian:12", "severity": "Medium", "urls": [], "cvss": [],
                           "fix": {"versions": [], "state": "not-fixed"}, "advisories": []},
         "relatedVulnerabilities": [], "matchDetails": [{"type": "exact-direct-match", "matcher": "dpkg-matcher",
                                                         "searchedBy": {"distro": {"type": "debian", "version": "12"}}, "found": {}}],
         "artifact": {"id": "9f1e2d", "name": "openssl", "version": "3.0.15-1~deb12u1", "type": "deb",
                      "locations": [{"path": "/var/lib/dpkg/status", "layerID": "sha256:" + "0b5e" * 16}], "language": "",
                      "licenses": [], "cpes": [], "purl": "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12",
                      "upstreams": []}}
    return json.dumps({"matches": [m], "source": {"type": "image", "target": {
        "userInput": REPO + "@" + digest, "imageID": cfg, "manifestDigest": digest, "tags": [], "repoDigests": [REPO + "@" + digest]}},
        "distro": {"name": "debian", "version": "12", "idLike": []},
        "descriptor": {"name": "grype", "version": "0.84.0", "timestamp": DAY + "T11:21:30.000000000Z"}}, indent=1) + "\n"


# ------------------------------------------------------------------------------------- containerd snapshotter (bbolt)
def snapshotter_db(path):
    layer = lambda n: "k8s.io/%d/sha256:%s" % (n, ("%02x" % (n + 120)) * 32)
    specs = [layer(9) + "|9|3", layer(10) + "|10|3", layer(11) + "|11|3|" + layer(10),
             layer(12) + "|12|3|" + layer(11),                      # catalog-api v2.3.0 (the old pod's; image kept)
             layer(13) + "|13|3|" + layer(11),                      # cart-worker's app layer on the same node:20 base
             layer(14) + "|14|3|" + layer(11),                      # the poisoned v2.3.1's app layer (payload inside)
             layer(15) + "|15|3|" + layer(14),                      # the poisoned entrypoint
             "k8s.io/20/%s|20|2|%s" % (CART["sandbox"], layer(9)), "k8s.io/21/%s|21|2|%s" % (CART["ctr"], layer(13)),
             "k8s.io/22/%s|22|2|%s" % (A["sandbox"], layer(9)), "k8s.io/23/%s|23|2|%s" % (A["ctr"], layer(15))]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tool = os.path.join(HERE, "../../../../../../ingest/src/test/resources/fixtures/containerd-snapshotter/make_metadata_db.go")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE="/tmp/strata-gocache")
    subprocess.run(["go", "run", os.path.normpath(tool), path] + specs, check=True, env=env)
    os.chmod(path, 0o644)


# ------------------------------------------------------------------------------------------------------------ main
def main():
    global OUT
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    # the responder's exports (with their context manifest) in evidence/; node ip-10-94-21-54's root volume, mounted
    # read-only from its EBS snapshot, in node-disk/ip-10-94-21-54/ (collected as its own root, as `strata collect
    # /mnt/ip-10-94-21-54 --host ... --instance ...` does: its /var/log/containers links are absolute in that root)
    n1 = "node-disk/ip-10-94-21-54/"
    root = OUT
    _files.out = os.path.join(OUT, "evidence")
    write("strata-context.yaml", "\n".join([
        "# what the responder collected, and where from: the control plane's and the account's exports, the fleet's",
        "# Tetragon export, and node ip-10-94-21-54's root volume (EBS snapshot snap-0a94215400d1e2f3a, mounted read-only)",
        "- path: \"\"", "  cluster: %s" % CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION,
        "- path: tetragon/ip-10-94-21-54", "  host: %s" % node_name("n1"),
        "- path: tetragon/ip-10-94-22-17", "  host: %s" % node_name("n2"),
        "- path: tetragon/ip-10-94-23-88", "  host: %s" % node_name("n3"), ""]))
    write("control-plane/cwl-export/4f1a2b3c-5d6e-4f70-8192-a3b4c5d6e7f8/kube-apiserver-audit-7e1c94a0b2d3f4e5a6b7c8d9e0f1a2b3/000000.gz",
          cwl_export(audit_log()), gz=True)
    write("control-plane/kubectl/get-events-A.json", json.dumps(k8s_events(), indent=4) + "\n")
    for k, short in (("n1", "ip-10-94-21-54"), ("n2", "ip-10-94-22-17"), ("n3", "ip-10-94-23-88")):
        write("tetragon/%s/tetragon.log" % short, tetragon(k))
    write("AWSLogs/%s/CloudTrail/%s/2026/11/25/%s_CloudTrail_%s_20261125T1110Z_Hq3vX8nPz2LrT6wK.json.gz" % (ACCT, REGION, ACCT, REGION),
          cloudtrail(), gz=True)
    write("AWSLogs/%s/vpcflowlogs/%s/2026/11/25/%s_vpcflowlogs_%s_fl-0d94a1b2c3e4f5061_20261125T1100Z_7e3a1c2b.log.gz" % (ACCT, REGION, ACCT, REGION),
          flows("n1", [(A["ip"], C2, 41822, 443, 22, 5120, "10:04:25"), (A["ip"], C2, 41822, 443, 41, 18211, "10:20:25"),
                       (CART["ip"], "10.94.40.20", 48810, 6379, 120, 40112, "10:10:00"),
                       (SEARCH["ip"], "10.94.40.12", 52210, 9200, 310, 1821104, "10:55:00")])
          + flows("n2", [(B["ip"], C2, 39514, 443, 19, 4410, "10:05:55")]).split("\n", 1)[1], gz=True)
    write("scans/spdx/catalog-api-%s.spdx.json" % D_GOOD[7:19], spdx(D_GOOD, CFG_GOOD, False))
    write("scans/spdx/catalog-api-%s.spdx.json" % D_BAD[7:19], spdx(D_BAD, CFG_BAD, True))
    write("scans/grype/catalog-api-%s.grype.json" % D_GOOD[7:19], grype(D_GOOD, CFG_GOOD))
    write("scans/grype/catalog-api-%s.grype.json" % D_BAD[7:19], grype(D_BAD, CFG_BAD))
    # ---- the imaged node's root
    _files.out = root
    write(n1 + "etc/kubernetes/kubelet/kubelet-config.json", json.dumps({
        "kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1", "address": "0.0.0.0",
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"cacheTTL": "2m0s", "enabled": True},
                           "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
        "authorization": {"mode": "Webhook"}, "clusterDomain": "cluster.local", "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
        "clusterDNS": ["172.20.0.10"], "cgroupDriver": "systemd", "containerLogMaxSize": "10Mi", "containerLogMaxFiles": 5}, indent=2) + "\n")
    write(n1 + "var/log/messages", messages())
    for p, app, start, body in ((A, "catalog-api", "10:04:20", None), (CART, "cart-worker", "08:05:10",
                                ["cart-worker 1.9.4 up", "redis connected 10.94.40.20:6379", "processed 120 carts", "processed 131 carts"])):
        d = "var/log/pods/%s_%s_%s/%s/" % (NS, p["name"], p["uid"], app)
        write(n1 + d + "0.log", catalog_log(p, start) if body is None else other_log(start, body))
        link = os.path.join(root, n1 + "var/log/containers/%s_%s_%s-%s.log" % (p["name"], NS, app, p["ctr"]))
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink("/" + d + "0.log", link)
    snap = n1 + "var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/"
    snapshotter_db(os.path.join(root, snap + "metadata.db"))
    write(snap + "snapshots/11/fs/usr/local/bin/node", "\x7fELF node 20.18.1 (image layer)\n")
    write(snap + "snapshots/14/fs/app/server.js", "// catalog-api v2.3.1 (image layer)\n")
    write(snap + "snapshots/14/fs/usr/lib/node_modules/.kma/kma", "\x7fELF kube-metrics-agent 0.4.2 (the payload, image layer)\n")
    write(snap + "snapshots/15/fs/docker-entrypoint.sh", "#!/bin/sh\ncp /usr/lib/node_modules/.kma/kma /var/tmp/.k/kube-proxy\n"
          "/var/tmp/.k/kube-proxy --metrics-bind-address=0.0.0.0:10249 &\nexec \"$@\"\n")
    write(snap + "snapshots/23/fs/var/tmp/.k/kube-proxy", "\x7fELF kube-metrics-agent 0.4.2 (the payload, image layer)\n")
    os.chmod(os.path.join(root, snap + "snapshots/23/fs/var/tmp/.k/kube-proxy"), 0o755)
    write(snap + "snapshots/23/fs/tmp/.kma.pid", "6109\n")
    write(snap + "snapshots/21/fs/tmp/cart-cache/session.db", "SQLite format 3 (cart-worker's cache)\n")


if __name__ == "__main__":
    main()
