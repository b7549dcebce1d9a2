package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code aws_vpc_cni}: the AWS VPC CNI's node logs, {@code /var/log/aws-routed-eni/plugin.log} and
 * {@code ipamd.log} (also rotated {@code ipamd-<date>.log[.gz]}, and the EKS log collector's copies under
 * {@code ipamd/} / {@code aws-routed-eni/}).
 *
 * <p>Path: {@code **}{@code /aws-routed-eni/(plugin|ipamd|egress-v6-plugin)*.log*}. Content: zap JSON lines,
 * {@code {"level","ts","caller","msg"}}: STRONG when the caller is one of the CNI's packages
 * ({@code routed-eni-cni-plugin/}, {@code ipamd/}, {@code datastore/}, {@code rpc/}, {@code awsutils/},
 * {@code driver/}, {@code aws-k8s-agent/}, {@code networkutils/}) or a message names its CNI / IPAM work; at the
 * standard path any zap line (WEAK elsewhere: plenty of Go programs log with zap). Framing LINES.
 */
public final class AwsVpcCniRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "aws_vpc_cni";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)aws-routed-eni/(?:plugin|ipamd|egress-v6-plugin)[^/]*\\.log[^/]*");
  private static final Pattern CNI_CALLER = Pattern.compile(
      "^(?:routed-eni-cni-plugin|ipamd|datastore|rpc|awsutils|driver|aws-k8s-agent|networkutils|eniconfig|ipamd/datastore)/.*");
  private static final Pattern CNI_MESSAGE = Pattern.compile(
      "^(?:Received CNI (?:add|del) request|Received (?:add|del) network response from ipamd|Received (?:Add|Del)Network for"
          + "|AssignPodIPv4Address|UnassignPodIP|Starting L-IPAMD|IP pool stats)");

  public AwsVpcCniRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.FirstLine first = JsonSniff.firstLineObject(sample);
    if (first.none() != null) {
      return first.none();
    }
    JsonSniff.Obj o = first.obj();
    String msg = o.get("msg");
    if (msg == null || o.get("ts") == null || o.get("level") == null) {
      return ContentMatch.none("first line is not a zap JSON log line (level, ts, msg)");
    }
    String caller = o.get("caller");
    if ((caller != null && CNI_CALLER.matcher(caller).matches()) || CNI_MESSAGE.matcher(msg).find()) {
      return ContentMatch.strong(Framing.LINES, "AWS VPC CNI log (zap JSON lines of the plugin / ipamd)");
    }
    return ContentMatch.weak(Framing.LINES, "zap JSON log lines (the path says which program)");
  }
}
