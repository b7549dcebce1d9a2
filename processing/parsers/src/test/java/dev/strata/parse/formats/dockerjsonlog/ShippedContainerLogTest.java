package dev.strata.parse.formats.dockerjsonlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import org.junit.jupiter.api.Test;

/** Container log records a shipper forwarded with its Kubernetes metadata (Fluent Bit, Fluentd). */
class ShippedContainerLogTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new DockerJsonLogParser();
  }

  static final String CID = "4c2b21624d4488ea8305bec91bb58135e840ab50b779da3db19ddf87864a760e";
  static final String DIGEST = "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31";

  @Test
  void fluentBitsKubernetesBlockNamesThePodNodeContainerAndImage() throws Exception {
    String line = "{\"log\":\"sh: wget: not found\\n\",\"stream\":\"stderr\",\"time\":\"2024-05-12T05:13:09.000000Z\","
        + "\"kubernetes\":{\"pod_name\":\"web-7d4b9\",\"namespace_name\":\"shop\",\"pod_id\":\"1f0e2d3c-aaaa-bbbb-cccc-1234567890ab\","
        + "\"labels\":{\"app\":\"web\"},\"host\":\"ip-10-0-1-5.ec2.internal\",\"container_name\":\"web\",\"docker_id\":\"" + CID + "\","
        + "\"container_hash\":\"docker.io/library/nginx@" + DIGEST + "\",\"container_image\":\"docker.io/library/nginx:1.25\"}}\n";
    CollectingOutput out = parse(line, Framing.LINES, "cloudwatch/aws/containerinsights/prod/application/web.json");
    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getMessage()).isEqualTo("sh: wget: not found");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-7d4b9");
    assertThat(e.getKubernetes().getNamespace()).isEqualTo("shop");
    assertThat(e.getKubernetes().getPodUid()).isEqualTo("1f0e2d3c-aaaa-bbbb-cccc-1234567890ab");
    assertThat(e.getKubernetes().getNodeName()).isEqualTo("ip-10-0-1-5.ec2.internal");
    assertThat(e.getKubernetes().getContainerName()).isEqualTo("web");
    assertThat(e.getContainer().getUid()).isEqualTo(CID);
    assertThat(e.getContainer().getImageName()).isEqualTo("docker.io/library/nginx:1.25");
    assertThat(e.getContainer().getImageDigest()).isEqualTo(DIGEST);
    assertThat(e.getContainer().getRuntime()).isNull(); // the shipper's file says nothing of the runtime
    assertThat(e.getUnmapped()).containsKey("kubernetes");
  }

  @Test
  void fluentdsDockerBlockGivesTheContainerIdAndItsImageIdTheDigest() throws Exception {
    String line = "{\"log\":\"GET / 200\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-12T05:13:10.5Z\",\"docker\":{\"container_id\":\"" + CID + "\"},"
        + "\"kubernetes\":{\"container_name\":\"web\",\"namespace_name\":\"shop\",\"pod_name\":\"web-7d4b9\","
        + "\"container_image\":\"nginx:1.25\",\"container_image_id\":\"docker-pullable://nginx@" + DIGEST + "\","
        + "\"pod_id\":\"1f0e2d3c-aaaa-bbbb-cccc-1234567890ab\",\"host\":\"node-1\",\"master_url\":\"https://10.96.0.1:443/api\"}}\n";
    CollectingOutput out = parse(line, Framing.LINES, "fluentd/out.log");
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getContainer().getUid()).isEqualTo(CID);
    assertThat(e.getContainer().getImageDigest()).isEqualTo(DIGEST);
    assertThat(e.getKubernetes().getNodeName()).isEqualTo("node-1");
  }

  @Test
  void dockersOwnFileKeepsItsContainerAndRuntimeAndABrokenBlockIsKeptAsText() throws Exception {
    String line = "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-12T05:13:10Z\",\"kubernetes\":\"not an object\"}\n";
    CollectingOutput out = parse(line, Framing.LINES, "var/lib/docker/containers/" + CID + "/" + CID + "-json.log");
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getContainer().getUid()).isEqualTo(CID);
    assertThat(e.getContainer().getRuntime()).isEqualTo("docker");
    assertThat(e.getUnmapped()).containsEntry("kubernetes", "not an object");
  }

  /**
   * EKS Fargate: Fluent Bit's records in CloudWatch Logs, exported to S3 by an export task (lines of {@code <timestamp>
   * <record>}): each line is its record, the pod and image from the kubernetes block, the lineage the whole line.
   */
  @Test
  void aCloudWatchExportOfFluentBitsRecordsIsReadLineByLine() throws Exception {
    String rec = "{\"log\":\"10.77.0.45 - - [23/Nov/2026:09:05:12 +0000] \\\"GET /render?src=file%3A%2F%2F%2Fproc%2Fself%2Fenviron HTTP/1.1\\\" 200 2291"
        + " \\\"-\\\" \\\"python-requests/2.32.3\\\" \\\"198.51.100.61\\\"\",\"stream\":\"stdout\",\"logtag\":\"F\","
        + "\"time\":\"2026-11-23T09:05:12.301000000Z\",\"kubernetes\":{\"pod_name\":\"thumbnailer-6d9f7c5b8-r4t7x\","
        + "\"namespace_name\":\"media\",\"pod_id\":\"3f6a9c2e-5b8d-4e1f-a7c4-6e9b2d5f8a13\","
        + "\"host\":\"fargate-ip-10-77-21-137.us-east-2.compute.internal\",\"container_name\":\"thumbnailer\",\"docker_id\":\""
        + CID + "\",\"container_hash\":\"662607015034.dkr.ecr.us-east-2.amazonaws.com/media/thumbnailer@" + DIGEST + "\","
        + "\"container_image\":\"662607015034.dkr.ecr.us-east-2.amazonaws.com/media/thumbnailer:2.4.1\"}}";
    String first = "2026-11-23T09:05:12.301Z " + rec + "\n";
    String content = first + "2026-11-23T09:05:41.077Z " + rec.replace("environ", "status") + "\n";
    CollectingOutput out = parse(content, Framing.LINES,
        "s3://soc-logs/cwl-exports/app/0c3b5e7a/from-fluent-bit-kube.var.log.containers.thumbnailer_media_thumbnailer-" + CID
            + ".log/000000.gz");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getKubernetes().getPodName()).isEqualTo("thumbnailer-6d9f7c5b8-r4t7x");
    assertThat(e.getKubernetes().getNodeName()).isEqualTo("fargate-ip-10-77-21-137.us-east-2.compute.internal");
    assertThat(e.getContainer().getUid()).isEqualTo(CID);
    assertThat(e.getContainer().getImageDigest()).isEqualTo(DIGEST);
    assertThat(e.getHttpRequest().getUrl()).contains("file%3A%2F%2F%2Fproc%2Fself%2Fenviron");
    assertThat(e.getLineage().getByteOffset()).isZero();
    assertThat(e.getLineage().getByteLength()).isEqualTo(first.length() - 1);
    assertThat(out.events.get(1).getLineage().getByteOffset()).isEqualTo(first.length());
  }

  /** Fluent Bit's CRI parser keeps the runtime's tag: P pieces are joined up to their F; untagged records are whole. */
  @Test
  void fluentBitsLogtagJoinsPiecesAndEachTaggedLineIsItsOwnEvent() throws Exception {
    String k8s = ",\"kubernetes\":{\"pod_name\":\"web-7d4b9\",\"namespace_name\":\"shop\"}}\n";
    String content = "{\"log\":\"part one \",\"stream\":\"stdout\",\"logtag\":\"P\",\"time\":\"2024-05-12T05:13:09Z\"" + k8s
        + "{\"log\":\"and two\",\"stream\":\"stdout\",\"logtag\":\"F\",\"time\":\"2024-05-12T05:13:09Z\"" + k8s
        + "{\"log\":\"next line\",\"stream\":\"stdout\",\"logtag\":\"F\",\"time\":\"2024-05-12T05:13:10Z\"" + k8s
        + "{\"log\":\"untagged\",\"stream\":\"stdout\",\"time\":\"2024-05-12T05:13:11Z\"" + k8s
        + "{\"log\":\"another\",\"stream\":\"stdout\",\"time\":\"2024-05-12T05:13:12Z\"" + k8s;
    CollectingOutput out = parse(content, Framing.LINES, "fluent-bit/out.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getMessage)
        .containsExactly("part one and two", "next line", "untagged", "another");
  }
}
