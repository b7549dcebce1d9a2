#!/usr/bin/env python3
"""Writes the Firehose / VPC CNI scenario bundle (bundle/ next to this script); README.md tells the story, the known
answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no name).
Run: python3 make_firehose_scenario.py"""
import gzip, io, json, os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-24"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import BundleFiles  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
ts, tus, tsec, write, jl, epoch = _files.ts, _files.tus, _files.tsec, _files.write, _files.jl, _files.epoch

# ------------------------------------------------------------------------------------------------------ entities
# account A: the payments team's EKS cluster (EKS 1.31, the AWS VPC CNI: pod addresses are secondary addresses of the
# node's ENIs), audit logs and VPC Flow Logs in CloudWatch Logs, shipped by subscription filters to Firehose -> S3
ACCT, REGION, CLUSTER = "577215664901", "us-west-2", "payments-eks"
VPC = "vpc-0e93a1b2c3d4e5f60"
NODE = "ip-10-93-12-40.us-west-2.compute.internal"
NODE_IP, INSTANCE, ENI = "10.93.12.40", "i-0f1e2d3c4b5a69788", "eni-0a93c1e5f7b9d2046"
NODE_ROLE_NAME = "payments-eks-node"
NODE_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, NODE_ROLE_NAME)
ATTACKER = "198.51.100.203"      # exploits the renderer, uses the stolen session, creates the IAM user
ATTACKER2 = "192.0.2.147"        # uses the new user's access key later
DB_IP = "10.93.40.9"              # the payments database (RDS)
STS_VPCE_IP = "10.93.1.20"        # the STS interface endpoint's address in the VPC
# the exposed invoice renderer (RCE in its HTML-to-PDF template handling), IRSA service account
NS, SA = "storefront", "invoice-render"
APP = "invoice-render-7c9d5b8f6-q2w4e"
APP_UID = "8a7c5e3f-1d2b-4c6e-9a8b-7c6d5e4f3a21"
APP_IP = "10.93.12.77"
APP_SANDBOX = "5e1d" + "a7" * 30
IRSA_ROLE_NAME = "invoice-render-irsa"
IRSA_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, IRSA_ROLE_NAME)
SESSION_NAME = "botocore-session-1795511525"
SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, IRSA_ROLE_NAME, SESSION_NAME)
SESSION_KEY = "ASIAYINVOICE00000077"
OIDC = "arn:aws:iam::%s:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/C0FFEE93A1B2C3D4E5F60718293A4B5C" % ACCT
NEW_USER = "svc-backup-sync"
NEW_USER_ARN = "arn:aws:iam::%s:user/%s" % (ACCT, NEW_USER)
NEW_KEY = "AKIAYBACKUPSYNC00042"
# the replacement pod the ReplicaSet starts after the attacker deletes the renderer (a new address)
APP2 = "invoice-render-7c9d5b8f6-z8x6c"
APP2_UID = "9b8d6f4a-2e3c-4d7f-8b9c-8d7e6f5a4b32"
APP2_IP = "10.93.12.91"
APP2_SANDBOX = "5e1e" + "b8" * 30
# bystander: the ledger team's CronJob pod on the same node, given the renderer's address four minutes after it
LEDGER_NS = "ledger"
RECON = "reconcile-28911540-k4m2p"
RECON_UID = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
RECON_SANDBOX = "5e1f" + "c9" * 30
RECON_IP = APP_IP
# account B: the data team's cluster, another account, the same VPC range (10.93.0.0/16): its ETL pod has 10.93.12.77
# all day on its own node
ACCT_B, CLUSTER_B = "141421356237", "batch-eks"
NODE_B = "ip-10-93-12-5.us-west-2.compute.internal"
INSTANCE_B, ENI_B = "i-0b5a69788f1e2d3c4", "eni-0b93d2e4f6a8c1357"
ETL_NS, ETL = "jobs", "etl-loader-6f7d8c9b5-h3j5k"
ETL_UID = "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a"
ETL_SANDBOX = "e71b" + "d0" * 30

