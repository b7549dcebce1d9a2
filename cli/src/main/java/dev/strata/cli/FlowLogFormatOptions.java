package dev.strata.cli;

import dev.strata.ingest.recognize.VpcFlowLogFormats;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Custom VPC flow log formats for exports without a header line (CloudWatch Logs exports of a flow log group):
 * options first, then {@code STRATA_VPC_FLOW_LOG_FORMATS}, then {@code vpc_flow.log_formats} in the config file.
 */
final class FlowLogFormatOptions {
  @Option(names = "--vpc-flow-log-format", paramLabel = "PREFIX=FORMAT", description = {
      "The LogFormat of a VPC flow log whose records arrive without a header line (CloudWatch Logs export to S3,",
      "subscription payloads), by path / S3 key prefix or 'log-group:NAME', e.g.",
      "'exportedlogs/flow-custom/=${version} ${vpc-id} ${srcaddr} ... ${start} ${end} ${action} ${log-status}'",
      "(aws ec2 describe-flow-logs --query 'FlowLogs[].[LogGroupName,LogFormat]'). Repeatable; also",
      "STRATA_VPC_FLOW_LOG_FORMATS (';'-separated) and vpc_flow.log_formats in the config file."})
  List<String> specs = new ArrayList<>();

  /** The formats of the options, then of the settings (environment, config file). */
  VpcFlowLogFormats resolve(StrataSettings settings) {
    List<VpcFlowLogFormats.Rule> rules = new ArrayList<>(VpcFlowLogFormats.parse(specs, "--vpc-flow-log-format"));
    if (settings != null) rules.addAll(settings.vpcFlowLogFormats());
    return VpcFlowLogFormats.of(rules);
  }
}
