package dev.strata.parse.formats.k8saudit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One audit Event to OCSF 6003 API Activity.
 *
 * <pre>
 * verb                 -> activity: create 1 Create; get/list/watch 2 Read; update/patch 3 Update;
 *                         delete/deletecollection 4 Delete; anything else 99 Other (activity_name = verb)
 * user                 -> actor.user_name/user_uid/groups, user_type "ServiceAccount" (system:serviceaccount:*)
 *                         or "User"; user.extra -> unmapped; impersonatedUser.username -> actor.impersonated_user;
 *                         EKS IAM principals (aws-iam-authenticator): user.extra accessKeyId -> actor.credential_uid,
 *                         canonicalArn (a role) -> actor.session_issuer and account_uid, sessionName -> session_name
 * sourceIPs[0]         -> src_endpoint.ip (all of them in unmapped "sourceIPs")
 * requestURI/userAgent -> http_request.url/user_agent; method inferred from the verb
 * auditID, verb, objectRef.apiVersion, responseStatus -> api.request_uid/operation/version/response_code/
 *                         response_message (message, else reason); response_error = reason when code >= 400
 * objectRef            -> resources[0] (resource, name, namespace, subresource, apiGroup, uid),
 *                         kubernetes.namespace, kubernetes.pod_name (resource pods)
 * pods (create/update/patch incl. status, binding; not exec/attach/portforward/log), from responseObject then
 *                         requestObject -> kubernetes.pod_uid, node_name (spec.nodeName or Binding target),
 *                         pod_ip (status.podIP; several: unmapped k8s.pod.ips), host_ip, service_account
 *                         (namespace/name); unmapped k8s.pod.phase, k8s.pod.host_paths and strata.risk (privileged,
 *                         host_network, host_pid, host_ipc, host_path, sensitive_host_path, cap_*, run_as_root,
 *                         allow_privilege_escalation)
 * exec/attach/portforward -> process.cmd_line from the requestURI command= params, kubernetes.container_name
 * status               -> Success if responseStatus.code < 400, Failure if >= 400, Unknown without code
 * time                 -> stageTimestamp, else requestReceivedTimestamp, else v1beta1 timestamp, else CloudWatch
 *                         timestamp (ms)
 * workloads (deployments, daemonsets, statefulsets, replicasets, replicationcontrollers, jobs, cronjobs) -> their
 *                         pod template's strata.risk and k8s.pod.host_paths
 * annotations pod-security.kubernetes.io/audit-violations -> strata.risk of an admitted pod / workload whose object
 *                         is not logged (Metadata level; {@link PodSecurityViolations}), strata.risk_source = the
 *                         annotation's name
 * metadata.ownerReferences -> unmapped k8s.owner (Kind/name of the controller owner, else the first)
 * role bindings        -> unmapped k8s.rbac.role_ref (roleRef kind/name, from responseObject then requestObject)
 * unmapped             -> level, stage, apiVersion, annotations.*, requestObject / responseObject (JSON text,
 *                         bounded), metadata, objectRef.resourceVersion, CloudWatch wrapper fields (cloudwatch.*)
 * </pre>
 */
final class AuditMapper implements JsonRecordStream.RecordMapper {

  /** Resources whose objects hold a pod template (spec.template, CronJob spec.jobTemplate). */
  static final java.util.Set<String> WORKLOADS =
      java.util.Set.of("deployments", "daemonsets", "statefulsets", "replicasets", "replicationcontrollers", "jobs",
          "cronjobs");

  /** requestObject/responseObject and other JSON blobs keep at most this many bytes. */
  static final int MAX_OBJECT_BYTES = 64 * 1024;

  private final ChunkContext ctx;

