package dev.strata.detect.sigma;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which strata formats a Sigma {@code logsource} names: the one table between Sigma and our formats. Two kinds.
 *
 * <p><b>Record sources</b> ({@link Mapping}): Sigma field names of these log sources are the source's own JSON paths,
 * so rules are evaluated on the event's original record ({@code raw_data}) and no field mapping is needed.
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
 *
 * <p><b>Generic log sources</b> ({@link #CATEGORIES}): {@code product: linux} (or no product) without a service,
 * {@code category} process_creation, network_connection, file_event, file_change or file_delete. Their fields are
 * the Sigma taxonomy's ({@code Image}, {@code CommandLine}, {@code DestinationPort}, {@code TargetFilename}, ...),
 * answered per format by a {@link SigmaFieldMapping} ({@link #FIELD_MAPPINGS}); an event is offered to the rules of
 * the categories its mapping says it answers (a Tetragon {@code process_exec} to process_creation, a {@code
 * tcp_connect} kprobe to network_connection, never a {@code process_exit}).
 */
public final class LogSources {
  private LogSources() {}

  /** One Sigma log source and the strata format whose events it describes. */
  public record Mapping(String product, String service, String format, String markerField) implements Serializable {}

  static final List<Mapping> TABLE =
      List.of(
          new Mapping("aws", "cloudtrail", "aws_cloudtrail", "eventName"),
          new Mapping("kubernetes", "audit", "k8s_audit", "auditID"));

  /** The generic log sources of product linux evaluated on taxonomy views. */
  public static final List<String> CATEGORIES =
      List.of("process_creation", "network_connection", "file_event", "file_change", "file_delete");

  /** The taxonomy view of each format that answers a generic log source: the extension point per format. */
  public static final List<SigmaFieldMapping> FIELD_MAPPINGS =
      List.of(
          new TetragonFieldMapping(),
          new FalcoFieldMapping(),
          new FileLayerFieldMapping("overlay_upper_changes"),
          new FileLayerFieldMapping("docker_diff"));

  /** The mapping of a rule's log source, or empty when no strata format is described by it. */
  public static Optional<Mapping> of(String product, String service) {
    String p = product == null ? null : product.toLowerCase(Locale.ROOT);
    String s = service == null ? null : service.toLowerCase(Locale.ROOT);
    return TABLE.stream().filter(m -> m.product.equals(p) && m.service.equals(s)).findFirst();
  }

  /**
   * The log source a rule is evaluated under: a record source's format ({@code aws_cloudtrail}), a generic category
   * ({@code process_creation}) that some format answers, or empty (no strata format describes it).
   */
  public static Optional<String> keyOf(String product, String service, String category) {
    Optional<Mapping> record = of(product, service);
    if (record.isPresent()) return Optional.of(record.get().format());
    String p = product == null ? null : product.toLowerCase(Locale.ROOT);
    String c = category == null ? null : category.toLowerCase(Locale.ROOT);
    if (service != null || (p != null && !p.equals("linux")) || !CATEGORIES.contains(c)) return Optional.empty();
    return formatsOf(c).isEmpty() ? Optional.empty() : Optional.of(c);
  }

  /** The mapping of a strata format, or empty. */
  public static Optional<Mapping> ofFormat(String format) {
    return TABLE.stream().filter(m -> m.format.equals(format)).findFirst();
  }

  /** The taxonomy view of a format, or empty when it answers no generic log source. */
  public static Optional<SigmaFieldMapping> fieldMapping(String format) {
    return FIELD_MAPPINGS.stream().filter(m -> m.format().equals(format)).findFirst();
  }

  /** The formats whose events can answer a generic log source's rules, in table order. */
  public static List<String> formatsOf(String category) {
    return FIELD_MAPPINGS.stream().filter(m -> m.categories().contains(category)).map(SigmaFieldMapping::format).toList();
  }
}
