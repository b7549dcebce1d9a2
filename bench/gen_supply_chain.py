#!/usr/bin/env python3
"""Synthetic benchmark data for the JSON parsers of strata (written from the formats' documentation, values invented).

usage: gen_supply_chain.py OUTDIR [--scale N]
  cloudtrail.jsonl  CloudTrail records, one per line (IAM user / assumed role / IRSA web identity / federated / service
                    callers; S3, EC2, IAM, STS, sign-in events), 60,000 x scale
  spdx.jsonl        SPDX 2.3 documents as syft writes them, 200 packages each, one document per line, 150 x scale
  cyclonedx.jsonl   CycloneDX 1.5 BOMs, 200 components each, 150 x scale
  syft.jsonl        syft JSON (schema 16), 200 artifacts each, 150 x scale
  grype.jsonl       grype JSON results, 100 matches each, 150 x scale
  cosign.jsonl      cosign verify JSON arrays (3 signatures each), 20,000 x scale
Deterministic (seeded), so every run writes the same bytes.
"""
import json, os, random, sys

out = sys.argv[1]
scale = int(sys.argv[sys.argv.index('--scale') + 1]) if '--scale' in sys.argv else 1
os.makedirs(out, exist_ok=True)
rnd = random.Random(42)
A = '111122223333'


def h(n=64):
    return ''.join(rnd.choice('0123456789abcdef') for _ in range(n))


def ident(i):
    k = i % 5
    if k == 0:
        return {"type": "IAMUser", "principalId": "AIDA%06d" % i, "arn": "arn:aws:iam::%s:user/u%d" % (A, i % 97), "accountId": A,
                "accessKeyId": "AKIA%012d" % (i % 1000), "userName": "u%d" % (i % 97)}
    if k == 1:
        return {"type": "AssumedRole", "principalId": "AROA%06d:i-0%016x" % (i % 50, i % 4096), "arn": "arn:aws:sts::%s:assumed-role/node/i-0%016x" % (A, i % 4096),
                "accountId": A, "accessKeyId": "ASIA%012d" % (i % 5000),
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROANODE", "arn": "arn:aws:iam::%s:role/node" % A, "accountId": A, "userName": "node"},
                                   "attributes": {"creationDate": "2024-08-01T09:00:00Z", "mfaAuthenticated": "false"}, "ec2RoleDelivery": "2.0"}}
    if k == 2:
        return {"type": "WebIdentityUser", "principalId": "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC:sts.amazonaws.com:system:serviceaccount:ns%d:sa%d" % (A, i % 7, i % 11),
                "userName": "system:serviceaccount:ns%d:sa%d" % (i % 7, i % 11), "identityProvider": "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC" % A}
    if k == 3:
        return {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}
    return {"type": "FederatedUser", "principalId": "%s:bob%d" % (A, i % 13), "arn": "arn:aws:sts::%s:federated-user/bob%d" % (A, i % 13), "accountId": A, "accessKeyId": "ASIAFED%08d" % i,
            "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": "AIDABROKER", "arn": "arn:aws:iam::%s:user/broker" % A, "accountId": A, "userName": "broker"}}}


EVENTS = [("s3.amazonaws.com", "GetObject"), ("s3.amazonaws.com", "PutObject"), ("ec2.amazonaws.com", "DescribeInstances"), ("ec2.amazonaws.com", "RunInstances"),
          ("iam.amazonaws.com", "CreateAccessKey"), ("iam.amazonaws.com", "AttachRolePolicy"), ("sts.amazonaws.com", "AssumeRoleWithWebIdentity"),
          ("sts.amazonaws.com", "GetCallerIdentity"), ("signin.amazonaws.com", "ConsoleLogin"), ("kms.amazonaws.com", "Decrypt")]


