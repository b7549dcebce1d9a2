package dev.strata.parse.formats.k8saudit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream.Source;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GKE's Kubernetes audit record: the {@code protoPayload} of a Cloud Logging {@code LogEntry}
 * ({@code type.googleapis.com/google.cloud.audit.AuditLog}, {@code serviceName} {@code k8s.io}; logs
 * {@code cloudaudit.googleapis.com/activity} and {@code /data_access}), as a Logging sink writes it to Cloud Storage or
 * BigQuery's JSON export, {@code gcloud logging read --format=json} prints it, or a Pub/Sub sink delivers it. Read in
 * one streaming pass into the fields of an audit Event:
 *
 * <pre>
 * methodName  io.k8s.&lt;group&gt;.&lt;version&gt;.&lt;resource&gt;[.&lt;subresource&gt;].&lt;verb&gt; -> verb, resource, subresource
 * resourceName &lt;group&gt;/&lt;version&gt;/[namespaces/&lt;ns&gt;/]&lt;resource&gt;[/&lt;name&gt;[/&lt;subresource&gt;]] (core for the
 *             core group; a projects/.../k8s/ prefix is skipped) -> objectRef apiGroup, apiVersion, namespace, name
 * authenticationInfo.principalEmail -> user.username (other members: user.* in unmapped)
 * requestMetadata.callerIp / callerSuppliedUserAgent -> sourceIPs[0] / userAgent
 * request / response -> requestObject / responseObject (a PodExecOptions request gives the exec's command)
 * status.code (google.rpc.Code; absent = OK) -> responseStatus.code as the HTTP status the API server answered
 *             (0 -> 200, 3 -> 400, 7 -> 403, 5 -> 404, ...); status.message -> its message
 * anything else -> unmapped gke.protoPayload.*
 * </pre>
 *
 * The LogEntry's own fields are read by {@link AuditMapper}: {@code timestamp}, {@code insertId} / {@code operation.id}
 * (the audit ID), {@code labels} (the audit annotations: authorization decision and reason, pod security), and
 * {@code resource.labels} (cluster_name, project_id, location). See Google Cloud "Audit logging" for GKE and the
 * {@code google.cloud.audit.AuditLog} reference.
 */
final class GkeAuditPayload {
  static final String TYPE = "type.googleapis.com/google.cloud.audit.AuditLog";
  private static final Pattern VERSION = Pattern.compile("v\\d+(?:(?:alpha|beta)\\d*)?");

  boolean seen;
  String type;
  String serviceName;
  String methodName;
  String resourceName;
  String principal;
  String callerIp;
  String userAgent;
  /** google.rpc.Code, null when the status has none (OK). */
  Integer rpcCode;
  String statusMessage;
  String requestObject;
  String responseObject;
  /** Other members, unmapped under {@code gke.protoPayload.}. */
  final Map<String, String> other = new LinkedHashMap<>();
  /** authenticationInfo members other than principalEmail, unmapped under {@code user.}. */
  final Map<String, String> user = new LinkedHashMap<>();

  // derived from methodName and resourceName by resolve()
  String verb;
  String apiGroup;
  String apiVersion;
  String resource;
  String subresource;
  String namespace;
  String name;

  void clear() {
    seen = false;
    type = serviceName = methodName = resourceName = principal = callerIp = userAgent = statusMessage = null;
    requestObject = responseObject = null;
    rpcCode = null;
    other.clear();
    user.clear();
    verb = apiGroup = apiVersion = resource = subresource = namespace = name = null;
  }

  /** Streams the protoPayload object {@code p} is at (START_OBJECT) to its END_OBJECT. */
  void read(JsonParser p, Source src, AuditedObject request, AuditedObject response, int maxBytes)
      throws IOException {
    seen = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "@type" -> type = Json.scalarText(p);
        case "serviceName" -> serviceName = Json.scalarText(p);
        case "methodName" -> methodName = Json.scalarText(p);
        case "resourceName" -> resourceName = Json.scalarText(p);
        case "authenticationInfo" -> members(p, src, f, maxBytes, (a, at) -> {
          if (a.equals("principalEmail")) principal = Json.scalarText(p);
          else putIf(user, a, src.valueText(p, maxBytes));
        });
        case "requestMetadata" -> members(p, src, f, maxBytes, (a, at) -> {
          switch (a) {
            case "callerIp" -> callerIp = Json.scalarText(p);
            case "callerSuppliedUserAgent" -> userAgent = Json.scalarText(p);
            default -> putIf(other, "requestMetadata." + a, src.valueText(p, maxBytes));
          }
        });
        case "status" -> members(p, src, f, maxBytes, (a, at) -> {
          switch (a) {
            case "code" -> {
              String c = Json.scalarText(p);
              if (at == JsonToken.VALUE_NUMBER_INT || (c != null && c.matches("\\d{1,2}"))) {
                rpcCode = Integer.parseInt(c);
              }
            }
            case "message" -> statusMessage = Json.scalarText(p);
            default -> putIf(other, "status." + a, src.valueText(p, maxBytes));
          }
        });
        case "request" -> requestObject = AuditMapper.auditedObject(p, src, request);
        case "response" -> responseObject = AuditMapper.auditedObject(p, src, response);
        default -> putIf(other, f, src.valueText(p, maxBytes));
      }
    }
    resolve();
  }

  /** One member of an object: its name and the token of its value (the parser is at the value). */
  private interface Member {
    void read(String name, JsonToken value) throws IOException;
  }

  /** Each member of field {@code f}'s object value to {@code member}; a value that is no object is kept as text. */
  private void members(JsonParser p, Source src, String f, int maxBytes, Member member) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      other.put(f, src.valueText(p, maxBytes));
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      member.read(name, p.nextToken());
    }
  }

  /** A Kubernetes audit record (serviceName k8s.io), not another Google Cloud service's audit log. */
  boolean isKubernetes() {
    return "k8s.io".equals(serviceName) || (serviceName == null && methodName != null && methodName.startsWith("io.k8s."));
  }

  /**
   * The HTTP status the API server answered, from the google.rpc.Code Cloud Logging recorded (absent = OK = 200), as
   * the API server maps them (k8s.io/apiserver's status codes and grpc's HTTP mapping).
   */
  Integer httpCode() {
    if (rpcCode == null) return 200;
    return switch (rpcCode) {
      case 0 -> 200;
      case 1 -> 499; // CANCELLED
      case 3, 9, 11 -> 400; // INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE
      case 4 -> 504; // DEADLINE_EXCEEDED
      case 5 -> 404; // NOT_FOUND
      case 6, 10 -> 409; // ALREADY_EXISTS, ABORTED (conflict)
      case 7 -> 403; // PERMISSION_DENIED
      case 8 -> 429; // RESOURCE_EXHAUSTED
      case 12 -> 501; // UNIMPLEMENTED
      case 14 -> 503; // UNAVAILABLE
      case 16 -> 401; // UNAUTHENTICATED
      default -> 500; // UNKNOWN, INTERNAL, DATA_LOSS
    };
  }

  /** verb, group, version, resource and subresource from methodName; namespace and name from resourceName. */
  private void resolve() {
    String methodResource = null;
    if (methodName != null && methodName.startsWith("io.k8s.")) {
      String[] m = methodName.substring("io.k8s.".length()).split("\\.");
      int v = -1;
      for (int i = 0; i < m.length; i++) {
        if (VERSION.matcher(m[i]).matches()) {
          v = i;
          break;
        }
      }
      if (m.length >= 1) verb = m[m.length - 1];
      if (v >= 0 && m.length - v >= 3) {
        apiVersion = m[v];
        methodResource = m[v + 1];
        if (m.length - v >= 4) subresource = m[v + 2];
      }
    }
    if (resourceName == null) {
      resource = methodResource;
      return;
    }
    String rn = resourceName;
    int k8s = rn.indexOf("/k8s/");
    if (rn.startsWith("projects/") && k8s >= 0) rn = rn.substring(k8s + "/k8s/".length());
    String[] s = rn.split("/");
    int i = 0;
    if (s.length >= 2 && VERSION.matcher(s[1]).matches()) {
      apiGroup = s[0].equals("core") ? "" : s[0];
      if (apiVersion == null) apiVersion = s[1];
      i = 2;
    }
    if (s.length - i >= 3 && s[i].equals("namespaces") && !"namespaces".equals(methodResource)) {
      namespace = s[i + 1];
      i += 2;
    }
    if (i < s.length) resource = s[i];
    if (i + 1 < s.length) name = s[i + 1];
    if (i + 2 < s.length && subresource == null) subresource = s[i + 2];
    if (methodResource != null && !methodResource.equals(resource)) {
      // the path did not say the resource where the method does (a collection, a shortened name): trust the method
      resource = methodResource;
    }
  }

  private static void putIf(Map<String, String> m, String k, String v) {
    if (v != null) m.put(k, v);
  }
}
