package dev.strata.ingest.recognize;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Custom VPC Flow Logs formats the user names, for flow log records that arrive without their header line: a
 * CloudWatch Logs export to S3 ({@code <prefix>/<export task id>/<log stream>/000000.gz}, {@code <timestamp> <record>}
 * lines) or CloudWatch Logs JSON of a flow log group (subscription payloads name their {@code logGroup}). AWS writes
 * the header line only on S3 delivery; elsewhere the record layout is the flow log's {@code LogFormat}, which only its
 * owner knows ({@code aws ec2 describe-flow-logs --query 'FlowLogs[].[LogGroupName,LogFormat]'}).
 *
 * <p>A rule binds a format to a path / S3 key prefix (matched at the start of the path or key, or after any {@code /}
 * of it; {@code s3://bucket/prefix} matches only that bucket) or to a CloudWatch Logs group name. The format is AWS's
 * LogFormat string ({@code ${version} ${vpc-id} ${srcaddr} ...}) or the same field names without {@code ${}}. For a
 * path, the longest matching prefix wins, then the first rule given. A file whose first line is a header keeps its
 * own header.
 */
public final class VpcFlowLogFormats {
  /** No configured format. */
  public static final VpcFlowLogFormats NONE = new VpcFlowLogFormats(List.of());

  /** The spec prefix of a rule for a CloudWatch Logs group: {@code log-group:NAME=FORMAT}. */
  public static final String LOG_GROUP = "log-group:";

  /**
   * One configured format.
   *
   * @param prefix path / S3 key prefix (null for a log-group rule)
   * @param logGroup CloudWatch Logs group name (null for a prefix rule)
   * @param format the LogFormat string, blanks normalized to one space
   */
  public record Rule(String prefix, String logGroup, String format) {
    public Rule {
      if ((prefix == null) == (logGroup == null)) {
        throw new IllegalArgumentException("a VPC flow log format rule names a prefix or a log group (one of them)");
      }
      if (prefix != null && prefix.isBlank()) {
        throw new IllegalArgumentException("prefix must not be blank");
      }
      if (logGroup != null && logGroup.isBlank()) {
        throw new IllegalArgumentException("log group must not be blank");
      }
      format = checkFormat(format);
    }

    /** The rule as {@code PREFIX=FORMAT} or {@code log-group:NAME=FORMAT}. */
    @Override
    public String toString() {
      return (prefix != null ? prefix : LOG_GROUP + logGroup) + "=" + format;
    }
  }

  private final List<Rule> rules;

  private VpcFlowLogFormats(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static VpcFlowLogFormats of(List<Rule> rules) {
    return rules.isEmpty() ? NONE : new VpcFlowLogFormats(rules);
  }

  /**
   * Rules from {@code PREFIX=FORMAT} / {@code log-group:NAME=FORMAT} specs (command line, environment; the format is
   * after the last {@code =}, since a Hive-style key prefix may hold some). {@code what} names the source in errors.
   */
  public static List<Rule> parse(List<String> specs, String what) {
    List<Rule> out = new ArrayList<>();
    for (String spec : specs) {
      if (spec == null || spec.isBlank()) continue;
      int eq = spec.lastIndexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(what + ": '" + spec + "' is not PREFIX=FORMAT or " + LOG_GROUP
            + "NAME=FORMAT");
      }
      String target = spec.substring(0, eq).strip();
      String format = spec.substring(eq + 1);
      try {
        out.add(target.startsWith(LOG_GROUP)
            ? new Rule(null, target.substring(LOG_GROUP.length()), format)
            : new Rule(target, null, format));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": '" + target + "': " + e.getMessage(), e);
      }
    }
    return out;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The rule of the longest prefix matching {@code relPath} (a path below the evidence root or s3://bucket/key). */
  public Optional<Rule> forPath(String relPath) {
    Rule best = null;
    for (Rule r : rules) {
      if (r.prefix() != null && matches(r.prefix(), relPath)
          && (best == null || r.prefix().length() > best.prefix().length())) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The rule of a CloudWatch Logs group. */
  public Optional<Rule> forLogGroup(String logGroup) {
    if (logGroup == null) return Optional.empty();
    return rules.stream().filter(r -> logGroup.equals(r.logGroup())).findFirst();
  }

  static boolean matches(String prefix, String relPath) {
    if (prefix.startsWith("s3://")) return relPath.startsWith(prefix);
    String p = prefix.startsWith("/") ? prefix.substring(1) : prefix;
    String path = relPath;
    if (path.startsWith("s3://")) {
      int slash = path.indexOf('/', 5);
      path = slash < 0 ? "" : path.substring(slash + 1);
    }
    return path.startsWith(p) || path.contains("/" + p);
  }

  /**
   * The format normalized (one space between fields), or an error saying what AWS's LogFormat looks like: field
   * names ({@code ${name}} or bare, lower case letters, digits, '-'), the first and at least half of them VPC / Transit
   * Gateway Flow Logs fields.
   */
  static String checkFormat(String format) {
    if (format == null || format.isBlank()) {
      throw new IllegalArgumentException("the log format is empty");
    }
    String normalized = String.join(" ", format.strip().split("\\s+"));
    if (!AwsVpcFlowRecognizer.isHeader(normalized)) {
      throw new IllegalArgumentException("'" + normalized + "' is not a VPC flow log format: AWS's LogFormat string,"
          + " e.g. '${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol}"
          + " ${packets} ${bytes} ${start} ${end} ${action} ${log-status}'");
    }
    return normalized;
  }
}
