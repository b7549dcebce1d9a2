package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
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

  @Override
  public ContentMatch probe(ContentSample sample) {
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
