package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code k8s_audit}: Kubernetes API server audit log (JSON lines of {@code audit.k8s.io} Events), also as exported
 * from EKS / CloudWatch Logs (JSON lines whose {@code "message"} string holds such an event, or the objects a
 * CloudWatch Logs export to S3 writes: {@code <task>/kube-apiserver-audit-<id>/000000.gz}, {@code <timestamp> <event>}
 * lines).
 *
 * <p>Path: {@code **}{@code /kubernetes/audit/*.log*}, {@code **}{@code /kube-apiserver-audit*.log*},
 * {@code **}{@code /audit/audit*.log*}. Content: the first line is an object with {@code "kind":"Event"} and an
 * {@code "apiVersion"} starting with {@code audit.k8s.io/}, or with {@code auditID}, {@code stage} and {@code verb}.
 * Framing: LINES.
 */
public final class K8sAuditRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "k8s_audit";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:kubernetes/audit/[^/]*\\.log[^/]*|kube-apiserver-audit[^/]*\\.log[^/]*|audit/audit[^/]*\\.log[^/]*"
              + "|kube-apiserver-audit-[^/]+/\\d{6}(?:\\.gz)?)");

  public K8sAuditRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  private static final ObjectMapper M = new ObjectMapper();

  @Override
  public ContentMatch probe(ContentSample sample) {
    ContentMatch managed = managedCluster(sample);
    if (managed != null) {
      return managed;
    }
    JsonSniff.FirstLine first = JsonSniff.firstLineObject(sample);
    if (first.none() != null) {
      JsonSniff.FirstLine export = JsonSniff.firstExportLineObject(sample);
      if (export.none() == null && verdict(export.obj()) == Verdict.YES) {
        return ContentMatch.strong(Framing.LINES, "CloudWatch Logs export to S3 of audit.k8s.io Events (EKS)");
      }
      return first.none();
    }
    JsonSniff.Obj o = first.obj();
    Verdict v = verdict(o);
    if (v == Verdict.YES) {
      return ContentMatch.strong(Framing.LINES, "JSON lines of audit.k8s.io Events");
    }
    String message = o.get("message");
    if (message != null) {
      byte[] m = message.getBytes(StandardCharsets.UTF_8);
      JsonSniff.Obj inner = JsonSniff.object(m, 0, m.length);
      if (inner.valid() && verdict(inner) == Verdict.YES) {
        return ContentMatch.strong(Framing.LINES, "JSON lines whose message holds an audit.k8s.io Event (EKS export)");
      }
    }
    if (!o.complete() && v == Verdict.MAYBE) {
      return ContentMatch.weak(Framing.LINES, "first line longer than the sample, consistent with an audit Event");
    }
    return ContentMatch.none("first line is not an audit.k8s.io Event");
  }

  /** GKE / AKS / CloudWatch subscription forms (see the class comment), or null when the sample is none of them. */
  private static ContentMatch managedCluster(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return null;
    }
    byte[] b = sample.bytes();
    if (b[start] == '[') {
      JsonNode first = firstArrayElement(b, start);
      return first != null && isGkeAudit(first)
          ? ContentMatch.strong(Framing.JSON_RECORDS, "JSON array of GKE Cloud Logging entries of k8s.io audit records")
          : null;
    }
    JsonHead head = JsonHead.of(sample);
    if (!head.valid()) {
      return null;
    }
    JsonNode records = head.first("records");
    if (records.isObject() && isAksAudit(records)) {
      return ContentMatch.strong(Framing.WHOLE, "Azure Event Hub message of AKS kube-audit diagnostic records");
    }
    if (head.has("messageType")) {
      // CloudWatch Logs subscription messages, as Firehose delivers them to S3 (back to back, often a CONTROL_MESSAGE
      // first): the first data message's first event tells (firehose scenario: the whole audit log was skipped)
      String message = SubscriptionMessages.firstDataMessage(sample);
      JsonSniff.Obj inner = message == null ? null : JsonSniff.object(message);
      return inner != null && inner.valid() && verdict(inner) == Verdict.YES
          ? ContentMatch.strong(Framing.LINES, SubscriptionMessages.DETAIL + " of audit.k8s.io Events (EKS)")
          : null;
    }
    JsonNode logEvent = head.first("logEvents");
    if (logEvent.isObject()) {
      JsonSniff.Obj inner = JsonSniff.object(logEvent.path("message").asText(""));
      return inner.valid() && verdict(inner) == Verdict.YES
          ? ContentMatch.strong(Framing.WHOLE, "CloudWatch Logs subscription message of audit.k8s.io Events (EKS)")
          : null;
    }
    // `aws logs filter-log-events` / `get-log-events` output ({"events":[{"logStreamName","timestamp","message",...}]}):
    // the parser reads it, the recognizer did not know it (kubelet scenario: the responder's pull of the EKS audit
    // log group was not collected at all)
    JsonNode event = head.first("events");
    if (event.isObject() && event.has("message")) {
      JsonSniff.Obj inner = JsonSniff.object(event.path("message").asText(""));
      if (inner.valid() && verdict(inner) == Verdict.YES) {
        return ContentMatch.strong(Framing.WHOLE, "aws logs filter-log-events output of audit.k8s.io Events (EKS)");
      }
    }
    ObjectNode root = M.createObjectNode();
    head.fields().forEach(root::set);
    String what = isGkeAudit(root) ? "GKE Cloud Logging entries of k8s.io audit records"
        : isAksAudit(root) ? "AKS kube-audit diagnostic records" : null;
    if (what == null) {
      return null;
    }
    JsonSniff.FirstLine line = JsonSniff.firstLineObject(sample);
    return line.none() == null && line.obj().complete()
        ? ContentMatch.strong(Framing.LINES, "JSON lines of " + what)
        : ContentMatch.strong(Framing.WHOLE, "a single pretty-printed entry of " + what);
  }

  private static boolean isGkeAudit(JsonNode entry) {
    JsonNode payload = entry.path("protoPayload");
    if (!payload.isObject()) {
      return false;
    }
    String service = payload.path("serviceName").asText("");
    return service.equals("k8s.io")
        || (service.isEmpty() && payload.path("methodName").asText("").startsWith("io.k8s."))
        || entry.path("resource").path("type").asText("").equals("k8s_cluster");
  }

  private static boolean isAksAudit(JsonNode record) {
    return record.path("category").asText("").startsWith("kube-audit") && record.has("properties");
  }

  /** The first element of the JSON array at {@code start}, null when it is not a complete object in the sample. */
  private static JsonNode firstArrayElement(byte[] b, int start) {
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // [
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      return M.readTree(p);
    } catch (IOException e) {
      return null; // cut by the sample's end or not JSON
    }
  }

  private enum Verdict {
    YES,
    NO,
    MAYBE
  }

  private static Verdict verdict(JsonSniff.Obj o) {
    String kind = o.get("kind");
    String api = o.get("apiVersion");
    if ("Event".equals(kind) && api != null && api.startsWith("audit.k8s.io/")) {
      return Verdict.YES;
    }
    if (o.has("auditID") && o.has("stage") && o.has("verb")) {
      return Verdict.YES;
    }
    if ((kind != null && !kind.equals("Event")) || (api != null && !api.startsWith("audit.k8s.io/"))) {
      return Verdict.NO;
    }
    return Verdict.MAYBE;
  }
}
