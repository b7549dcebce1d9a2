package dev.strata.ingest.recognize;

import java.util.regex.Pattern;

/**
 * {@code aws_ec2_network_interfaces}: {@code aws ec2 describe-network-interfaces} output as the CLI prints it ({@code
 * {"NetworkInterfaces":[...]}}), framing JSON_RECORDS (cut after each complete interface); a root array of interfaces,
 * JSON_RECORDS; JSON lines of them, LINES. Content (STRONG): the first record has {@code NetworkInterfaceId} and one of
 * {@code InterfaceType}, {@code PrivateIpAddresses}, {@code Attachment}, {@code RequesterManaged} (an instance's own
 * {@code NetworkInterfaces[]} elements are inside its record, never first).
 *
 * <p>Path: {@code **}{@code /*describe-network-interfaces*.json}, {@code **}{@code /*network-interfaces*.json}, {@code
 * **}{@code /*enis*.json} (and {@code _}; backs only a probe the sample could not prove).
 */
public final class AwsEc2NetworkInterfacesRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "aws_ec2_network_interfaces";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?(?:network[-_]interfaces|enis)[^/]*\\.jsonl?");

  public AwsEc2NetworkInterfacesRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    Ec2InventorySniff.Head head = Ec2InventorySniff.head(sample, "NetworkInterfaces");
    if (head.first() == null) return ContentMatch.none(head.notFound());
    JsonSniff.Obj o = head.first();
    if (o.has("NetworkInterfaceId")
        && Ec2InventorySniff.hasAny(o, "InterfaceType", "PrivateIpAddresses", "Attachment", "RequesterManaged")) {
      return ContentMatch.strong(head.framing(), "EC2 network interfaces (aws ec2 describe-network-interfaces)");
    }
    if (!o.complete() && head.framing() != null && o.fields().isEmpty()) {
      return ContentMatch.weak(head.framing(), "a first record longer than the sample");
    }
    return ContentMatch.none("the first record is no EC2 network interface");
  }
}