def ct(i):
    src, name = EVENTS[i % len(EVENTS)]
    idt = ident(i)
    r = {"eventVersion": "1.10", "userIdentity": idt, "eventTime": "2024-08-01T%02d:%02d:%02dZ" % (i // 3600 % 24, i // 60 % 60, i % 60), "eventSource": src, "eventName": name,
         "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.%d" % (i % 250), "userAgent": "aws-sdk-go-v2/1.30.%d" % (i % 9), "requestParameters": None, "responseElements": None,
         "requestID": h(32), "eventID": h(32), "readOnly": name.startswith(("Get", "Describe", "Decrypt")), "eventType": "AwsApiCall", "managementEvent": True,
         "recipientAccountId": A, "eventCategory": "Management", "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": src}}
    if src == "s3.amazonaws.com":
        r["requestParameters"] = {"bucketName": "bucket-%d" % (i % 31), "key": "data/%d/object-%d.json" % (i % 17, i), "Host": "bucket.s3.amazonaws.com"}
        r["resources"] = [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::bucket-%d/data/%d/object-%d.json" % (i % 31, i % 17, i)}, {"accountId": A, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::bucket-%d" % (i % 31)}]
    elif name == "RunInstances":
        r["requestParameters"] = {"instancesSet": {"items": [{"imageId": "ami-0%016x" % i, "minCount": 1, "maxCount": 1}]}, "instanceType": "t3.micro"}
        r["responseElements"] = {"instancesSet": {"items": [{"instanceId": "i-0%016x" % i, "currentState": {"code": 0, "name": "pending"}}]}}
    elif name == "AssumeRoleWithWebIdentity":
        r["requestParameters"] = {"roleArn": "arn:aws:iam::%s:role/app%d" % (A, i % 9), "roleSessionName": "botocore-session-%d" % i}
        r["responseElements"] = {"credentials": {"accessKeyId": "ASIA%012d" % i, "sessionToken": "x" * 64, "expiration": "Aug 1, 2024, 11:00:00 AM"},
                                 "subjectFromWebIdentityToken": idt.get("userName", "system:serviceaccount:a:b"), "assumedRoleUser": {"assumedRoleId": "AROAAPP:botocore-session-%d" % i,
                                 "arn": "arn:aws:sts::%s:assumed-role/app%d/botocore-session-%d" % (A, i % 9, i)}, "audience": "sts.amazonaws.com"}
    elif name == "ConsoleLogin":
        r["responseElements"] = {"ConsoleLogin": "Success" if i % 7 else "Failure"}
        r["additionalEventData"] = {"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No", "MFAUsed": "No"}
    elif src == "iam.amazonaws.com":
        r["requestParameters"] = {"userName": "u%d" % (i % 97)} if name == "CreateAccessKey" else {"roleName": "r%d" % (i % 9), "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    return r


def purl(t, name, ver):
    return {"apk": "pkg:apk/alpine/%s@%s?arch=x86_64&distro=alpine-3.19.1", "deb": "pkg:deb/debian/%s@%s?arch=amd64", "npm": "pkg:npm/%s@%s", "python": "pkg:pypi/%s@%s",
            "java-archive": "pkg:maven/org.example/%s@%s"}[t] % (name, ver)


TYPES = ["apk", "deb", "npm", "python", "java-archive"]


def pkgs(n, seed):
    out = []
    for k in range(n):
        t = TYPES[(seed + k) % len(TYPES)]
        name = "pkg-%s-%d" % (t.split('-')[0], (seed * 7 + k) % 5000)
        ver = "%d.%d.%d" % (k % 9, (seed + k) % 20, k % 7)
        out.append((t, name, ver, h(16), "/usr/lib/%s/%s" % (t, name)))
    return out


def spdx(d):
    digest = "sha256:" + h()
    ps = []
    rels = []
    for t, name, ver, pid, path in pkgs(200, d):
        sid = "SPDXRef-Package-%s-%s-%s" % (t, name, pid)
        ps.append({"name": name, "SPDXID": sid, "versionInfo": ver, "supplier": "NOASSERTION", "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
                   "sourceInfo": "acquired package info from installed package DB: " + path, "licenseConcluded": "NOASSERTION", "licenseDeclared": "MIT", "copyrightText": "NOASSERTION",
                   "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*" % (name, name, ver)},
                                    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl(t, name, ver)}]})
        rels.append({"spdxElementId": "SPDXRef-DocumentRoot-Image-app", "relatedSpdxElement": sid, "relationshipType": "CONTAINS"})
    ps.append({"name": "registry.example.com/app", "SPDXID": "SPDXRef-DocumentRoot-Image-app", "versionInfo": digest, "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
               "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:oci/app@%s?repository_url=registry.example.com%%2Fapp&tag=%d" % (digest.replace(':', '%3A'), d)}],
               "primaryPackagePurpose": "CONTAINER"})
    rels.append({"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": "SPDXRef-DocumentRoot-Image-app", "relationshipType": "DESCRIBES"})
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "registry.example.com/app:%d" % d,
            "documentNamespace": "https://anchore.com/syft/image/app-%d" % d, "creationInfo": {"licenseListVersion": "3.23", "creators": ["Organization: Anchore, Inc", "Tool: syft-1.14.0"],
            "created": "2024-09-01T12:00:00Z"}, "packages": ps, "relationships": rels}


