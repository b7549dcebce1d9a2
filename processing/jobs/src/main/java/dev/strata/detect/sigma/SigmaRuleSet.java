package dev.strata.detect.sigma;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules read from the configured files: those loaded, and those that cannot be evaluated with the reason. Reason
 * codes (bounded):
 *
 * <ul>
 *   <li>{@code aggregation}: the deprecated {@code | count() ...} / {@code near} conditions (they need state over time)
 *   <li>{@code correlation_rule}: Sigma correlation meta-rules, filters and rule collections ({@code action: global})
 *   <li>{@code unsupported_modifier}: an unknown modifier or a combination the specification does not define
 *   <li>{@code placeholder}: {@code expand} (its values come from a processing pipeline we do not have)
 *   <li>{@code unmapped_logsource}: a log source of no strata format (see {@link LogSources})
 *   <li>{@code invalid_rule}: not a rule (no detection, unknown identifier in the condition, bad regex, YAML errors)
 * </ul>
 */
public record SigmaRuleSet(List<SigmaRule> rules, List<Unsupported> unsupported) implements Serializable {
  public static final String AGGREGATION = "aggregation";
  public static final String CORRELATION = "correlation_rule";
  public static final String UNSUPPORTED_MODIFIER = "unsupported_modifier";
  public static final String PLACEHOLDER = "placeholder";
  public static final String UNMAPPED_LOGSOURCE = "unmapped_logsource";
  public static final String INVALID = "invalid_rule";

  /** A rule that is not evaluated, and why. */
  public record Unsupported(String source, String id, String title, String reason, String detail) implements Serializable {}

  public SigmaRuleSet {
    rules = List.copyOf(rules);
    unsupported = List.copyOf(unsupported);
  }

  public static SigmaRuleSet empty() {
    return new SigmaRuleSet(List.of(), List.of());
  }

  /** Unsupported rules per reason code. */
  public Map<String, Integer> unsupportedByReason() {
    Map<String, Integer> out = new TreeMap<>();
    for (Unsupported u : unsupported) out.merge(u.reason(), 1, Integer::sum);
    return out;
  }

  /** "74 Sigma rules: 70 loaded, 4 unsupported (aggregation 1, unsupported_modifier 3)". */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(rules.size() + unsupported.size()).append(" Sigma rules: ").append(rules.size()).append(" loaded, ")
        .append(unsupported.size()).append(" unsupported");
    if (!unsupported.isEmpty()) {
      b.append(" (");
      String sep = "";
      for (Map.Entry<String, Integer> e : unsupportedByReason().entrySet()) {
        b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
        sep = ", ";
      }
      b.append(')');
    }
    return b.toString();
  }
}
