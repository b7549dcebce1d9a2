package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.ingest.recognize.VpcFlowLogFormats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata parse} of CloudWatch Logs exports of a flow log with a custom format (no header line), the format given
 * by the user. Fixture written from the AWS docs "Flow log records" (custom LogFormat {@code ${field}} string, v2-v5
 * fields), "Publish flow logs to CloudWatch Logs" (records without a header) and CreateExportTask / "Export log data to
 * Amazon S3" ({@code <destinationPrefix>/<task id>/<log stream>/000000.gz}, {@code <ISO-8601 timestamp> <message>}
 * lines); ids and addresses invented.
 */
class VpcFlowLogFormatParseTest {
  static final String FORMAT = "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type}"
      + " ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets}"
      + " ${start} ${end} ${action} ${tcp-flags} ${log-status} ${flow-direction} ${traffic-path}";
  static final String CUSTOM = "exportedlogs/flow-custom/0a1b2c3d-4e5f-6789-abcd-ef0123456789/eni-0a1b2c3d4e5f60718-all/000000.gz";
  static final String OTHER = "exportedlogs/flow-other/1b2c3d4e-5f60-7890-bcde-f01234567890/eni-0b2c3d4e5f6071829-all/000000.gz";

  @TempDir Path tmp;

  private Path evidence() throws Exception {
    Path root = tmp.resolve("evidence");
    write(root.resolve(CUSTOM),
        "2024-11-22T18:27:40.000Z 5 vpc-0abc0abc0abc0abc0 subnet-0123456789abcdef0 i-0123456789abcdef0"
            + " eni-0a1b2c3d4e5f60718 111122223333 IPv4 10.0.1.23 198.51.100.7 49152 443 100.64.0.9 198.51.100.7 6"
            + " 4249 20 1732300000 1732300060 ACCEPT 19 OK egress 8\n"
            + "2024-11-22T18:28:40.000Z 5 vpc-0abc0abc0abc0abc0 subnet-0123456789abcdef0 - eni-0a1b2c3d4e5f60718"
            + " 111122223333 - - - - - - - - - - 1732300061 1732300120 - - NODATA - -\n");
    // the same prefix family, exported from a flow log whose format the user got wrong: 14 fields, not 23
    write(root.resolve(OTHER),
        "2024-11-22T18:27:40.000Z 2 111122223333 eni-0b2c3d4e5f6071829 10.0.2.9 198.51.100.8 40000 22 6 12 4820"
            + " 1732300000 1732300060 REJECT OK\n");
    return root;
  }

  @Test
  void theConfiguredFormatMapsEveryFieldAndAMismatchIsAClearDeadLetter() throws Exception {
    Path root = evidence();
    Path config = tmp.resolve("strata.yaml");
    Files.writeString(config, "vpc_flow:\n  log_formats:\n"
        + "    - prefix: exportedlogs/flow-custom/\n      format: " + FORMAT + "\n"
        + "    - prefix: exportedlogs/flow-other/\n      format: " + FORMAT + "\n");
    ParseCommandTest.Run r = ParseCommandTest.run("parse", "--dead-letters", "--config", config.toString(),
        root.toString());

    List<JsonNode> events = r.lines().stream().filter(n -> !n.has("dead_letter")).toList();
    List<JsonNode> dead = r.lines().stream().filter(n -> n.has("dead_letter")).toList();
    assertThat(events).as(r.stderr()).hasSize(2);
    JsonNode flow = events.get(0);
    assertThat(flow.path("source_format").asText()).isEqualTo("aws_vpc_flow");
    assertThat(flow.path("cloud").path("vpc_uid").asText()).isEqualTo("vpc-0abc0abc0abc0abc0");
    assertThat(flow.path("cloud").path("eni_uid").asText()).isEqualTo("eni-0a1b2c3d4e5f60718");
    assertThat(flow.path("cloud").path("account_uid").asText()).isEqualTo("111122223333");
    assertThat(flow.path("src_endpoint").path("ip").asText()).isEqualTo("10.0.1.23");
    assertThat(flow.path("dst_endpoint").path("port").asInt()).isEqualTo(443);
    assertThat(flow.path("network").path("pkt_src_ip").asText()).isEqualTo("100.64.0.9");
    assertThat(flow.path("network").path("bytes").asLong()).isEqualTo(4249);
    assertThat(flow.path("time").asText()).startsWith("2024-11-22T18:26:40");
    assertThat(flow.path("unmapped").path("cloudwatch.timestamp").asText()).isEqualTo("2024-11-22T18:27:40.000Z");
    assertThat(events.get(1).path("network").path("log_status").asText()).isEqualTo("NODATA");

    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).path("origin").asText()).isEqualTo(OTHER);
    assertThat(dead.get(0).path("reason").asText()).isEqualTo("malformed_record");
    assertThat(dead.get(0).path("message").asText()).contains("14 fields where the layout has 23")
        .contains("(version vpc-id subnet-id instance-id");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void theOptionGivesTheFormatAndWithoutItTheExportIsNotGuessed() throws Exception {
    Path root = evidence();
    ParseCommandTest.Run r = ParseCommandTest.run("parse", "--vpc-flow-log-format",
        "exportedlogs/flow-custom/=" + FORMAT, root.toString());
    assertThat(r.lines()).as(r.stderr()).hasSize(3);
    assertThat(r.lines().stream().filter(n -> n.path("cloud").path("vpc_uid").asText().equals("vpc-0abc0abc0abc0abc0"))).hasSize(2);
    assertThat(r.exit()).as("the other export is a default-format (v2) record: recognized and parsed as such")
        .isEqualTo(0);

    ParseCommandTest.Run none = ParseCommandTest.run("parse", "-v", root.toString());
    assertThat(none.lines()).as("only the default-format export").hasSize(1);
    assertThat(none.lines().get(0).path("cloud").path("eni_uid").asText()).isEqualTo("eni-0b2c3d4e5f6071829");
    assertThat(none.stderr()).contains("flow-custom");
  }

  @Test
  void environmentSpecsAndConfigErrorsNameTheirKey() throws Exception {
    StrataSettings s = StrataSettings.resolve(null, Map.of(), Map.of(StrataSettings.ENV_VPC_FLOW_LOG_FORMATS,
        "exportedlogs/a/=" + FORMAT + ";log-group:/vpc/flow-b=" + FORMAT)::get);
    VpcFlowLogFormats f = VpcFlowLogFormats.of(s.vpcFlowLogFormats());
    assertThat(f.forPath("exportedlogs/a/t/s/000000.gz")).isPresent();
    assertThat(f.forLogGroup("/vpc/flow-b")).isPresent();

    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "vpc_flow:\n  log_formats:\n    - prefix: x/\n      format: ${Version} ${START}\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataSettings.resolve(bad, Map.of(), k -> null))
        .hasMessageContaining("vpc_flow.log_formats[0]").hasMessageContaining("is not a VPC flow log format");
    Files.writeString(bad, "vpc_flow:\n  log_formats:\n    - prefix: x/\n      fromat: " + FORMAT + "\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataSettings.resolve(bad, Map.of(), k -> null))
        .hasMessageContaining("vpc_flow.log_formats[0].fromat");
  }

  private static void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(content.getBytes(StandardCharsets.UTF_8));
    }
    Files.write(file, b.toByteArray());
  }
}
