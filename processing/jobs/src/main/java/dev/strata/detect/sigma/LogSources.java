package dev.strata.detect.sigma;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which strata source format a Sigma {@code logsource} names: the one extension point between Sigma and our formats.
 * Sigma field names of these log sources are the source's own JSON paths, so rules are evaluated on the event's
 * original record ({@code raw_data}) and no field mapping is needed.
 *
 * <table>
 *   <tr><th>product</th><th>service</th><th>format</th><th>record marker</th></tr>
 *   <tr><td>aws</td><td>cloudtrail</td><td>aws_cloudtrail</td><td>eventName</td></tr>
 *   <tr><td>kubernetes</td><td>audit</td><td>k8s_audit</td><td>auditID</td></tr>
 * </table>
 *
 * The marker is a field every record of the format has at its top level: when the stored record lacks it, the record
 * is a wrapper (EventBridge {@code detail}, CloudTrail Lake {@code eventData}, CloudWatch Logs {@code message} holding
 * the record as JSON text) and the record inside it is evaluated. A rule's {@code category} is not used when product
 * and service match (SigmaHQ files its Kubernetes audit rules under {@code category: application}).
 */
public final class LogSources {
  private LogSources() {}

  /** One Sigma log source and the strata format whose events it describes. */
  public record Mapping(String product, String service, String format, String markerField) implements Serializable {}

  static final List<Mapping> TABLE =
      List.of(
          new Mapping("aws", "cloudtrail", "aws_cloudtrail", "eventName"),
          new Mapping("kubernetes", "audit", "k8s_audit", "auditID"));

  /** The mapping of a rule's log source, or empty when no strata format is described by it. */
  public static Optional<Mapping> of(String product, String service) {
    String p = product == null ? null : product.toLowerCase(Locale.ROOT);
    String s = service == null ? null : service.toLowerCase(Locale.ROOT);
    return TABLE.stream().filter(m -> m.product.equals(p) && m.service.equals(s)).findFirst();
  }

  /** The mapping of a strata format, or empty. */
  public static Optional<Mapping> ofFormat(String format) {
    return TABLE.stream().filter(m -> m.format.equals(format)).findFirst();
  }
}