  // one record's fields
  private String kind;
  private String apiVersion;
  private String level;
  private String auditId;
  private String stage;
  private String requestUri;
  private String verb;
  private String userAgent;
  private String userName;
  private String userUid;
  private final List<String> groups = new ArrayList<>(4);
  private boolean userSeen;
  private final List<String> sourceIps = new ArrayList<>(2);
  private String sourceIpsText;
  private final Map<String, String> objectRef = new LinkedHashMap<>(); // flattened, keys without prefix
  private boolean objectRefSeen;
  private Integer code;
  private String reason;
  private String statusMessage;
  private final Map<String, String> flat = new LinkedHashMap<>(); // goes to unmapped as is
  private String requestObject;
  private String responseObject;
  private final AuditedObject request = new AuditedObject();
  private final AuditedObject response = new AuditedObject();
  private String stageTimestamp;
  private String requestReceivedTimestamp;
  private String timestamp;
  private final Map<String, String> other = new LinkedHashMap<>();
  // unknown fields at the top level: the Event's own, or (if it was a wrapper) the CloudWatch record's
  private final Map<String, String> top = new LinkedHashMap<>();
  private String cloudWatchTimestamp;
  private String wrappedMessage;
  private boolean inner;
  // managed clusters' envelopes: GKE's Cloud Logging LogEntry, AKS's Azure diagnostic record
  private final GkeAuditPayload gke = new GkeAuditPayload();
  private final ManagedClusterEnvelope envelope = new ManagedClusterEnvelope();
  // a CloudWatch Logs subscription message's header (messageType, owner, logGroup, logStream come before its
  // logEvents): kept across the message's events (begin() does not clear it), replaced by the next message's
  private String subscriptionOwner;
  private String subscriptionLogGroup;
  private String subscriptionLogStream;
  /** EKS's control plane log group: {@code /aws/eks/<cluster>/cluster}. */
  private static final java.util.regex.Pattern EKS_LOG_GROUP = java.util.regex.Pattern.compile("^/aws/eks/([^/]+)/cluster$");

  AuditMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    kind = apiVersion = level = auditId = stage = requestUri = verb = userAgent = null;
    userName = userUid = sourceIpsText = reason = statusMessage = null;
    code = null;
    userSeen = objectRefSeen = false;
    groups.clear();
    sourceIps.clear();
    objectRef.clear();
    flat.clear();
    requestObject = responseObject = stageTimestamp = requestReceivedTimestamp = timestamp = null;
    request.clear();
    response.clear();
    other.clear();
    wrappedMessage = null;
    cloudWatchTimestamp = null;
    top.clear();
    inner = false;
    gke.clear();
    envelope.clear();
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "kind" -> kind = Json.scalarText(p);
      case "messageType" -> {
        if (inner) {
          other.put(name, src.valueText(p, MAX_OBJECT_BYTES));
        } else {
          Json.scalarText(p); // a new subscription message: its header follows
          subscriptionOwner = subscriptionLogGroup = subscriptionLogStream = null;
        }
      }
      case "owner", "logGroup", "logStream" -> {
        String v = src.valueText(p, MAX_OBJECT_BYTES);
        if (inner) {
          other.put(name, v);
        } else if (name.equals("owner")) {
          subscriptionOwner = v;
        } else if (name.equals("logGroup")) {
          subscriptionLogGroup = v;
        } else {
          subscriptionLogStream = v;
        }
      }
      case "apiVersion" -> apiVersion = Json.scalarText(p);
      case "level" -> level = Json.scalarText(p);
      case "auditID" -> auditId = Json.scalarText(p);
      case "stage" -> stage = Json.scalarText(p);
      case "requestURI" -> requestUri = Json.scalarText(p);
      case "verb" -> verb = Json.scalarText(p);
      case "userAgent" -> userAgent = Json.scalarText(p);
      case "user" -> user(p, src);
      case "impersonatedUser" -> objectInto(p, src, "impersonatedUser", flat);
      case "sourceIPs" -> sourceIps(p, src);
      case "objectRef" -> {
        objectRefSeen = p.currentToken() == JsonToken.START_OBJECT;
        objectInto(p, src, "", objectRef);
      }
      case "responseStatus" -> responseStatus(p, src);
      case "annotations" -> objectInto(p, src, "annotations", flat);
      case "requestObject" -> requestObject = auditedObject(p, src, request);
      case "responseObject" -> responseObject = auditedObject(p, src, response);
      case "stageTimestamp" -> stageTimestamp = Json.scalarText(p);
      case "requestReceivedTimestamp" -> requestReceivedTimestamp = Json.scalarText(p);
      case "timestamp" -> {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
          timestamp = p.getText();
        } else {
          cloudWatchTimestamp = src.valueText(p, MAX_OBJECT_BYTES); // CloudWatch: epoch millis
        }
      }
      case "protoPayload" -> {
        if (!inner && p.currentToken() == JsonToken.START_OBJECT) {
          gke.read(p, src, request, response, MAX_OBJECT_BYTES);
        } else {
          other.put(name, src.valueText(p, MAX_OBJECT_BYTES));
        }
      }
      case "resource", "operation", "insertId", "logName", "labels", "properties", "resourceId", "category" -> {
        if (inner || !envelope.field(name, p, src, MAX_OBJECT_BYTES)) {
          String v = src.valueText(p, MAX_OBJECT_BYTES);
          if (v != null) (inner ? other : top).put(name, v);
        }
      }
      case "message", "@message" -> {
        if (!inner && p.currentToken() == JsonToken.VALUE_STRING) {
          wrappedMessage = p.getText();
        } else {
          other.put(name, src.valueText(p, MAX_OBJECT_BYTES));
        }
      }
      default -> {
        String v = src.valueText(p, MAX_OBJECT_BYTES);
        if (v != null) (inner ? other : top).put(name, v);
      }
    }
  }

  /** The text CloudWatch Logs puts in a subscription's control message's log event. */
  static final String CONTROL_MESSAGE = "CWL CONTROL MESSAGE";

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (gke.seen) {
      fromGke();
    }
    if (!isAuditEvent() && wrappedMessage == null && envelope.log != null) {
      wrappedMessage = envelope.log; // AKS: properties.log
    }
    if (!isAuditEvent() && wrappedMessage != null && wrappedMessage.startsWith(CONTROL_MESSAGE)) {
      // a CloudWatch Logs subscription's CONTROL_MESSAGE (its destination's health check, often the first record of
      // a Firehose object): no audit record, and nothing lost (firehose scenario: it was a dead letter per object)
      wrappedMessage = null;
      return null;
    }
    if (!isAuditEvent() && wrappedMessage != null) {
      String msg = wrappedMessage;
      wrappedMessage = null;
      inner = true;
      JsonRecordStream.readObject(msg.getBytes(StandardCharsets.UTF_8), this);
    }
    if (!isAuditEvent()) {
      throw new RecordException(
          RejectReason.MISSING_FIELD,
          "not a Kubernetes audit Event: no verb, auditID or requestURI"
              + (kind != null ? " (kind " + kind + ")" : ""));
    }
    if (apiVersion != null && apiVersion.startsWith("audit.k8s.io/") && !apiVersion.equals("audit.k8s.io/v1")
        && !apiVersion.startsWith("audit.k8s.io/v1beta1") && !apiVersion.startsWith("audit.k8s.io/v1alpha1")) {
      throw new RecordException(RejectReason.UNSUPPORTED_VERSION, "unsupported audit apiVersion " + apiVersion);
    }
    return map(span);
  }

  /** GKE: the audit Event's fields from the LogEntry's protoPayload (see {@link GkeAuditPayload}). */
  private void fromGke() throws RecordException {
    if (!gke.isKubernetes()) {
      throw new RecordException(
          RejectReason.UNSUPPORTED_VERSION,
          "a Google Cloud audit log entry of " + (gke.serviceName == null ? "an unnamed service" : gke.serviceName)
              + " (" + gke.methodName + "), not a Kubernetes (k8s.io) audit record");
    }
    verb = gke.verb;
    if (auditId == null) auditId = envelope.operationId != null ? envelope.operationId : envelope.insertId;
    if (gke.principal != null) {
      userSeen = true;
      userName = gke.principal;
    }
    for (Map.Entry<String, String> u : gke.user.entrySet()) flat.put("user." + u.getKey(), u.getValue());
    if (gke.callerIp != null) sourceIps.add(gke.callerIp);
    userAgent = gke.userAgent;
    if (gke.resource != null || gke.name != null || gke.namespace != null) {
      objectRefSeen = true;
      putIf(objectRef, "resource", gke.resource);
      putIf(objectRef, "subresource", gke.subresource);
      putIf(objectRef, "namespace", gke.namespace);
      putIf(objectRef, "name", gke.name);
      putIf(objectRef, "apiGroup", gke.apiGroup);
      putIf(objectRef, "apiVersion", gke.apiVersion);
    }
    code = gke.httpCode();
    statusMessage = gke.statusMessage;
    if (gke.rpcCode != null) flat.put("gke.status.code", Integer.toString(gke.rpcCode));
    requestObject = gke.requestObject;
    responseObject = gke.responseObject;
    putIf(flat, "gke.methodName", gke.methodName);
    putIf(flat, "gke.resourceName", gke.resourceName);
    for (Map.Entry<String, String> o : gke.other.entrySet()) flat.put("gke.protoPayload." + o.getKey(), o.getValue());
  }

  private void user(JsonParser p, Source src) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      other.put("user", src.valueText(p, MAX_OBJECT_BYTES));
      return;
    }
    userSeen = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "username" -> userName = Json.scalarText(p);
        case "uid" -> userUid = Json.scalarText(p);
        case "groups" -> {
          if (t == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
              String g = Json.scalarText(p);
              if (g != null) groups.add(g);
            }
          } else {
            Json.scalarText(p);
          }
        }
        case "extra" -> objectInto(p, src, "user.extra", flat);
        default -> {
          String v = src.valueText(p, MAX_OBJECT_BYTES);
          if (v != null) flat.put("user." + f, v);
        }
      }
    }
  }

  /**
   * A requestObject / responseObject: an object is streamed once into {@code facts} and kept as its original text
   * (bounded); anything else as its text.
   */
  static String auditedObject(JsonParser p, Source src, AuditedObject facts) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) return src.valueText(p, MAX_OBJECT_BYTES);
    facts.clear();
    long s = p.currentTokenLocation().getByteOffset();
    facts.read(p);
    return src.text(s, p.currentLocation().getByteOffset(), MAX_OBJECT_BYTES);
  }

  private void sourceIps(JsonParser p, Source src) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      other.put("sourceIPs", src.valueText(p, MAX_OBJECT_BYTES));
      return;
    }
    long s = p.currentTokenLocation().getByteOffset();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String ip = Json.scalarText(p);
      if (ip != null) sourceIps.add(ip);
    }
    sourceIpsText = src.text(s, p.currentLocation().getByteOffset(), MAX_OBJECT_BYTES);
  }

  private void responseStatus(JsonParser p, Source src) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      other.put("responseStatus", src.valueText(p, MAX_OBJECT_BYTES));
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "code" -> {
          if (t == JsonToken.VALUE_NUMBER_INT) code = p.getIntValue();
          else {
            String c = Json.scalarText(p);
            if (c != null && isDigits(c) && c.length() < 10) code = Integer.parseInt(c);
          }
        }
        case "reason" -> reason = Json.scalarText(p);
        case "message" -> statusMessage = Json.scalarText(p);
        case "metadata" -> {
          String m = src.valueText(p, MAX_OBJECT_BYTES);
          if (m != null && !m.equals("{}")) flat.put("responseStatus.metadata", m);
        }
        default -> {
          String v = src.valueText(p, MAX_OBJECT_BYTES);
          if (v != null) flat.put("responseStatus." + f, v);
        }
      }
    }
  }

  /** An object flattened into {@code into} under {@code prefix}; anything else kept as text. */
  private void objectInto(JsonParser p, Source src, String prefix, Map<String, String> into) throws IOException {
    if (p.currentToken() == JsonToken.START_OBJECT) {
      src.flatten(p, prefix, into, MAX_OBJECT_BYTES);
    } else {
      String v = src.valueText(p, MAX_OBJECT_BYTES);
      if (v != null) other.put(prefix.isEmpty() ? "objectRef" : prefix, v);
    }
  }

  /**
   * A service account's bound token names the pod it was issued to in the request's {@code user.extra}
   * ({@code authentication.kubernetes.io/pod-name}, {@code pod-uid} since Kubernetes 1.21 ... 1.22; {@code node-name}
   * since 1.30): every request made with it, from the pod or from wherever the token was copied to, is that pod's.
   * Kept as unmapped {@code k8s.token.pod} (namespace/name) and {@code k8s.token.node}; and when the request's object
   * is not a pod (a secret, a CronJob, a review, a cluster-scoped object) the event names that pod (kubernetes.namespace,
   * pod_name, pod_uid, node_name) as a request from inside the cluster does through its source address. Found by
   * {@code CiRunnerEscapeScenarioIT}: the job pod's token, copied out, created a CronJob from the attacker's address,
   * an event that named no pod and joined the incident only because the same address appeared elsewhere. A request
   * about another pod keeps that pod (the object) as its pod.
   *
   * <p>An object in another namespace than the token's (the token listing {@code kube-system}'s secrets): the event's
   * pod is still the token's, in the token's namespace ({@code kubernetes.namespace} is the pod's, as for a
   * cluster-scoped object), and the object keeps its own namespace in {@code resources[0].namespace} and in unmapped
   * {@code k8s.object.namespace}. Until session 13 such a request named no pod (a pod name under the object's
   * namespace would have named a pod that does not exist there). A list or watch of pods (no pod named) is a request
   * whose object is not a pod: the token's pod's, like a secrets list.
   */
  private Kubernetes tokenPod(EvidenceEvent e, Kubernetes k, String resource, String namespace, Map<String, String> u) {
    String pod = firstOfList(flat.get("user.extra.authentication.kubernetes.io/pod-name"));
    String sa = serviceAccountOf(userName);
    if (pod == null || sa == null) return k;
    String tokenNs = sa.substring(0, sa.indexOf('/'));
    String node = firstOfList(flat.get("user.extra.authentication.kubernetes.io/node-name"));
    u.put("k8s.token.pod", tokenNs + "/" + pod);
    if (node != null) u.put("k8s.token.node", node);
    // a request about one pod is that pod's; a list / watch of the pods collection names no pod: the token's pod's
    // (CrioKubeadmScenarioIT: the notebook's token listing ml-batch's pods named no pod at all)
    if ("pods".equals(resource) && k != null && k.getPodName() != null) return k;
    if (namespace != null && !namespace.equals(tokenNs)) u.put("k8s.object.namespace", namespace);
    if (k == null) {
      k = new Kubernetes();
      e.setKubernetes(k);
    }
    k.setNamespace(tokenNs);
    k.setPodName(pod);
    k.setPodUid(firstOfList(flat.get("user.extra.authentication.kubernetes.io/pod-uid")));
    if (node != null) k.setNodeName(node);
    return k;
  }

  /** The manifest digest of a containerStatuses imageID ({@code repo@sha256:...} or {@code sha256:...}), else null. */
  private static String imageDigest(String imageId) {
    if (imageId == null) return null;
    int at = imageId.indexOf("@sha256:");
    return at >= 0 ? imageId.substring(at + 1) : imageId.startsWith("sha256:") ? imageId : null;
  }

  /** The single value of a {@code user.extra} entry as flattened ({@code ["v"]}), else null. */
  static String firstOfList(String json) {
    if (json == null) return null;
    String t = json.trim();
    if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1).trim();
    if (t.length() < 2 || t.charAt(0) != '"' || t.charAt(t.length() - 1) != '"') return null;
    t = t.substring(1, t.length() - 1);
    return t.isEmpty() || t.contains("\"") || t.contains("\\") ? null : t;
  }

  private boolean isAuditEvent() {
    return verb != null || auditId != null || requestUri != null;
  }

  /**
   * A CloudWatch Logs subscription message's record (EKS's control plane logs through Firehose to S3): its log group
   * {@code /aws/eks/<cluster>/cluster} names the cluster (over the collection context's), its owner the account where
   * the context names none (a bucket pulled by {@code strata pull-s3} has no context). Found by FirehoseVpcCniScenarioIT: the audit records named no
   * cluster, so nothing of the cluster's pods resolved for them.
   */
  private void subscription(EvidenceEvent e) {
    if (subscriptionLogGroup == null || !inner) return;
    e.getUnmapped().put("cloudwatch.logGroup", subscriptionLogGroup);
    if (subscriptionLogStream != null) e.getUnmapped().put("cloudwatch.logStream", subscriptionLogStream);
    if (subscriptionOwner != null) e.getUnmapped().put("cloudwatch.owner", subscriptionOwner);
    java.util.regex.Matcher m = EKS_LOG_GROUP.matcher(subscriptionLogGroup);
    if (!m.matches()) return;
    Kubernetes k = e.getKubernetes();
    if (k == null) {
      k = new Kubernetes();
      e.setKubernetes(k);
    }
    k.setCluster(m.group(1)); // the record knows its cluster better than a bundle's defaults (as an envelope's)
    if (subscriptionOwner != null && subscriptionOwner.matches("\\d{12}")) {
      dev.strata.schema.event.Cloud c = e.getCloud();
      if (c == null) {
        c = new dev.strata.schema.event.Cloud();
        e.setCloud(c);
      }
      if (c.getProvider() == null) c.setProvider("aws");
      if (c.getAccountUid() == null) c.setAccountUid(subscriptionOwner);
    }
  }

  private EvidenceEvent map(RecordSpan span) {
    int activity = activityOf(verb);
    String activityName = activity == OcsfClass.ACTIVITY_OTHER ? verb : OcsfClass.apiActivityName(activity);
    // One request is logged once per stage, and the same record can appear in several files (rotated copies, the
    // log of each API server, a CloudWatch export next to the node's file): auditID + stage identifies it, so every
    // copy maps to the same event id and lands once in the index.
    String id = auditId != null && stage != null ? ctx.keyedId("k8s_audit", auditId, stage)
        : auditId != null && gke.seen ? ctx.keyedId("k8s_audit", auditId, "gke") // one LogEntry per request
        : null;
    EvidenceEvent e =
        ctx.newEvent(
            id, OcsfClass.API_ACTIVITY, activity, activityName, span.start(), span.end(), span.line(),
            span.ordinal(), 0, new java.util.HashMap<>(32));
    e.setSeverityId(1);
    e.setSeverity("Informational");
    Map<String, String> u = e.getUnmapped();

    // time
    if (stageTimestamp != null) {
      ctx.applyTime(e, stageTimestamp, "stageTimestamp");
    } else if (requestReceivedTimestamp != null) {
      ctx.applyTime(e, requestReceivedTimestamp, "requestReceivedTimestamp");
    } else if (timestamp != null) {
      ctx.applyTime(e, timestamp, "timestamp");
    } else if (isDigits(cloudWatchTimestamp)) {
      e.setTimeOriginal(cloudWatchTimestamp);
      e.setTime(Timestamps.toInstant(Long.parseLong(cloudWatchTimestamp) * 1000L));
      Events.warn(e, "no audit timestamp; time = CloudWatch Logs timestamp");
    } else {
      ctx.applyTime(e, null, "stageTimestamp");
    }
    if (requestReceivedTimestamp != null) u.put("requestReceivedTimestamp", requestReceivedTimestamp);
    if (stageTimestamp != null && timestamp != null) u.put("timestamp", timestamp);

    // actor
    if (userSeen || flat.containsKey("impersonatedUser.username")) {
      String imp = flat.get("impersonatedUser.username");
      // an IAM principal's request on EKS (aws-iam-authenticator, access entries): user.extra names the STS key it
      // signed with, the role and the session, which is how the request meets the CloudTrail of the session
      // (FargateFleetScenarioIT: a chained session's kubectl exec named no key, no role)
      String awsKey = firstOfList(flat.get("user.extra.accessKeyId"));
      String awsRole = firstOfList(flat.get("user.extra.canonicalArn"));
      String[] roleArn = awsRole == null ? new String[0] : awsRole.split(":", 6);
      e.setActor(
          new Actor(
              userName,
              userUid,
              userName == null ? null : userName.startsWith("system:serviceaccount:") ? "ServiceAccount" : "User",
              roleArn.length == 6 && !roleArn[4].isEmpty() ? roleArn[4] : null,
              new ArrayList<>(groups),
              awsKey,
              awsRole != null && awsRole.contains(":role/") ? awsRole : null,
              null,
              imp,
              firstOfList(flat.get("user.extra.sessionName")),
              serviceAccountOf(userName)));
    }

    // source
    String ip = sourceIps.isEmpty() ? null : sourceIps.get(0);
    if (sourceIpsText != null) u.put("sourceIPs", sourceIpsText);
    if (ip != null) e.setSrcEndpoint(new Endpoint(ip, null, null, null, null, null));
    if (requestUri != null || userAgent != null) {
      e.setHttpRequest(new HttpRequest(methodOf(verb), requestUri, userAgent));
    }

    // api + status
    String resource = objectRef.get("resource");
    String subresource = objectRef.get("subresource");
    String namespace = objectRef.get("namespace");
    String name = objectRef.get("name");
    if (name == null && objectRefSeen) {
      // create: the object has no name in objectRef yet; the API server returns it (generateName)
      name = response.name;
      if (name == null) name = request.name;
      if (name != null) u.put("strata.name_from", responseObject != null ? "responseObject" : "requestObject");
    }
    e.setApi(
        new Api(
            "kube-apiserver",
            verb,
            objectRef.get("apiVersion"),
            auditId,
            code,
            code != null && code >= 400 ? (reason != null ? reason : Integer.toString(code)) : null,
            statusMessage != null ? statusMessage : reason));
    if (code != null) {
      e.setStatus(code < 400 ? "Success" : "Failure");
      e.setStatusCode(Integer.toString(code));
      if (reason != null || statusMessage != null) e.setStatusDetail(reason != null ? reason : statusMessage);
    } else {
      e.setStatus("Unknown");
    }

    // resource + kubernetes
    if (objectRefSeen) {
      e.getResources()
          .add(new Resource(resource, name, objectRef.get("uid"), namespace, subresource, objectRef.get("apiGroup")));
      String rv = objectRef.get("resourceVersion");
      if (rv != null) u.put("objectRef.resourceVersion", rv);
    }
    Kubernetes k = e.getKubernetes();
    if (namespace != null || "pods".equals(resource)) {
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setNamespace(namespace);
      if ("pods".equals(resource)) k.setPodName(name);
    }
    k = tokenPod(e, k, resource, namespace, u);
    // the object's controller (metadata.ownerReferences): a Job's pods, a CronJob's Jobs, a ReplicaSet's pods
    AuditedObject owned = response.ownerKind != null ? response : request;
    if (owned.ownerKind != null && subresource == null) u.put("k8s.owner", owned.ownerKind + "/" + owned.ownerName);
    if ("pods".equals(resource) && !"exec".equals(subresource) && !"attach".equals(subresource)
        && !"portforward".equals(subresource) && !"log".equals(subresource)) {
      PodFacts pod = PodFacts.of(response, request, namespace);
      if (!pod.isEmpty()) {
        if (pod.uid() != null && (subresource == null || "status".equals(subresource))) k.setPodUid(pod.uid());
        if (pod.nodeName() != null) k.setNodeName(pod.nodeName());
        if (pod.podIp() != null) k.setPodIp(pod.podIp());
        if (pod.hostIp() != null) k.setHostIp(pod.hostIp());
        if (pod.serviceAccount() != null) k.setServiceAccount(pod.serviceAccount());
        if (pod.podIps().size() > 1) u.put("k8s.pod.ips", String.join(",", pod.podIps()));
        if (pod.phase() != null) u.put("k8s.pod.phase", pod.phase());
        if (!pod.risks().isEmpty()) u.put("strata.risk", String.join(",", pod.risks()));
        if (!pod.hostPaths().isEmpty()) u.put("k8s.pod.host_paths", String.join(",", pod.hostPaths()));
      }
      // the image a pod's status reports (one container: its kubelet's status patch, or a one-container pod): the
      // only record of which image a pod ran when nothing of its node is collected (EKS Fargate; FargateFleetScenarioIT:
      // strata scope of the digest found no pod). Unmapped, not the event's container: an audit event naming the
      // container changed how the correlation job answered the container's CRI log lines (EksIncidentScenarioIT)
      AuditedObject st = response.containerStatuses.isEmpty() ? request : response;
      if (st.containerStatuses.size() == 1) {
        String digest = imageDigest(st.containerStatuses.get(0)[3]);
        if (digest != null) u.put("k8s.pod.image_digest", digest);
      }
    }
    if ("pods".equals(resource)
        && ("exec".equals(subresource) || "attach".equals(subresource) || "portforward".equals(subresource))
        && requestUri != null) {
      Query q = Query.of(requestUri);
      if (!q.commands.isEmpty()) {
        e.setProcess(new Process(null, q.commands.get(0), String.join(" ", q.commands), null, null, q.tty, null, null, null, null, null));
      }
      if (q.container != null) k.setContainerName(q.container);
      if (q.ports != null) u.put("portforward.ports", q.ports);
    } else if ("pods".equals(resource) && ("exec".equals(subresource) || "attach".equals(subresource))) {
      // GKE: no requestURI; the exec's PodExecOptions are its request
      if (!request.command.isEmpty()) {
        e.setProcess(new Process(null, request.command.get(0), String.join(" ", request.command), null, null,
            request.tty, null, null, null, null, null));
      }
      if (request.container != null) k.setContainerName(request.container);
    }
    if (resource != null && WORKLOADS.contains(resource) && subresource == null) {
      // a workload's pod template: the pods its controller will create carry these settings
      PodFacts template = PodFacts.ofTemplate(response, request);
      if (!template.risks().isEmpty()) u.put("strata.risk", String.join(",", template.risks()));
      if (!template.hostPaths().isEmpty()) u.put("k8s.pod.host_paths", String.join(",", template.hostPaths()));
    }
    if (!u.containsKey("strata.risk") && !"Failure".equals(e.getStatus()) && subresource == null
        && ("pods".equals(resource) || (resource != null && WORKLOADS.contains(resource)))) {
      // no object logged (a Metadata-level policy): Pod Security Admission's audit annotation still names what the
      // admitted pod (template) asked for
      java.util.Set<String> psa =
          PodSecurityViolations.risks(flat.get("annotations." + PodSecurityViolations.AUDIT_VIOLATIONS));
      if (!psa.isEmpty()) {
        u.put("strata.risk", String.join(",", psa));
        u.put("strata.risk_source", PodSecurityViolations.AUDIT_VIOLATIONS);
      }
    }
    if ("clusterrolebindings".equals(resource) || "rolebindings".equals(resource)) {
      AuditedObject b = response.roleRefName != null ? response : request;
      if (b.roleRefName != null) {
        u.put("k8s.rbac.role_ref", (b.roleRefKind == null ? "" : b.roleRefKind + "/") + b.roleRefName);
      }
    }
    envelope.apply(e);
    subscription(e);

    // unmapped
    putIf(u, "kind", kind);
    putIf(u, "apiVersion", apiVersion);
    putIf(u, "level", level);
    putIf(u, "stage", stage);
    u.putAll(flat);
    putIf(u, "requestObject", requestObject);
    putIf(u, "responseObject", responseObject);
    u.putAll(other);
    String wrapper = gke.seen ? "gke." : envelope.isAzure() ? "azure." : inner ? "cloudwatch." : "";
    for (Map.Entry<String, String> w : top.entrySet()) u.put(wrapper + w.getKey(), w.getValue());
    envelope.unmapped(u, wrapper);
    if (cloudWatchTimestamp != null) u.put("cloudwatch.timestamp", cloudWatchTimestamp);

    e.setMessage(summary(userName, name, namespace, resource, subresource, code));
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  private String summary(
      String userName, String name, String namespace, String resource, String subresource, Integer code) {
    StringBuilder sb = new StringBuilder(96);
    sb.append(userName == null ? "?" : userName).append(' ').append(verb == null ? "?" : verb);
    if (resource != null) {
      sb.append(' ').append(resource);
      if (subresource != null) sb.append('/').append(subresource);
    } else if (requestUri != null) {
      sb.append(' ').append(requestUri);
    }
    if (namespace != null && name != null) {
      sb.append(' ').append(namespace).append('/').append(name);
    } else if (namespace != null) {
      sb.append(' ').append(namespace);
    } else if (name != null) {
      sb.append(' ').append(name);
    }
    if (code != null) sb.append(" (").append(code).append(')');
    return sb.toString();
  }

  static int activityOf(String verb) {
    if (verb == null) return OcsfClass.ACTIVITY_UNKNOWN;
    switch (verb) {
      case "create":
        return OcsfClass.ACTIVITY_CREATE;
      case "get":
      case "list":
      case "watch":
        return OcsfClass.ACTIVITY_READ;
      case "update":
      case "patch":
        return OcsfClass.ACTIVITY_UPDATE;
      case "delete":
      case "deletecollection":
        return OcsfClass.ACTIVITY_DELETE;
      default:
        return OcsfClass.ACTIVITY_OTHER;
    }
  }

  static String methodOf(String verb) {
    if (verb == null) return null;
    switch (verb) {
      case "create":
        return "POST";
      case "get":
      case "list":
      case "watch":
        return "GET";
      case "update":
        return "PUT";
      case "patch":
        return "PATCH";
      case "delete":
      case "deletecollection":
        return "DELETE";
      default:
        return null; // impersonate, bind, escalate, approve, ...: not an HTTP method
    }
  }

  private static boolean isDigits(String s) {
    if (s == null || s.isEmpty() || s.length() > 18) return false;
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return true;
  }

  private static void putIf(Map<String, String> u, String k, String v) {
    if (v != null) u.put(k, v);
  }

  /** The query parameters of an exec/attach/portforward request URI. */
  static final class Query {
    final List<String> commands = new ArrayList<>();
    String container;
    Boolean tty;
    String ports;

    static Query of(String uri) {
      Query q = new Query();
      int qm = uri.indexOf('?');
      if (qm < 0) return q;
      for (String part : uri.substring(qm + 1).split("&")) {
        int eq = part.indexOf('=');
        String k = decode(eq < 0 ? part : part.substring(0, eq));
        String v = eq < 0 ? "" : decode(part.substring(eq + 1));
        switch (k) {
          case "command" -> q.commands.add(v);
          case "container" -> {
            if (q.container == null) q.container = v;
          }
          case "tty" -> q.tty = "true".equals(v) || "1".equals(v);
          case "ports" -> q.ports = q.ports == null ? v : q.ports + "," + v;
          default -> {}
        }
      }
      return q;
    }

    private static String decode(String s) {
      try {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return s; // bad %-escape: keep as written
      }
    }
  }

  /** {@code system:serviceaccount:<ns>:<name>} -> {@code <ns>/<name>}; anything else -> null. */
  static String serviceAccountOf(String userName) {
    if (userName == null || !userName.startsWith("system:serviceaccount:")) return null;
    String rest = userName.substring("system:serviceaccount:".length());
    int colon = rest.indexOf(':');
    return colon <= 0 || colon == rest.length() - 1 ? null : rest.substring(0, colon) + "/" + rest.substring(colon + 1);
  }
}