# ---------------------------------------------------------------------------- Kubernetes audit (EKS, Metadata)
_audit_n = [0]
def audit(t, us, verb, uri, user, groups, source_ip, obj_ref, code=200, ua="kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
          extra=None):
    """An audit.k8s.io/v1 Event as EKS writes it to CloudWatch Logs, at level Metadata for pods (the payments
    team's audit policy keeps request bodies out): a pod's create, delete names no address, no node."""
    _audit_n[0] += 1
    u = {"username": user, "groups": groups}
    if extra:
        u["extra"] = extra
    return {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "auditID": "9d3b7f15-%04x-4%03x-9b00-%012d" % (_audit_n[0], _audit_n[0], _audit_n[0]), "stage": "ResponseComplete",
            "requestURI": uri, "verb": verb, "user": u, "sourceIPs": [source_ip], "userAgent": ua, "objectRef": obj_ref,
            "responseStatus": {"metadata": {}, "code": code},
            "requestReceivedTimestamp": tus(t, us), "stageTimestamp": tus(t, us + 5130),
            "annotations": {"authorization.k8s.io/decision": "allow",
                            "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \"invoice-render-pods/storefront\" of Role \"pod-restarter\" to ServiceAccount \"invoice-render/storefront\""
                            if user.startswith("system:serviceaccount:storefront") else ""}}

def pod_ref(name, ns, sub=None):
    r = {"resource": "pods", "namespace": ns, "apiVersion": "v1"}
    if name:
        r["name"] = name
    if sub:
        r["subresource"] = sub
    return r

