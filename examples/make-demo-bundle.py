#!/usr/bin/env python3
"""Writes examples/demo-bundle: a small, hand-made evidence bundle with one incident story in it.

Made by us (no third-party data). Re-running it rewrites byte-identical files (fixed timestamps, gzip mtime 0).
Story (UTC, 2026-11-20):
  10:00-10:02  web container (pod shop/web-7d9c8b6f5-x2x9q on node ip-10-0-1-23) serves normal traffic
  09:41:31     Kubernetes audit: the kubelet registers node ip-10-0-1-23.ec2.internal (providerID: instance
               i-0a1b2c3d4e5f60718), the fact that ties the node to the instance-role session in CloudTrail
  10:02:41     its app logs a request to /debug/exec from 198.51.100.27 (the attacker probes it)
  10:03:05     Kubernetes audit: user dev-alice creates pods/exec into that pod, command=sh (101 Switching Protocols)
  10:03:20     the app logs a child shell and an outbound fetch of the instance metadata credentials
  10:05-10:06  CloudTrail: the node role's session (i-0a1b2c3d4e5f60718) is used from 203.0.113.50 (outside AWS)
               for GetCallerIdentity, ListBuckets and GetObject on s3://acme-customer-exports
CloudTrail digests (2, chained and signed with the demo key, see demo_trail_digest.py) cover the log file.
Malformed lines (3): a truncated docker json line, a docker line without "log", a non-JSON audit line.
"""
import gzip, hashlib, io, json, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo-bundle")

def cid(name):
    return hashlib.sha256(("strata-demo-" + name).encode()).hexdigest()

WEB, SIDECAR = cid("web"), cid("log-shipper")
NODE = "nodes/ip-10-0-1-23"

def write(rel, data, mode="w"):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def dline(log, stream, time, **extra):
    d = {"log": log, "stream": stream, "time": time}
    d.update(extra)
    return json.dumps(d, separators=(",", ":")) + "\n"

web = [
    dline("10.0.1.5 - - [20/Nov/2026:10:00:01 +0000] \"GET /healthz HTTP/1.1\" 200 2\n", "stdout", "2026-11-20T10:00:01.104223870Z"),
    dline("10.0.3.17 - - [20/Nov/2026:10:00:12 +0000] \"GET /api/v1/products?page=2 HTTP/1.1\" 200 5123\n", "stdout", "2026-11-20T10:00:12.551208112Z"),
    dline("10.0.3.17 - - [20/Nov/2026:10:01:40 +0000] \"POST /api/v1/cart HTTP/1.1\" 201 88\n", "stdout", "2026-11-20T10:01:40.009182736Z"),
    dline("10.0.1.5 - - [20/Nov/2026:10:02:01 +0000] \"GET /healthz HTTP/1.1\" 200 2\n", "stdout", "2026-11-20T10:02:01.100013201Z"),
    dline("198.51.100.27 - - [20/Nov/2026:10:02:41 +0000] \"GET /debug/exec?cmd=id HTTP/1.1\" 200 54\n", "stdout", "2026-11-20T10:02:41.377120045Z"),
    '{"log":"198.51.100.27 - - [20/Nov/2026:10:02:44 +0000] \\"GET /debug/exec?cmd=uname\n',  # truncated: malformed_json
    dline("WARN debug endpoint enabled in production build\n", "stderr", "2026-11-20T10:02:44.870001111Z"),
    '{"stream":"stderr","time":"2026-11-20T10:02:50.000000000Z"}\n',  # no "log": missing_field
    dline("INFO spawned child process pid=4242 cmd=\"sh\" parent=app\n", "stderr", "2026-11-20T10:03:20.418877001Z"),
    dline("INFO outbound GET http://169.254.169.254/latest/meta-data/iam/security-credentials/eks-node-role 200\n", "stderr", "2026-11-20T10:03:31.902114578Z"),
    dline("10.0.1.5 - - [20/Nov/2026:10:04:01 +0000] \"GET /healthz HTTP/1.1\" 200 2\n", "stdout", "2026-11-20T10:04:01.100998877Z"),
    dline("10.0.3.17 - - [20/Nov/2026:10:04:30 +0000] \"GET /api/v1/orders/77 HTTP/1.1\" 200 912\n", "stdout", "2026-11-20T10:04:30.777665544Z",
          attrs={"io.kubernetes.pod.name": "web-7d9c8b6f5-x2x9q", "io.kubernetes.pod.namespace": "shop"}),
]
write(f"{NODE}/var/lib/docker/containers/{WEB}/{WEB}-json.log", "".join(web))

