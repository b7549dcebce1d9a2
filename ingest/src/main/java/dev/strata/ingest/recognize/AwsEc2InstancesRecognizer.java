package dev.strata.ingest.recognize;

import java.util.regex.Pattern;

/**
 * {@code aws_ec2_instances}: {@code aws ec2 describe-instances} output as the CLI prints it ({@code
 * {"Reservations":[{"Groups","Instances":[...],"OwnerId","ReservationId"}]}}), framing JSON_RECORDS (cut after each
 * complete reservation); a root array of instances ({@code --query 'Reservations[].Instances[]'}), JSON_RECORDS; JSON
 * lines of reservations or instances, LINES. Content (STRONG): the first record is a reservation ({@code Instances},
 * {@code ReservationId}) or an instance ({@code InstanceId} with {@code LaunchTime}, {@code ImageId}, {@code
 * InstanceType} or {@code Placement}).
 *
 * <p>Path: {@code **}{@code /*describe-instances*.json}, {@code **}{@code /*ec2-instances*.json} (and {@code _}; backs
 * only a probe the sample could not prove: a first record longer than the sample).
 */
public final class AwsEc2InstancesRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "aws_ec2_instances";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?(?:describe[-_]instances|ec2[-_]instances)[^/]*\\.jsonl?");

  public AwsEc2InstancesRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    Ec2InventorySniff.Head head = Ec2InventorySniff.head(sample, "Reservations");
    if (head.first() == null) return ContentMatch.none(head.notFound());
    JsonSniff.Obj o = head.first();
    if (o.has("Instances") && Ec2InventorySniff.hasAny(o, "ReservationId", "OwnerId", "Groups")) {
      return ContentMatch.strong(head.framing(), "EC2 reservations (aws ec2 describe-instances)");
    }
    if (o.has("InstanceId") && Ec2InventorySniff.hasAny(o, "LaunchTime", "ImageId", "InstanceType", "Placement")) {
      return ContentMatch.strong(head.framing(), "EC2 instances (aws ec2 describe-instances --query)");
    }
    if (!o.complete() && head.framing() != null && o.fields().isEmpty()) {
      return ContentMatch.weak(head.framing(), "a first record longer than the sample");
    }
    return ContentMatch.none("the first record is no EC2 reservation nor instance");
  }
}