def audit_log():
    sa_user = "system:serviceaccount:%s:%s" % (NS, SA)
    sa_groups = ["system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated"]
    token = {"authentication.kubernetes.io/credential-id": ["JTI=3e5a7c9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d"],
             "authentication.kubernetes.io/node-name": [NODE],
             "authentication.kubernetes.io/node-uid": ["4c2a8e6f-0b1d-4e3f-a5c7-9e1b3d5f7a90"],
             "authentication.kubernetes.io/pod-name": [APP], "authentication.kubernetes.io/pod-uid": [APP_UID]}
    rs = ("system:serviceaccount:kube-system:replicaset-controller",
          ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
    job = ("system:serviceaccount:kube-system:job-controller",
           ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
    kcm = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:"
    return [
        audit("08:55:10", 120311, "create", "/api/v1/namespaces/%s/pods" % NS, rs[0], rs[1], "10.93.0.12",
              pod_ref(APP, NS), code=201, ua=kcm + "replicaset-controller"),
        # the attacker, in the renderer through its RCE, with the pod's own token: what may I do, which pods are here
        audit("09:11:02", 408812, "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", sa_user, sa_groups,
              APP_IP, {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "apiVersion": "v1"},
              code=201, ua="curl/8.5.0", extra=token),
        audit("09:11:20", 90310, "list", "/api/v1/namespaces/%s/pods" % NS, sa_user, sa_groups, APP_IP, pod_ref(None, NS),
              ua="curl/8.5.0", extra=token),
        # ... and the pod deletes itself (the Role lets the renderer restart its workers): its log directory, its
        # container and its address go with it
        audit("09:31:38", 770104, "delete", "/api/v1/namespaces/%s/pods/%s" % (NS, APP), sa_user, sa_groups, APP_IP,
              pod_ref(APP, NS), ua="curl/8.5.0", extra=token),
        audit("09:31:39", 12077, "create", "/api/v1/namespaces/%s/pods" % NS, rs[0], rs[1], "10.93.0.12",
              pod_ref(APP2, NS), code=201, ua=kcm + "replicaset-controller"),
        audit("09:36:00", 301550, "create", "/api/v1/namespaces/%s/pods" % LEDGER_NS, job[0], job[1], "10.93.0.12",
              pod_ref(RECON, LEDGER_NS), code=201, ua=kcm + "job-controller"),
    ]

# --------------------------------------------------------------- CloudWatch Logs subscription -> Firehose -> S3
def cwl_data(group, stream, events, filter_name):
    """A DATA_MESSAGE as CloudWatch Logs hands it to a subscription destination (before Firehose)."""
    return {"messageType": "DATA_MESSAGE", "owner": ACCT, "logGroup": group, "logStream": stream,
            "subscriptionFilters": [filter_name],
            "logEvents": [{"id": "%056d" % (int(epoch(t)) * 1000 + i), "timestamp": int(epoch(t)) * 1000 + ms, "message": m}
                          for i, (t, ms, m) in enumerate(events)]}

def cwl_control():
    """The CONTROL_MESSAGE CloudWatch Logs sends when the subscription is created (checks the destination)."""
    return {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": int(epoch("08:50:00")) * 1000,
                                                      "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}

def firehose_object(records):
    """What Firehose writes to S3 with compression off: its records back to back. Each record is CloudWatch Logs'
    gzip of one subscription message, so the object is a multi-member gzip (no newline between the JSON objects) and
    carries no .gz suffix."""
    out = b""
    for r in records:
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
            g.write(json.dumps(r, separators=(",", ":")).encode())
        out += buf.getvalue()
    return out

def audit_firehose():
    group, stream = "/aws/eks/%s/cluster" % CLUSTER, "kube-apiserver-audit-1f3e5d7c9b0a2468ace0135792468ace"
    events = [(e["requestReceivedTimestamp"][11:19], 0, json.dumps(e, separators=(",", ":"))) for e in audit_log()]
    return firehose_object([cwl_control(), cwl_data(group, stream, events[:3], "eks-audit-to-firehose"),
                            cwl_data(group, stream, events[3:], "eks-audit-to-firehose")])

FLOW_FIELDS = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
def flow(acct, eni, src, dst, sp, dp, pk, by, start):
    s = int(epoch(start))
    return "2 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK" % (acct, eni, src, dst, sp, dp, pk, by, s, s + 59)

def flows_a():
    """Account A's flow log on the node's ENI (default format, version 2), in CloudWatch Logs: no header."""
    return [
        # the RCE: the attacker reaches the renderer (an NLB in IP mode keeps the client's address)
        (ATTACKER, APP_IP, 51514, 8080, 14, 4120, "09:10:03"),
        # the pod's AssumeRoleWithWebIdentity through the STS interface endpoint
        (APP_IP, STS_VPCE_IP, 44120, 443, 12, 5210, "09:12:04"),
        # the attacker, from the renderer, reaches the payments database
        (APP_IP, DB_IP, 39882, 5432, 30, 6605, "09:13:10"),
        # the replacement pod's health checks; the bystander (the address reused) reaches the same database
        ("10.93.0.55", APP2_IP, 40210, 8080, 6, 480, "09:33:00"),
        (RECON_IP, DB_IP, 41234, 5432, 96, 20480, "09:45:00"),
        (RECON_IP, DB_IP, 41236, 5432, 40, 8812, "09:50:02"),
    ]

def flow_firehose():
    group, stream = "/vpc/flowlogs/payments", ENI + "-all"
    lines = [(start, 0, flow(ACCT, ENI, *r[:-1], start)) for r in flows_a() for start in [r[-1]]]
    return firehose_object([cwl_control(), cwl_data(group, stream, lines[:3], "flowlogs-to-firehose"),
                            cwl_data(group, stream, lines[3:], "flowlogs-to-firehose")])

def flows_b():
    """Account B's flow log, delivered to S3 as usual (header line, gzip): its ETL pod on the same address, the same
    database address in its own VPC, while the attacker is in account A's pod."""
    r = [(ETL_IP, "10.93.40.9", 48002, 5432, 50, 12000, "09:13:30"), (ETL_IP, "10.93.40.9", 48010, 5432, 52, 12100, "09:45:30")]
    return FLOW_FIELDS + "\n" + "".join(flow(ACCT_B, ENI_B, *x[:-1], x[-1]) + "\n" for x in r)
ETL_IP = APP_IP

# ------------------------------------------------------------------------------------------------------ CloudTrail
def cloudtrail():
    n = [0]
    def rec(t, source, name, ip, ua, req, resp, identity, category="Management", ro=True, extra=None):
        n[0] += 1
        r = {"eventVersion": "1.10", "userIdentity": identity, "eventTime": DAY + "T" + t + "Z", "eventSource": source,
             "eventName": name, "awsRegion": REGION if source != "iam.amazonaws.com" else "us-east-1",
             "sourceIPAddress": ip, "userAgent": ua, "requestParameters": req, "responseElements": resp,
             "requestID": "7f3e%04d-4b2a-4c1d-9e8f-%012d" % (n[0], n[0]), "eventID": "a1c3%04d-6e5f-4d7c-8b9a-%012d" % (n[0], n[0]),
             "readOnly": ro, "eventType": "AwsApiCall", "managementEvent": category == "Management",
             "recipientAccountId": ACCT, "eventCategory": category}
        if extra:
            r.update(extra)
        return r
    web_identity = {"type": "WebIdentityUser", "principalId": OIDC + ":sts.amazonaws.com:system:serviceaccount:%s:%s" % (NS, SA),
                    "userName": "system:serviceaccount:%s:%s" % (NS, SA), "identityProvider": OIDC}
    session = {"type": "AssumedRole", "principalId": "AROAYINVOICERENDER01:" + SESSION_NAME, "arn": SESSION, "accountId": ACCT,
               "accessKeyId": SESSION_KEY,
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAYINVOICERENDER01", "arn": IRSA_ROLE,
                                                    "accountId": ACCT, "userName": IRSA_ROLE_NAME},
                                  "webIdFederationData": {"federatedProvider": OIDC, "attributes": {}},
                                  "attributes": {"creationDate": DAY + "T09:12:05Z", "mfaAuthenticated": "false"}}}
    user = {"type": "IAMUser", "principalId": "AIDAYBACKUPSYNC0001X", "arn": NEW_USER_ARN, "accountId": ACCT,
            "accessKeyId": NEW_KEY, "userName": NEW_USER}
    node = {"type": "AssumedRole", "principalId": "AROAYPAYMENTSNODE001:" + INSTANCE,
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, NODE_ROLE_NAME, INSTANCE), "accountId": ACCT,
            "accessKeyId": "ASIAYPAYMENTSNODE040",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAYPAYMENTSNODE001", "arn": NODE_ROLE,
                                                 "accountId": ACCT, "userName": NODE_ROLE_NAME},
                               "attributes": {"creationDate": DAY + "T06:02:10Z", "mfaAuthenticated": "false"},
                               "ec2RoleDelivery": "2.0"}}
    cli = "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.11.2-amd64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#"
    boto = "Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.60"
    s3res = lambda b, k: {"resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (b, k)},
                                        {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + b}]}
    records = [
        # the node's own role (the kubelet's image credential provider), from its address: a bystander of the account
        rec("08:55:11", "ecr.amazonaws.com", "GetAuthorizationToken", NODE_IP,
            "ecr-credential-provider/v1.31.0 aws-sdk-go-v2/1.32.2 os/linux lang/go#1.22.8", {"registryIds": [ACCT]}, None, node),
        # IRSA: the renderer's SDK exchanges the pod's projected token, from the pod's address (the STS endpoint)
        rec("09:12:05", "sts.amazonaws.com", "AssumeRoleWithWebIdentity", APP_IP, boto,
            {"roleArn": IRSA_ROLE, "roleSessionName": SESSION_NAME, "durationSeconds": 3600},
            {"credentials": {"accessKeyId": SESSION_KEY, "sessionToken": "redacted", "expiration": "Nov 24, 2026, 10:12:05 AM"},
             "subjectFromWebIdentityToken": "system:serviceaccount:%s:%s" % (NS, SA),
             "assumedRoleUser": {"assumedRoleId": "AROAYINVOICERENDER01:" + SESSION_NAME, "arn": SESSION},
             "provider": OIDC, "audience": "sts.amazonaws.com"}, web_identity,
            extra={"vpcEndpointId": "vpce-0a93sts0000000001",
                   "resources": [{"accountId": ACCT, "type": "AWS::IAM::Role", "ARN": IRSA_ROLE}]}),
        # the session's credentials, taken out of the pod, used from the attacker's host: persistence in IAM
        rec("09:14:10", "sts.amazonaws.com", "GetCallerIdentity", ATTACKER, cli + "sts.get-caller-identity", None, None, session),
        rec("09:15:02", "iam.amazonaws.com", "CreateUser", ATTACKER, cli + "iam.create-user", {"userName": NEW_USER},
            {"user": {"path": "/", "userName": NEW_USER, "userId": "AIDAYBACKUPSYNC0001X", "arn": NEW_USER_ARN,
                      "createDate": "Nov 24, 2026, 9:15:02 AM"}}, session, ro=False),
        rec("09:15:31", "iam.amazonaws.com", "CreateAccessKey", ATTACKER, cli + "iam.create-access-key", {"userName": NEW_USER},
            {"accessKey": {"userName": NEW_USER, "accessKeyId": NEW_KEY, "status": "Active",
                           "createDate": "Nov 24, 2026, 9:15:31 AM"}}, session, ro=False),
        rec("09:15:58", "iam.amazonaws.com", "AttachUserPolicy", ATTACKER, cli + "iam.attach-user-policy",
            {"userName": NEW_USER, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, None, session, ro=False),
        # the new user's key, from another address, half an hour later (the pod is deleted by then)
        rec("09:42:10", "sts.amazonaws.com", "GetCallerIdentity", ATTACKER2, cli + "sts.get-caller-identity", None, None, user),
        rec("09:43:00", "s3.amazonaws.com", "ListBuckets", ATTACKER2, "[" + cli + "s3.ls]", {"Host": "s3.us-west-2.amazonaws.com"},
            None, user),
        rec("09:44:12", "s3.amazonaws.com", "GetObject", ATTACKER2, "[" + cli + "s3.cp]",
            {"bucketName": "payments-ledger-exports", "Host": "payments-ledger-exports.s3.us-west-2.amazonaws.com",
             "key": "2026/11/ledger-2026-11-23.csv"}, None, user, category="Data",
            extra=dict(s3res("payments-ledger-exports", "2026/11/ledger-2026-11-23.csv"),
                       additionalEventData={"SignatureVersion": "SigV4", "bytesTransferredIn": 0,
                                            "AuthenticationMethod": "AuthHeader", "bytesTransferredOut": 48211967})),
        rec("09:45:30", "secretsmanager.amazonaws.com", "GetSecretValue", ATTACKER2, cli + "secretsmanager.get-secret-value",
            {"secretId": "prod/payments/stripe-api-key"}, None, user,
            extra={"resources": [{"accountId": ACCT, "type": "AWS::SecretsManager::Secret",
                                  "ARN": "arn:aws:secretsmanager:%s:%s:secret:prod/payments/stripe-api-key-Qx81Zp" % (REGION, ACCT)}]}),
    ]
    records.sort(key=lambda r: r["eventTime"])
    # a multi-region trail delivers IAM's (global) events in us-east-1's log files
    return {region: json.dumps({"Records": [r for r in records if r["awsRegion"] == region]}, separators=(",", ":"))
            for region in (REGION, "us-east-1")}

# ------------------------------------------------------------------------------------------ the AWS VPC CNI's logs
def zap(level, t, ms, caller, msg):
    return json.dumps({"level": level, "ts": "%sT%s.%03dZ" % (DAY, t, ms), "caller": caller, "msg": msg}, separators=(",", ":"))

CNI_CONF = ('{"cniVersion":"0.4.0","mtu":"9001","name":"aws-cni","pluginLogFile":"/var/log/aws-routed-eni/plugin.log",'
            '"pluginLogLevel":"DEBUG","podSGEnforcingMode":"strict","type":"aws-cni","vethPrefix":"eni"}')

def cni_args(ns, pod, uid, sandbox):
    return "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s;IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s" % (sandbox, uid, ns, pod)

def plugin_add(t, ms, ns, pod, uid, sandbox, ip, netns, veth):
    args = cni_args(ns, pod, uid, sandbox)
    return [
        zap("info", t, ms, "routed-eni-cni-plugin/cni.go:128", "Constructed new logger instance"),
        zap("info", t, ms, "routed-eni-cni-plugin/cni.go:128",
            "Received CNI add request: ContainerID(%s) Netns(/var/run/netns/%s) IfName(eth0) Args(%s) Path(/opt/cni/bin) argsStdinData(%s)"
            % (sandbox, netns, args, CNI_CONF)),
        zap("debug", t, ms, "routed-eni-cni-plugin/cni.go:128", "Prev Result: <nil>\n"),
        zap("debug", t, ms, "routed-eni-cni-plugin/cni.go:128", "MTU value set is 9001:"),
        zap("info", t, ms + 6, "routed-eni-cni-plugin/cni.go:128",
            "Received add network response from ipamd for container %s interface eth0: Success:true  IPv4Addr:\"%s\"  VPCv4CIDRs:\"10.93.0.0/16\""
            % (sandbox, ip)),
        zap("debug", t, ms + 6, "routed-eni-cni-plugin/cni.go:237",
            "SetupPodNetwork: hostVethName=%s, contVethName=eth0, netnsPath=/var/run/netns/%s, v4Addr=%s/32, v6Addr=<nil>, deviceNumber=0, mtu=9001"
            % (veth, netns, ip)),
        zap("debug", t, ms + 63, "driver/driver.go:297", "Successfully setup container route, containerAddr=%s/32, hostVeth=%s, rtTable=main" % (ip, veth)),
    ]

def plugin_del(t, ms, ns, pod, uid, sandbox, ip, netns):
    args = cni_args(ns, pod, uid, sandbox)
    return [
        zap("info", t, ms, "routed-eni-cni-plugin/cni.go:128", "Constructed new logger instance"),
        zap("info", t, ms, "routed-eni-cni-plugin/cni.go:128",
            "Received CNI del request: ContainerID(%s) Netns(/var/run/netns/%s) IfName(eth0) Args(%s) Path(/opt/cni/bin) argsStdinData(%s)"
            % (sandbox, netns, args, CNI_CONF)),
        zap("info", t, ms + 4, "routed-eni-cni-plugin/cni.go:128",
            "Received del network response from ipamd for pod %s namespace %s sandbox %s: Success:true  IPv4Addr:\"%s\"  DeviceNumber:0"
            % (pod, ns, sandbox, ip)),
        zap("debug", t, ms + 9, "driver/driver.go:394", "TeardownPodNetwork: containerAddr=%s/32, rtTable=main" % ip),
    ]

def ipamd_add(t, ms, sandbox, ip, netns):
    key = "aws-cni/%s/eth0" % sandbox
    return [
        zap("info", t, ms, "rpc/rpc.pb.go:713", "Received AddNetwork for NS /var/run/netns/%s, Sandbox %s, ifname eth0" % (netns, sandbox)),
        zap("debug", t, ms, "rpc/rpc.pb.go:713", "AddNetworkRequest: K8S_POD_NAME:\"\" ClientVersion:\"v1.19.0\" Netns:\"/var/run/netns/%s\" ContainerID:\"%s\" NetworkName:\"aws-cni\" IfName:\"eth0\"" % (netns, sandbox)),
        zap("info", t, ms + 1, "datastore/data_store.go:714", "AssignPodIPv4Address: Assign IP %s to sandbox %s" % (ip, key)),
        zap("info", t, ms + 1, "rpc/rpc.pb.go:713", "Send AddNetworkReply: IPv4Addr: %s, IPv6Addr: , DeviceNumber: 0, err: <nil>" % ip),
    ]

def ipamd_del(t, ms, sandbox, ip):
    key = "aws-cni/%s/eth0" % sandbox
    return [
        zap("info", t, ms, "rpc/rpc.pb.go:731", "Received DelNetwork for Sandbox %s" % sandbox),
        zap("info", t, ms + 1, "datastore/data_store.go:1082", "UnassignPodIPAddress: sandbox %s's ipAddr %s, DeviceNumber 0" % (key, ip)),
        zap("info", t, ms + 1, "rpc/rpc.pb.go:731", "Send DelNetworkReply: IPv4Addr: %s, IPv6Addr: , DeviceNumber: 0, err: <nil>" % ip),
    ]

def ipamd_stats(t):
    return [zap("debug", t, 4, "ipamd/ipamd.go:2171", "IP pool stats: Total IPs/Prefixes = 29/0, AssignedIPs/CooldownIPs: 9/0, c.maxIPsPerENI = 29")]

def node_a_cni():
    n1, n2, n3 = "cni-7a1b3c5d-9e0f-2a4b-6c8d-0e1f3a5b7c9d", "cni-8b2c4d6e-0f1a-3b5c-7d9e-1f2a4b6c8d0e", "cni-9c3d5e7f-1a2b-4c6d-8e0f-2a3b5c7d9e1f"
    plugin = (plugin_add("08:55:12", 402, NS, APP, APP_UID, APP_SANDBOX, APP_IP, n1, "eni5e1da7a7a7a")
              + plugin_del("09:31:40", 118, NS, APP, APP_UID, APP_SANDBOX, APP_IP, n1)
              + plugin_add("09:31:45", 907, NS, APP2, APP2_UID, APP2_SANDBOX, APP2_IP, n2, "eni5e1eb8b8b8b")
              + plugin_add("09:36:05", 221, LEDGER_NS, RECON, RECON_UID, RECON_SANDBOX, RECON_IP, n3, "eni5e1fc9c9c9c")
              + plugin_del("09:52:20", 640, LEDGER_NS, RECON, RECON_UID, RECON_SANDBOX, RECON_IP, n3))
    ipamd = (ipamd_stats("08:55:00") + ipamd_add("08:55:12", 404, APP_SANDBOX, APP_IP, n1)
             + ipamd_del("09:31:40", 120, APP_SANDBOX, APP_IP)
             + ipamd_add("09:31:45", 909, APP2_SANDBOX, APP2_IP, n2) + ipamd_stats("09:35:00")
             + ipamd_add("09:36:05", 223, RECON_SANDBOX, RECON_IP, n3) + ipamd_del("09:52:20", 642, RECON_SANDBOX, RECON_IP))
    return "\n".join(plugin) + "\n", "\n".join(ipamd) + "\n"

def node_b_cni():
    n = "cni-0d4e6f8a-2b3c-5d7e-9f1a-3b4c6d8e0f2a"
    plugin = plugin_add("07:30:02", 515, ETL_NS, ETL, ETL_UID, ETL_SANDBOX, ETL_IP, n, "enie71bd0d0d0d")
    ipamd = ipamd_add("07:30:02", 517, ETL_SANDBOX, ETL_IP, n)
    return "\n".join(plugin) + "\n", "\n".join(ipamd) + "\n"

# ----------------------------------------------------------------------------------------- kubectl get pods -A
def pods_snapshot():
    """`kubectl get pods -A -o json` at 10:30: the renderer's replacement and the finished reconcile job (which still
    lists the address it had); the attacker's pod is gone."""
    def pod(ns, name, uid, ip, sa, cname, image, digest, cid, started, phase, owner):
        state = {"running": {"startedAt": tsec(started)}} if phase == "Running" else \
            {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": tsec(started), "finishedAt": tsec("09:52:18"),
                            "containerID": "containerd://" + cid}}
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"creationTimestamp": tsec(started), "name": name, "namespace": ns, "uid": uid,
                             "ownerReferences": [owner]},
                "spec": {"containers": [{"name": cname, "image": image}], "nodeName": NODE, "serviceAccountName": sa,
                         "serviceAccount": sa},
                "status": {"containerStatuses": [{"containerID": "containerd://" + cid, "image": image,
                                                  "imageID": image.rsplit(":", 1)[0] + "@" + digest, "name": cname,
                                                  "ready": phase == "Running", "restartCount": 0, "started": phase == "Running",
                                                  "state": state}],
                           "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "phase": phase, "podIP": ip, "podIPs": [{"ip": ip}],
                           "qosClass": "Burstable", "startTime": tsec(started)}}
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "invoice-render-7c9d5b8f6",
          "uid": "2f4a6c8e-0b1d-4f3a-8c5e-7a9b1d3f5a7c", "controller": True, "blockOwnerDeletion": True}
    job = {"apiVersion": "batch/v1", "kind": "Job", "name": "reconcile-28911540", "uid": "3a5b7c9d-1e2f-4a6b-8c0d-2e4f6a8b0c2d",
           "controller": True, "blockOwnerDeletion": True}
    items = [
        pod(NS, APP2, APP2_UID, APP2_IP, SA, "render", "577215664901.dkr.ecr.us-west-2.amazonaws.com/invoice-render:3.8.1",
            "sha256:" + "4d2e" * 16, "c2a0" + "61" * 30, "09:31:46", "Running", rs),
        pod(LEDGER_NS, RECON, RECON_UID, RECON_IP, "reconcile", "reconcile",
            "577215664901.dkr.ecr.us-west-2.amazonaws.com/ledger-reconcile:1.12.0", "sha256:" + "7e3f" * 16,
            "c2a1" + "72" * 30, "09:36:06", "Succeeded", job),
    ]
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}

