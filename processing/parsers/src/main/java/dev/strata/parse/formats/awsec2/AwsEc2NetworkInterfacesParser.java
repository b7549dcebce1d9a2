package dev.strata.parse.formats.awsec2;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * {@code aws ec2 describe-network-interfaces} output as the CLI prints it ({@code {"NetworkInterfaces":[...]}}; the
 * same in an evidence bundle), also a root array or JSON lines of interfaces: one event per interface, with its
 * instance ({@code Attachment.InstanceId}), type ({@code interface}, {@code branch} / {@code trunk} for pods' own
 * interfaces, an ECS {@code awsvpc} task's interface by its {@code Description}) and addresses. The mapping is in
 * {@link Ec2InventoryMapper}.
 */
public final class AwsEc2NetworkInterfacesParser extends JsonRecordsParser {

  public static final String FORMAT = "aws_ec2_network_interfaces";

  public AwsEc2NetworkInterfacesParser() {
    super(FORMAT, Set.of("NetworkInterfaces"), Ec2InventoryMapper::new);
  }
}