side = [dline(f"shipped batch {i} (118 records) to collector.logging.svc:24224\n", "stdout",
              f"2026-11-20T10:0{i}:05.{i:09d}Z") for i in range(5)]
write(f"{NODE}/var/lib/docker/containers/{SIDECAR}/{SIDECAR}-json.log", "".join(side))

POD = "web-7d9c8b6f5-x2x9q"
def audit(i, ts, verb, resource, user, groups, code, name=None, ns="shop", sub=None, uri=None, stage="ResponseComplete", src="10.0.0.12", ua="kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", request_object=None, reason="RBAC: allowed by RoleBinding \"dev-edit/shop\""):
    ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Request" if request_object else "Metadata", "auditID": f"5f1c2d7e-0d5a-4a55-9b8e-00000000000{i}",
          "stage": stage, "requestURI": uri or f"/api/v1/namespaces/{ns}/{resource}" + (f"/{name}" if name else ""),
          "verb": verb, "user": {"username": user, "groups": groups}, "sourceIPs": [src], "userAgent": ua,
          "objectRef": {"resource": resource, "namespace": ns, "apiVersion": "v1"},
          "responseStatus": {"metadata": {}, "code": code},
          "requestReceivedTimestamp": ts,
          "stageTimestamp": ts, "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": reason}}
    if name: ev["objectRef"]["name"] = name
    if sub: ev["objectRef"]["subresource"] = sub
    if ns is None: del ev["objectRef"]["namespace"]
    if request_object: ev["requestObject"] = request_object
    return json.dumps(ev, separators=(",", ":")) + "\n"

NODE_NAME = "ip-10-0-1-23.ec2.internal"
node_object = {"kind": "Node", "apiVersion": "v1",
               "metadata": {"name": NODE_NAME, "labels": {"kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux",
                                                          "node.kubernetes.io/instance-type": "m5.large",
                                                          "topology.kubernetes.io/region": "us-east-1",
                                                          "topology.kubernetes.io/zone": "us-east-1a"}},
               "spec": {"providerID": "aws:///us-east-1a/i-0a1b2c3d4e5f60718"}}
audit_lines = [
    audit(7, "2026-11-20T09:41:31.502300Z", "create", "nodes", "system:node:" + NODE_NAME, ["system:nodes", "system:authenticated"], 201,
          ns=None, uri="/api/v1/nodes", src="10.0.1.23", ua="kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46", request_object=node_object, reason=""),
    audit(1, "2026-11-20T10:00:30.120000Z", "list", "pods", "dev-alice", ["dev", "system:authenticated"], 200),
    audit(2, "2026-11-20T10:02:55.400100Z", "get", "pods", "dev-alice", ["dev", "system:authenticated"], 200, name=POD),
    audit(3, "2026-11-20T10:03:05.218554Z", "create", "pods", "dev-alice", ["dev", "system:authenticated"], 101, name=POD, sub="exec",
          uri=f"/api/v1/namespaces/shop/pods/{POD}/exec?command=sh&container=web&stdin=true&stdout=true&tty=true", stage="ResponseStarted"),
    "this is not an audit event {\n",  # malformed line
    audit(4, "2026-11-20T10:03:09.001200Z", "get", "secrets", "dev-alice", ["dev", "system:authenticated"], 403, name="db-credentials"),
    audit(5, "2026-11-20T10:04:00.000100Z", "update", "leases", "system:kube-scheduler", ["system:authenticated"], 200,
          name="kube-scheduler", ns="kube-system", src="10.0.0.10", ua="kube-scheduler/v1.31.2"),
    audit(6, "2026-11-20T10:06:12.765400Z", "delete", "pods", "dev-alice", ["dev", "system:authenticated"], 200, name=POD),
]
write("control-plane/var/log/kubernetes/audit/audit.log", "".join(audit_lines))

