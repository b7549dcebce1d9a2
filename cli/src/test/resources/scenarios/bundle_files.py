"""What the scenario generators (make_*_scenario.py beside this file) share: timestamps of the scenario's day in the
forms the producers write, and deterministic files (gzip members with mtime 0 and no name, JSON lines without spaces).
Usage: B = BundleFiles(DAY, OUT); ts, tus, tsec, write, jl = B.ts, B.tus, B.tsec, B.write, B.jl"""
import calendar, gzip, io, json, os, time


class BundleFiles:
    def __init__(self, day, out):
        self.day, self.out = day, out

    def epoch(self, hms, frac_ns=0):  # seconds since the epoch, a float
        return calendar.timegm(time.strptime(self.day + "T" + hms, "%Y-%m-%dT%H:%M:%S")) + frac_ns / 1e9

    def ts(self, hms, frac_ns=0):  # RFC 3339 with nanoseconds (CRI logs, Falco, Tetragon, CRI-O)
        return "%sT%s.%09dZ" % (self.day, hms, frac_ns)

    def tus(self, hms, frac_us=0):  # microseconds (apiserver audit: metav1.MicroTime)
        return "%sT%s.%06dZ" % (self.day, hms, frac_us)

    def tsec(self, hms):  # seconds (metav1.Time)
        return "%sT%sZ" % (self.day, hms)

    def write(self, rel, data, gz=False):
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        raw = data.encode() if isinstance(data, str) else data
        if gz:
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
                g.write(raw)
            raw = buf.getvalue()
        with open(path, "wb") as f:
            f.write(raw)

    @staticmethod
    def jl(records):
        return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)


class AuditLog:
    """Kubernetes audit events (audit.k8s.io/v1, stage ResponseComplete) as the API server writes them, numbered in
    the order made: auditID = id_format % (n, n, n), stageTimestamp stage_us after the request was received; a node's
    user (system:node:*) has the empty uid the apiserver logs for it when node_uid is set.
    Usage: audit = AuditLog(B, "7a11d0c2-%04x-4%03x-8000-%012d", 4210, ua).event"""

    ALLOW = {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}

    def __init__(self, files, id_format, stage_us, ua, node_uid=True):
        self.files, self.id_format, self.stage_us, self.ua, self.node_uid = files, id_format, stage_us, ua, node_uid
        self.n = 0

    def event(self, t, us, verb, uri, user, groups, source_ip, obj_ref, code=200, level="RequestResponse",
              request=None, response=None, ua=None, extra=None, annotations=None, uid=None, impersonated=None):
        self.n += 1
        u = {"username": user, "groups": groups}
        if uid is not None:
            u["uid"] = uid
        elif self.node_uid and user.startswith("system:node:"):
            u["uid"] = ""
        if extra:
            u["extra"] = extra
        e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
             "auditID": self.id_format % (self.n, self.n, self.n), "stage": "ResponseComplete",
             "requestURI": uri, "verb": verb, "user": u}
        if impersonated:
            e["impersonatedUser"] = impersonated  # the apiserver writes it right after the requesting user
        e.update({"sourceIPs": [source_ip], "userAgent": ua or self.ua, "objectRef": obj_ref,
                  "responseStatus": {"metadata": {}, "code": code}})
        if request is not None:
            e["requestObject"] = request
        if response is not None:
            e["responseObject"] = response
        e["requestReceivedTimestamp"] = self.files.tus(t, us)
        e["stageTimestamp"] = self.files.tus(t, us + self.stage_us)
        e["annotations"] = annotations or dict(self.ALLOW)
        return e


class CloudTrailLog:
    """CloudTrail records (AwsApiCall) of one region as a trail delivers them, numbered in the order made: requestID =
    request_id_format % (n, n), eventID = event_id_format % (n, n); tlsDetails with the endpoint's host header (what
    CloudTrail logs for calls over TLS, eventVersion 1.08+) unless tls is False.
    Usage: ct = CloudTrailLog(B, REGION, "1.10", "8d2f%04d-...-%012d", "f3a9%04d-...-%012d"); ct.record(ACCT, ...)"""

    def __init__(self, files, region, version, request_id_format, event_id_format, tls=True):
        self.files, self.region, self.version, self.tls = files, region, version, tls
        self.request_id_format, self.event_id_format = request_id_format, event_id_format
        self.n = 0

    def record(self, acct, t, identity, source, name, ip, ua, req, resp, category="Management", ro=True, extra=None):
        self.n += 1
        r = {"eventVersion": self.version, "userIdentity": identity, "eventTime": self.files.tsec(t),
             "eventSource": source, "eventName": name, "awsRegion": self.region, "sourceIPAddress": ip, "userAgent": ua,
             "requestParameters": req, "responseElements": resp,
             "requestID": self.request_id_format % (self.n, self.n), "eventID": self.event_id_format % (self.n, self.n),
             "readOnly": ro, "eventType": "AwsApiCall", "managementEvent": category == "Management",
             "recipientAccountId": acct, "eventCategory": category}
        if self.tls:
            r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                               "clientProvidedHostHeader": source.replace(".amazonaws.com", "") + "." + self.region
                               + ".amazonaws.com"}
        if extra:
            r.update(extra)
        return r


def service_account_volumes(container, uid, region, irsa_role=None):
    """A pod's service account token volume as the API server's admission adds it (kube-api-access-<5>: the projected
    bound token, kube-root-ca.crt), mounted into container, and with irsa_role the EKS pod identity webhook's IRSA
    token volume and environment. Returns the pod's volumes."""
    container["volumeMounts"] = [{"name": "kube-api-access-" + uid[:5], "readOnly": True,
                                  "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    vols = [{"name": "kube-api-access-" + uid[:5], "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}]
    if irsa_role:
        container["env"] = [
            {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"}, {"name": "AWS_DEFAULT_REGION", "value": region},
            {"name": "AWS_REGION", "value": region}, {"name": "AWS_ROLE_ARN", "value": irsa_role},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}]
        container["volumeMounts"].append({"name": "aws-iam-token", "readOnly": True,
                                          "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"})
        vols.append({"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}})
    return vols
