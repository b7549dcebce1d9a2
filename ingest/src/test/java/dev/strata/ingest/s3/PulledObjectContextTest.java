package dev.strata.ingest.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.context.ContextManifest;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.ingest.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pulled object whose key names no context (a CloudWatch Logs export task's {@code <prefix>/<task>/<stream>/000000.gz}
 * names neither the EKS cluster nor the account) takes it from the context manifest the S3 puller read beside it; an
 * object whose key says it (AWSLogs/...) keeps the key's.
 */
class PulledObjectContextTest {
  @TempDir Path tmp;

  static final String MANIFEST = """
      - path: ekscluster-a
        cluster: storefront-fargate
        cloud_provider: aws
        cloud_account: "662607015034"
        cloud_region: us-east-2
      - path: ekscluster-b
        cluster: ledger-ng
        cloud_account: "602214076012"
      """;

  @Test
  void anExportTasksObjectTakesTheClusterAndAccountOfTheManifestThatCoversIt() throws Exception {
    Path manifest = tmp.resolve("manifest.yaml");
    Files.writeString(manifest, MANIFEST);
    List<ContextManifest.Entry> entries = ContextManifest.read(manifest, "s3://soc-logs/exports/strata-context.yaml");
    String event = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"a1\","
        + "\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/x/pods\",\"verb\":\"list\","
        + "\"user\":{\"username\":\"u\"},\"sourceIPs\":[\"10.0.0.1\"],\"objectRef\":{\"resource\":\"pods\"},"
        + "\"requestReceivedTimestamp\":\"2026-11-23T09:00:00.000000Z\",\"stageTimestamp\":\"2026-11-23T09:00:00.001000Z\"}";
    Path spool = tmp.resolve("object.spool");
    Files.write(spool, TestFiles.gzip(("2026-11-23T09:00:00.000Z " + event + "\n").getBytes(StandardCharsets.UTF_8)));
    for (String[] c : new String[][] {{"ekscluster-a", "storefront-fargate", "662607015034"},
        {"ekscluster-b", "ledger-ng", "602214076012"}}) {
      String origin = "s3://soc-logs/exports/" + c[0] + "/8a1f3c5e-task/kube-apiserver-audit-77a1c3e5/000000.gz";
      InMemoryChunkPublisher out = new InMemoryChunkPublisher();
      new FileCollector().runObject(
          FileCollector.RemoteObject.of(spool, origin, "s3://soc-logs", Instant.EPOCH, "s3_puller").withContext(entries),
          CollectorOptions.defaults(), out, null, null);
      assertThat(out.chunksOfOrigin(origin)).singleElement().satisfies(ch -> {
        assertThat(ch.getSourceType()).isEqualTo("k8s_audit");
        assertThat(ch.getContext().getCluster()).isEqualTo(c[1]);
        assertThat(ch.getContext().getCloudAccount()).isEqualTo(c[2]);
      });
    }
    // without the manifest (as before): nothing names them
    String origin = "s3://soc-logs/exports/ekscluster-a/8a1f3c5e-task/kube-apiserver-audit-77a1c3e5/000000.gz";
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    new FileCollector().runObject(
        FileCollector.RemoteObject.of(spool, origin, "s3://soc-logs", Instant.EPOCH, "s3_puller"),
        CollectorOptions.defaults(), out, null, null);
    assertThat(out.chunksOfOrigin(origin).get(0).getContext().getCluster()).isNull();
  }

  @Test
  void aKeyThatNamesItsAccountKeepsIt() throws Exception {
    Path manifest = tmp.resolve("manifest.yaml");
    Files.writeString(manifest, "- path: AWSLogs\n  cloud_account: \"602214076012\"\n");
    List<ContextManifest.Entry> entries = ContextManifest.read(manifest, "s3://soc-logs/strata-context.yaml");
    String key = "AWSLogs/662607015034/vpcflowlogs/us-east-2/2026/11/23/662607015034_vpcflowlogs_us-east-2_fl-0a_20261123T1000Z_3c.log.gz";
    Path spool = tmp.resolve("flow.spool");
    Files.write(spool, TestFiles.gzip(("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets"
        + " bytes start end action log-status\n2 662607015034 eni-0a 10.0.1.5 10.0.2.9 443 49152 6 10 840 1795424760"
        + " 1795424819 ACCEPT OK\n").getBytes(StandardCharsets.UTF_8)));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    new FileCollector().runObject(
        FileCollector.RemoteObject.of(spool, "s3://soc-logs/" + key, "s3://soc-logs", Instant.EPOCH, "s3_puller")
            .withContext(entries),
        CollectorOptions.defaults(), out, null, null);
    assertThat(out.chunksOfOrigin("s3://soc-logs/" + key).get(0).getContext().getCloudAccount()).isEqualTo("662607015034");
  }
}