def cdx(d):
    comps = []
    for t, name, ver, pid, path in pkgs(200, d):
        comps.append({"bom-ref": purl(t, name, ver) + "?package-id=" + pid, "type": "library", "name": name, "version": ver, "licenses": [{"license": {"id": "MIT"}}],
                      "cpe": "cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*" % (name, name, ver), "purl": purl(t, name, ver),
                      "properties": [{"name": "syft:package:foundBy", "value": t + "-cataloger"}, {"name": "syft:package:type", "value": t}, {"name": "syft:location:0:path", "value": path}]})
    return {"$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:" + h(32), "version": 1,
            "metadata": {"timestamp": "2024-09-02T08:30:00Z", "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.14.0"}]},
                         "component": {"bom-ref": h(16), "type": "container", "name": "registry.example.com/app:%d" % d, "version": "sha256:" + h()}}, "components": comps}


def artifact(t, name, ver, pid, path):
    return {"id": pid, "name": name, "version": ver, "type": t, "foundBy": t + "-cataloger", "locations": [{"path": path, "layerID": "sha256:" + h()}],
            "licenses": [{"value": "MIT", "spdxExpression": "MIT", "type": "declared", "urls": [], "locations": []}], "language": "",
            "cpes": [{"cpe": "cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*" % (name, name, ver), "source": "syft-generated"}], "purl": purl(t, name, ver), "metadataType": t + "-entry",
            "metadata": {"package": name, "version": ver}}


def source(d):
    return {"id": h(), "name": "registry.example.com/app", "version": "sha256:" + h(), "type": "image",
            "metadata": {"userInput": "registry.example.com/app:%d" % d, "imageID": "sha256:" + h(), "manifestDigest": "sha256:" + h(), "tags": ["registry.example.com/app:%d" % d], "repoDigests": []}}


def syft(d):
    return {"artifacts": [artifact(*p) for p in pkgs(200, d)], "artifactRelationships": [], "source": source(d), "distro": {"prettyName": "Alpine Linux v3.19", "name": "Alpine Linux", "id": "alpine"},
            "descriptor": {"name": "syft", "version": "1.14.0"}, "schema": {"version": "16.0.18"}}


def grype(d):
    ms = []
    for k, p in enumerate(pkgs(100, d)):
        ms.append({"vulnerability": {"id": "CVE-2024-%05d" % ((d * 100 + k) % 99999), "dataSource": "https://nvd.nist.gov/vuln/detail/CVE-2024-%05d" % k, "namespace": "nvd:cpe",
                                     "severity": ["Low", "Medium", "High", "Critical"][k % 4], "urls": [], "cvss": [{"source": "nvd@nist.gov", "type": "Primary", "version": "3.1",
                                     "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "metrics": {"baseScore": 9.8, "exploitabilityScore": 3.9, "impactScore": 5.9}}],
                                     "epss": [{"cve": "CVE-2024-%05d" % k, "epss": 0.01, "percentile": 0.5, "date": "2024-09-01"}], "fix": {"versions": ["9.9.9"], "state": "fixed"}, "advisories": [], "risk": 1.5},
                   "relatedVulnerabilities": [], "matchDetails": [{"type": "exact-direct-match", "matcher": "apk-matcher", "searchedBy": {"distro": {"type": "alpine", "version": "3.19.1"}},
                   "found": {"vulnerabilityID": "CVE-2024-%05d" % k, "versionConstraint": "< 9.9.9"}}], "artifact": artifact(*p)})
    return {"matches": ms, "source": {"type": "image", "target": source(d)["metadata"]}, "distro": {"name": "alpine", "version": "3.19.1", "idLike": []},
            "descriptor": {"name": "grype", "version": "0.80.0", "timestamp": "2024-09-03T10:00:00Z"}}


def cosign(i):
    return [{"critical": {"identity": {"docker-reference": "registry.example.com/app%d" % (i % 50)}, "image": {"docker-manifest-digest": "sha256:" + h()}, "type": "cosign container image signature"},
             "optional": {"Bundle": {"SignedEntryTimestamp": h(96), "Payload": {"body": h(400), "integratedTime": 1725350400 + i, "logIndex": i, "logID": h()}},
                          "Issuer": "https://token.actions.githubusercontent.com", "Subject": "https://github.com/example/app%d/.github/workflows/release.yml@refs/heads/main" % (i % 50)}} for _ in range(3)]


def write(name, n, f):
    with open(os.path.join(out, name), 'w') as o:
        for i in range(n):
            o.write(json.dumps(f(i), separators=(',', ':')) + '\n')
    print(name, os.path.getsize(os.path.join(out, name)), 'bytes', file=sys.stderr)


write('cloudtrail.jsonl', 60000 * scale, ct)
write('spdx.jsonl', 150 * scale, spdx)
write('cyclonedx.jsonl', 150 * scale, cdx)
write('syft.jsonl', 150 * scale, syft)
write('grype.jsonl', 150 * scale, grype)
write('cosign.jsonl', 20000 * scale, cosign)