# ------------------------------------------------------------------------------------------------------------ main
def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    ctx = lambda path, host, cluster, acct, instance: [
        "- path: " + path] + (["  host: " + host] if host else []) + [
        "  cluster: " + cluster, "  cloud_provider: aws", '  cloud_account: "%s"' % acct, "  cloud_region: " + REGION] + (
        ["  cloud_instance: " + instance] if instance else [])
    write("strata-context.yaml", "\n".join(
        ["# what the responders collected from the two clusters' nodes and the payments cluster (the collector's context",
         "# manifest); the audit log, the flow logs and CloudTrail are pulled from the log bucket by `strata pull-s3`"]
        + ctx("nodes/" + NODE, NODE, CLUSTER, ACCT, INSTANCE) + ctx("nodes-b/" + NODE_B, NODE_B, CLUSTER_B, ACCT_B, INSTANCE_B)
        + ctx("kubectl", None, CLUSTER, ACCT, None)) + "\n")
    plugin, ipamd = node_a_cni()
    write("nodes/%s/var/log/aws-routed-eni/plugin.log" % NODE, plugin)
    write("nodes/%s/var/log/aws-routed-eni/ipamd.log" % NODE, ipamd)
    plugin, ipamd = node_b_cni()
    write("nodes-b/%s/var/log/aws-routed-eni/plugin.log" % NODE_B, plugin)
    write("nodes-b/%s/var/log/aws-routed-eni/ipamd.log" % NODE_B, ipamd)
    write("kubectl/pods-all-namespaces.json", json.dumps(pods_snapshot(), indent=4) + "\n")
    # the log bucket: Firehose's objects (its own prefix, hourly folders, no suffix), CloudTrail and account B's flow
    # logs as AWS delivers them
    write("s3/firehose/eks-audit/2026/11/24/09/payments-eks-audit-1-2026-11-24-09-55-12-4f1c7a2e-9b3d-4e5f-8a1c-6d2e4f6a8b0c",
          audit_firehose())
    write("s3/firehose/vpc-flow/2026/11/24/09/payments-vpc-flow-1-2026-11-24-09-55-40-7b2d9e4f-1a3c-4b5d-9e7f-0a2c4e6b8d1f",
          flow_firehose())
    for region, body in cloudtrail().items():
        write("s3/AWSLogs/%s/CloudTrail/%s/2026/11/24/%s_CloudTrail_%s_20261124T0950Z_Qm3Xc8Vt2Lp9Rz7W.json.gz"
              % (ACCT, region, ACCT, region), body, gz=True)
    write("s3/AWSLogs/%s/vpcflowlogs/%s/2026/11/24/%s_vpcflowlogs_%s_fl-0b93e5a7c9d1f3b24_20261124T0950Z_5d7f9a1b.log.gz" % (ACCT_B, REGION, ACCT_B, REGION),
          flows_b(), gz=True)

if __name__ == "__main__":
    main()
