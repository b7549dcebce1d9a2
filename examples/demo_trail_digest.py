"""CloudTrail digest files for the demo bundle: log file integrity validation, as AWS delivers it.

Made by us from the AWS documentation ("CloudTrail digest file structure", "Custom implementations of CloudTrail log
file integrity validation"); not AWS output. AWS signs with its own regional key; the demo signs with a demo key pair
kept next to this file (examples/demo-keys/, NEVER a real key) so that `strata verify-trail` and the demo summary can
check the signatures offline with the public half, as a responder does with `aws cloudtrail list-public-keys` output.

Each digest: SHA-256 of every listed log file's *uncompressed* content, the chain to the previous digest (hash of its
uncompressed content + its signature), and a SHA256withRSA signature over
    digestEndTime \\n digestS3Bucket/digestS3Object \\n hex(sha256(uncompressed digest)) \\n previousDigestSignature
written as the `<digest>.json.gz.sig` sidecar (S3 object metadata x-amz-meta-signature does not survive a copy).
RSA PKCS#1 v1.5 signatures are deterministic: re-running rewrites byte-identical files.
"""
import gzip, hashlib, io, json, os
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo-keys")
PRIVATE = os.path.join(KEYS, "cloudtrail-demo-signing-key.DEMO-ONLY.pem")
PUBLIC = os.path.join(KEYS, "cloudtrail-demo-public-key.pem")


def _key():
    os.makedirs(KEYS, exist_ok=True)
    if os.path.exists(PRIVATE):
        with open(PRIVATE, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with open(PRIVATE, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    pub = key.public_key()
    with open(PUBLIC, "wb") as f:
        f.write(pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    pkcs1 = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return key, hashlib.md5(pkcs1).hexdigest()


def _gzip(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as z:
        z.write(data)
    return buf.getvalue()


def write_digests(root, account, region, trail, bucket, hours):
    """hours: list of (digest_start, digest_end, [(log key, uncompressed bytes, oldest, newest)])."""
    key, fingerprint = _key()
    prev = None  # (key, sha256 hex of uncompressed, signature hex)
    for start, end, logs in hours:
        stamp = end.replace("-", "").replace(":", "")
        ymd = end[:10].replace("-", "/")
        dkey = (f"AWSLogs/{account}/CloudTrail-Digest/{region}/{ymd}/"
                f"{account}_CloudTrail-Digest_{region}_{trail}_{region}_{stamp}.json.gz")
        digest = {
            "awsAccountId": account,
            "digestStartTime": start,
            "digestEndTime": end,
            "digestS3Bucket": bucket,
            "digestS3Object": dkey,
            "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": max([l[3] for l in logs], default=None),
            "oldestEventTime": min([l[2] for l in logs], default=None),
            "previousDigestS3Bucket": bucket if prev else None,
            "previousDigestS3Object": prev[0] if prev else None,
            "previousDigestHashValue": prev[1] if prev else None,
            "previousDigestHashAlgorithm": "SHA-256" if prev else None,
            "previousDigestSignature": prev[2] if prev else None,
            "logFiles": [{"s3Bucket": bucket, "s3Object": k, "hashValue": hashlib.sha256(c).hexdigest(),
                          "hashAlgorithm": "SHA-256", "newestEventTime": n, "oldestEventTime": o}
                         for k, c, o, n in logs],
        }
        content = json.dumps(digest, separators=(",", ":")).encode()
        sha = hashlib.sha256(content).hexdigest()
        to_sign = f"{end}\n{bucket}/{dkey}\n{sha}\n{prev[2] if prev else 'null'}".encode()
        sig = key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256()).hex()
        path = os.path.join(root, dkey)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(_gzip(content))
        with open(path + ".sig", "w") as f:
            f.write(sig + "\n")
        prev = (dkey, sha, sig)
