package dev.strata.parse.formats.awsec2;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * {@code aws ec2 describe-instances} output as the CLI prints it ({@code {"Reservations":[{"Instances":[...]}]}}, JSON
 * by default; the same in an evidence bundle), also {@code --query 'Reservations[].Instances[]'} (a root array of
 * instances) and JSON lines of reservations or instances: one event per instance. Why: an instance's private DNS name
 * is its EKS node's name, its tags name its cluster, and its interfaces and addresses tie flows and calls of an
 * address to the instance (docs/correlation.md, "EC2 inventory"). The mapping is in {@link Ec2InventoryMapper}.
 */
public final class AwsEc2InstancesParser extends JsonRecordsParser {

  public static final String FORMAT = "aws_ec2_instances";

  public AwsEc2InstancesParser() {
    super(FORMAT, Set.of("Reservations"), Ec2InventoryMapper::new);
  }
}