ROLE_ARN = "arn:aws:iam::111122223333:role/eks-node-role"
def ct(i, ts, source, name, src_ip, ua, params=None, resources=None, error=None, read_only=True):
    r = {"eventVersion": "1.09",
         "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLENODEROLE1:i-0a1b2c3d4e5f60718",
                          "arn": "arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0a1b2c3d4e5f60718",
                          "accountId": "111122223333", "accessKeyId": "ASIAEXAMPLEKEY000001",
                          "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLENODEROLE1", "arn": ROLE_ARN,
                                                               "accountId": "111122223333", "userName": "eks-node-role"},
                                             "attributes": {"creationDate": "2026-11-20T09:41:07Z", "mfaAuthenticated": "false"},
                                             "ec2RoleDelivery": "2.0"}},
         "eventTime": ts, "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
         "sourceIPAddress": src_ip, "userAgent": ua, "requestParameters": params, "responseElements": None,
         "requestID": f"7f3e9a10-demo-0000-0000-00000000000{i}", "eventID": f"b0c1d2e3-demo-4000-8000-00000000000{i}",
         "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": source != "s3.amazonaws.com" or name == "ListBuckets",
         "recipientAccountId": "111122223333", "eventCategory": "Management" if source != "s3.amazonaws.com" or name == "ListBuckets" else "Data",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": source.replace("amazonaws.com", "us-east-1.amazonaws.com")}}
    if resources: r["resources"] = resources
    if error: r["errorCode"], r["errorMessage"] = error
    return r

ua = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9"
records = [
    ct(1, "2026-11-20T10:05:03Z", "sts.amazonaws.com", "GetCallerIdentity", "203.0.113.50", ua),
    ct(2, "2026-11-20T10:05:19Z", "s3.amazonaws.com", "ListBuckets", "203.0.113.50", ua, params={"Host": "s3.us-east-1.amazonaws.com"}),
    ct(3, "2026-11-20T10:05:47Z", "s3.amazonaws.com", "GetObject", "203.0.113.50", ua,
       params={"bucketName": "acme-customer-exports", "key": "2026/11/customers.csv.gz", "Host": "acme-customer-exports.s3.us-east-1.amazonaws.com"},
       resources=[{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-customer-exports/2026/11/customers.csv.gz"},
                  {"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::acme-customer-exports"}]),
    ct(4, "2026-11-20T10:06:02Z", "iam.amazonaws.com", "CreateAccessKey", "203.0.113.50", ua, params={"userName": "ci-deployer"},
       error=("AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0a1b2c3d4e5f60718 is not authorized to perform: iam:CreateAccessKey"),
       read_only=False),
]
doc = json.dumps({"Records": records}, separators=(",", ":")).encode()
buf = io.BytesIO()
with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
    gz.write(doc)
CT_KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1010Z_Xy7pQ2mN4kL8rT1v.json.gz"
write(CT_KEY, buf.getvalue())

# CloudTrail log file integrity: the hourly digest covering that log file, then the next (empty) hour's digest
# chained to it, signed with the demo key in examples/demo-keys (see demo_trail_digest.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_trail_digest import write_digests
write_digests(ROOT, "111122223333", "us-east-1", "acme-management-events", "acme-cloudtrail-logs", [
    ("2026-11-20T09:21:00Z", "2026-11-20T10:21:00Z",
     [(CT_KEY, doc, records[0]["eventTime"], records[-1]["eventTime"])]),
    ("2026-11-20T10:21:00Z", "2026-11-20T11:21:00Z", []),
])

write("strata-context.yaml", """# Context the evidence itself does not carry (see ingest/README.md: "Context manifest").
# Paths are prefixes relative to this file's directory; the longest matching prefix wins.
- path: nodes/ip-10-0-1-23
  host: ip-10-0-1-23.ec2.internal
  cluster: prod-eks
  cloud_provider: aws
  cloud_account: "111122223333"
  cloud_region: us-east-1
- path: control-plane
  cluster: prod-eks
  cloud_provider: aws
  cloud_account: "111122223333"
  cloud_region: us-east-1
""")
print("wrote", ROOT, "web container", WEB)
