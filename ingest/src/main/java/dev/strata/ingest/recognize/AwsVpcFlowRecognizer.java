package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code aws_vpc_flow}: VPC (and Transit Gateway) Flow Logs as AWS delivers them.
 *
 * <p>Path: the S3 delivery key {@code **}{@code /AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]<file>.log[.gz]}
 * and the Hive-compatible one {@code AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/
 * year=YYYY/month=MM/day=DD/[hour=HH/]<file>.log[.gz]}; the layout gives cloud_provider=aws, cloud_account and
 * cloud_region. Content (STRONG, framing LINES): the first non-blank line is a header naming flow log fields (the
 * S3 delivery writes it first; {@link #formatHeader} hands it to the collector, which copies it onto every chunk), a
 * default-format (version 2) record, or such a record after a CloudWatch Logs export timestamp; or CloudWatch Logs
 * JSON (JSON lines of log events, {@code get-log-events} output, subscription payloads: LINES when the first line is
 * a whole object, else WHOLE) whose first {@code message} is a default-format record.
 *
 * <p>Custom formats without a header line (CloudWatch Logs exports and JSON of a flow log group): the user names the
 * flow log's LogFormat per path / S3 key prefix or log group ({@link VpcFlowLogFormats}). A configured prefix is a
 * path rule of this format (content: WEAK for lines of blank-separated values, with or without a CloudWatch
 * timestamp, so the path decides), a configured log group is recognized in the content (STRONG), and the configured
 * format becomes the artifact's format header when its content has no header line of its own. The parser then
 * rejects a record whose field count differs from it (malformed_record, naming the format).
 */
public final class AwsVpcFlowRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "aws_vpc_flow";

  private final VpcFlowLogFormats formats;

  /** Default and S3-delivered formats only (custom formats need their header line). */
  public AwsVpcFlowRecognizer() {
    this(VpcFlowLogFormats.NONE);
  }

  /** Also the custom formats the user configured for headerless exports. */
  public AwsVpcFlowRecognizer(VpcFlowLogFormats formats) {
    this.formats = formats == null ? VpcFlowLogFormats.NONE : formats;
  }

  /** {@code recognizers} with this format's recognizer knowing {@code formats} (unchanged when there are none). */
  public static java.util.List<ArtifactRecognizer> withLogFormats(java.util.List<ArtifactRecognizer> recognizers,
      VpcFlowLogFormats formats) {
    if (formats == null || formats.isEmpty()) return recognizers;
    return recognizers.stream()
        .map(r -> r instanceof AwsVpcFlowRecognizer ? (ArtifactRecognizer) new AwsVpcFlowRecognizer(formats) : r)
        .toList();
  }

  private static final String TEXT_FILE = "[^/]+\\.log(?:\\.gz)?";
  private static final Pattern PATH = deliveryPath(TEXT_FILE);
  private static final Pattern HIVE_PATH = hivePath(TEXT_FILE);

  /** The S3 delivery key layout, {@code <account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]}, ending in {@code file}. */
  static Pattern deliveryPath(String file) {
    return Pattern.compile("(?:^|.*/)AWSLogs/(?:o-[a-z0-9]{4,32}/)?(\\d{12})/vpcflowlogs/([a-z0-9-]+)/\\d{4}/\\d{2}/"
        + "\\d{2}/(?:\\d{2}/)?" + file);
  }

  /** The Hive-compatible key layout ({@code aws-account-id=<account>/.../[hour=HH/]}), ending in {@code file}. */
  static Pattern hivePath(String file) {
    return Pattern.compile("(?:^|.*/)AWSLogs/aws-account-id=(\\d{12})/aws-service=vpcflowlogs/aws-region=([a-z0-9-]+)/"
        + "year=\\d{4}/month=\\d{2}/day=\\d{2}/(?:hour=\\d{2}/)?" + file);
  }

  /** Account and region from either layout (group 1 and 2 of both patterns). */
  static Optional<ContextValues> layout(String relPath, Pattern delivery, Pattern hive) {
    Matcher m = delivery.matcher(relPath);
    if (!m.matches()) {
      m = hive.matcher(relPath);
      if (!m.matches()) {
        return Optional.empty();
      }
    }
    return Optional.of(new ContextValues(null, null, "aws", m.group(1), m.group(2)));
  }

  /** Field names of VPC Flow Logs v2-v8 and Transit Gateway Flow Logs. */
  static final Set<String> FIELDS = Set.of(
      "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
      "bytes", "start", "end", "action", "log-status", "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type",
      "pkt-srcaddr", "pkt-dstaddr", "region", "az-id", "sublocation-type", "sublocation-id", "pkt-src-aws-service",
      "pkt-dst-aws-service", "flow-direction", "traffic-path", "ecs-cluster-arn", "ecs-cluster-name",
      "ecs-container-instance-arn", "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id",
      "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id", "reject-reason", "resource-type",
      "tgw-id", "tgw-attachment-id", "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id", "tgw-src-vpc-id",
      "tgw-dst-vpc-id", "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id",
      "tgw-dst-az-id", "tgw-pair-attachment-id", "packets-lost-no-route", "packets-lost-blackhole",
      "packets-lost-mtu-exceeded", "packets-lost-ttl-expired");

  private static final Pattern ISO = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:?\\d{2})?");
  private static final Pattern V2 =
      Pattern.compile(
          "\\d{1,2} (?:\\d{12}|unknown|-) (?:eni-[0-9a-f]+|[a-z][a-z0-9-]*|-) \\S+ \\S+ (?:\\d+|-) (?:\\d+|-) (?:\\d+|-)"
              + " (?:\\d+|-) (?:\\d+|-) \\d+ \\d+ (?:ACCEPT|REJECT|-) (?:OK|NODATA|SKIPDATA)");

  /** A line of blank-separated values (flow records of any layout, after an optional CloudWatch timestamp). */
  private static final Pattern VALUES = Pattern.compile("[0-9A-Za-z.:/_${}-]+(?:[ \\t]+[0-9A-Za-z.:/_${}-]+){2,}");
  private static final Pattern LOG_GROUP = Pattern.compile("\"logGroup\"\\s*:\\s*\"([^\"\\\\]{1,512})\"");

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    Optional<ContextValues> standard = layout(relPath, PATH, HIVE_PATH);
    if (standard.isPresent() || formats.forPath(relPath).isEmpty()) return standard;
    return Optional.of(new ContextValues(null, null, "aws", null, null));
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    String line = firstLine(sample);
    if (line == null) {
      return ContentMatch.none("no content");
    }
    if (isHeader(line)) {
      return ContentMatch.strong(Framing.LINES, "VPC flow log header line");
    }
    if (V2.matcher(line).matches()) {
      return ContentMatch.strong(Framing.LINES, "VPC flow log records (default format)");
    }
    int sp = line.indexOf(' ');
    if (sp > 0 && (ISO.matcher(line.substring(0, sp)).matches() || line.substring(0, sp).matches("\\d{13}"))
        && V2.matcher(line.substring(sp + 1)).matches()) {
      return ContentMatch.strong(Framing.LINES, "CloudWatch Logs export of VPC flow log records");
    }
    if (line.startsWith("{") || line.startsWith("[")) {
      // one object per line, else one document; subscription messages (one per line, or back to back as Firehose
      // writes them to S3: firehose scenario) are cut between the messages
      Framing framing = line.endsWith("}") ? Framing.LINES : Framing.WHOLE;
      String msg = SubscriptionMessages.startsWithOne(sample) ? SubscriptionMessages.firstDataMessage(sample) : null;
      if (msg != null && V2.matcher(msg).matches()) {
        return ContentMatch.strong(Framing.LINES, SubscriptionMessages.DETAIL + " of VPC flow log records");
      }
      if (msg == null) msg = firstMessage(sample);
      if (msg != null && V2.matcher(msg).matches()) {
        return ContentMatch.strong(framing, "CloudWatch Logs events whose message is a VPC flow log record");
      }
      Optional<VpcFlowLogFormats.Rule> group = formats.forLogGroup(logGroup(sample));
      if (msg != null && group.isPresent()) {
        return ContentMatch.strong(framing, "CloudWatch Logs events of log group " + group.get().logGroup()
            + " (configured VPC flow log format)");
      }
      return ContentMatch.none("JSON without a VPC flow log record as message");
    }
    if (!formats.isEmpty() && VALUES.matcher(line).matches()) {
      return ContentMatch.weak(Framing.LINES,
          "blank-separated values without a header (a configured VPC flow log format applies by path)");
    }
    return ContentMatch.none("first line is neither a VPC flow log header nor a default-format record");
  }

  /** The header line the S3 delivery writes first, if the content starts with one. */
  @Override
  public Optional<String> formatHeader(ContentSample sample) {
    String line = firstLine(sample);
    return line != null && isHeader(line) ? Optional.of(line) : Optional.empty();
  }

  /**
   * The content's own header line; else the format configured for the path, else for the log group the content
   * names (CloudWatch Logs subscription payloads); else none (the default format applies).
   */
  @Override
  public Optional<String> formatHeader(String relPath, ContentSample sample) {
    Optional<String> own = formatHeader(sample);
    if (own.isPresent() || formats.isEmpty()) return own;
    return formats.forPath(relPath).or(() -> formats.forLogGroup(logGroup(sample)))
        .map(VpcFlowLogFormats.Rule::format);
  }

  /** The first {@code "logGroup"} string of the sample, or null. */
  private static String logGroup(ContentSample sample) {
    Matcher m = LOG_GROUP.matcher(new String(sample.bytes(), StandardCharsets.UTF_8));
    return m.find() ? m.group(1) : null;
  }

  /** Blank-separated names, all lower-case field-name shaped, the first and at least half of them known fields. */
  static boolean isHeader(String line) {
    String[] t = line.trim().split("[ \\t]+");
    int known = 0;
    for (int i = 0; i < t.length; i++) {
      String n = t[i];
      if (n.startsWith("${") && n.endsWith("}")) n = n.substring(2, n.length() - 1);
      if (!n.matches("[a-z][a-z0-9-]{0,39}")) return false;
      boolean k = FIELDS.contains(n);
      if (i == 0 && !k) return false;
      if (k) known++;
    }
    return t.length > 0 && known * 2 >= t.length;
  }

  /** The first non-blank line (BOM and CR stripped), at most 8 KiB, or null. */
  private static String firstLine(ContentSample sample) {
    byte[] b = sample.bytes();
    int s = 0;
    if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) s = 3;
    while (s < b.length) {
      int e = s;
      while (e < b.length && b[e] != '\n') e++;
      String line = new String(b, s, Math.min(e - s, 8192), StandardCharsets.UTF_8).strip();
      if (!line.isEmpty()) return line;
      s = e + 1;
    }
    return null;
  }

  /** The value of the first {@code "message"} string in the sample (JSON escapes undone for plain text), or null. */
  private static String firstMessage(ContentSample sample) {
    String s = new String(sample.bytes(), StandardCharsets.UTF_8);
    Matcher m = MESSAGE_KEY.matcher(s);
    // the string is scanned by hand: a regex alternation repeated per character ((?:[^"\\]|\\.){1,4096}) recurses
    // once per character and overflowed the stack on a long message (an audit event in `aws logs filter-log-events`
    // output), which stopped the whole collection. As before, an empty or over-long message is passed over.
    while (m.find()) {
      int i = m.end();
      for (int j = i; j < s.length() && j - i <= MAX_MESSAGE; j++) {
        char c = s.charAt(j);
        if (c == '\\') {
          j++;
        } else if (c == '"') {
          if (j == i || s.startsWith(SubscriptionMessages.CONTROL_TEXT, i)) break; // a subscription's control message
          return s.substring(i, j).replace("\\n", "").replace("\\r", "").replace("\\t", " ").replace("\\/", "/")
              .strip();
        }
      }
    }
    return null;
  }

  private static final Pattern MESSAGE_KEY = Pattern.compile("\"message\"\\s*:\\s*\"");
  /** The longest message read (a VPC flow record is a few hundred characters). */
  private static final int MAX_MESSAGE = 4096;
}
