package dev.strata.detect.sigma;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * A loaded Sigma rule: what a match reports ({@link Info}), the log source it is evaluated under ({@link
 * LogSources#keyOf}: a record source's format such as {@code aws_cloudtrail}, or a generic category such as {@code
 * process_creation}) and the compiled detection. A match keeps the rule's title, id and author and credits its
 * author and SigmaHQ (DRL-1.1: shown detections must give credit).
 */
public record SigmaRule(Info info, String logSource, Expr detection) implements Serializable {

  /**
   * What a match of the rule says.
   *
   * @param id the rule's {@code id} (the file's path when the rule has none)
   * @param level informational, low, medium, high or critical (medium when the rule has none)
   * @param tags the rule's tags ({@code attack.execution}, {@code attack.t1609}, ...)
   * @param source the file the rule was read from
   */
  public record Info(String id, String title, String author, String level, List<String> tags, String license,
      String source) implements Serializable {
    public Info {
      tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** OCSF severity of the level: informational 1, low 2, medium 3, high 4, critical 5. */
    public int severityId() {
      return severityOf(level);
    }

    /** "Sigma rule by AUTHOR, SigmaHQ, DRL-1.1" (the rule's own licence when it names one). */
    public String credit() {
      return "Sigma rule by " + (author == null || author.isBlank() ? "unknown author" : author) + ", "
          + (license == null || license.isBlank() ? "SigmaHQ, DRL-1.1" : license);
    }

    /** The ATT&CK tactics of the rule's tags, in their order, lower case with {@code _} ({@code credential_access}). */
    public List<String> tactics() {
      return tags.stream()
          .map(t -> t.toLowerCase(Locale.ROOT))
          .filter(t -> t.startsWith("attack.") && !t.matches("attack\\.[tgs]\\d{4}.*"))
          .map(t -> t.substring("attack.".length()).replace('-', '_'))
          .toList();
    }
  }

  /** The OCSF severity of a Sigma level, or 0 for an unknown level. */
  public static int severityOf(String level) {
    if (level == null) return 0;
    return switch (level.toLowerCase(Locale.ROOT)) {
      case "informational" -> 1;
      case "low" -> 2;
      case "medium" -> 3;
      case "high" -> 4;
      case "critical" -> 5;
      default -> 0;
    };
  }
}
