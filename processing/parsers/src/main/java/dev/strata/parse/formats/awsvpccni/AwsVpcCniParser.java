package dev.strata.parse.formats.awsvpccni;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * The AWS VPC CNI's node logs, {@code /var/log/aws-routed-eni/plugin.log} (the CNI plugin the kubelet's runtime
 * calls for each pod sandbox's network ADD / DEL) and {@code ipamd.log} (the L-IPAM daemon that hands the node's ENI
 * secondary addresses to sandboxes): zap JSON lines {@code {"level","ts","caller","msg"}}. One event per line; the
 * lines that name a pod's address become the pod's address from its ADD to its DEL. Why: on EKS with an audit
 * policy at Metadata level for pods, a deleted pod's address is in no other evidence, and the VPC CNI reuses freed
 * addresses within minutes (FirehoseVpcCniScenarioIT). The mapping is in {@link CniLogMapper}.
 */
public final class AwsVpcCniParser extends JsonRecordsParser {

  public static final String FORMAT = "aws_vpc_cni";

  public AwsVpcCniParser() {
    super(FORMAT, Set.of(), CniLogMapper::new);
  }
}
