package dev.strata.correlate;

import dev.strata.parse.ChunkParseResult;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.EventIds;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Lineage;
import dev.strata.schema.event.Network;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The multi-source correlation scenario with known answers (fixtures/correlate/README.md): the real parsers turn the
 * fixture files into events; the VPC Flow records are built here (fields as docs/schema.md names them for
 * {@code aws_vpc_flow}: cloud account/VPC/ENI/instance, src/dst endpoints, start/end time).
 *
 * <p>{@link #arrivalOrder()} is the order the tests feed: the audit record of shop/late-2's IP comes after the flow
 * record it explains, and the 10:02 flow record of the compromised pod arrives last, after its IP was reused.
 */
public final class CorrelationScenario {
  public static final String ACCOUNT_PROD = "111111111111";
  public static final String ACCOUNT_STAGE = "222222222222";
  public static final String C1 = "3f4e5d6c7b8a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0";
  public static final String DIGEST_API = "sha256:" + "a1".repeat(32);
  public static final String NODE = "ip-10-0-1-10.ec2.internal";
  public static final String ROLE = "arn:aws:iam::111111111111:role/payments-api";
  public static final String INSTANCE = "i-0abc1234def567890";

  public final List<EvidenceEvent> prodAudit = parse("k8s_audit", "prod-audit.log", "prod", ACCOUNT_PROD);
  /** Pod termination: graceful deletes of shop/cart-1 (10.0.1.90) and shop/slow-1 (10.0.1.91), see the README. */
  public final List<EvidenceEvent> gracefulAudit =
      parse("k8s_audit", "prod-audit-graceful.log", "prod", ACCOUNT_PROD);
  public final List<EvidenceEvent> lateAudit = parse("k8s_audit", "prod-audit-late.log", "prod", ACCOUNT_PROD);
  public final List<EvidenceEvent> stageAudit = parse("k8s_audit", "stage-audit.log", "stage", ACCOUNT_STAGE);
  public final List<EvidenceEvent> cloudTrail = parse("aws_cloudtrail", "cloudtrail.json", null, ACCOUNT_PROD);
  public final List<EvidenceEvent> falco = parse("falco_alert", "falco.log", "prod", ACCOUNT_PROD);

  /** 10:02 from the compromised pod's IP (prod account): must resolve to payments/api-7d9f. */
  public final EvidenceEvent flowApi =
      flow("flow-api-1002", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.57", "203.0.113.9",
          "2026-11-20T10:02:00Z");
  /** 10:15 from the same IP, now shop/web-1's. */
  public final EvidenceEvent flowWeb =
      flow("flow-web-1015", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.57", "203.0.113.9",
          "2026-11-20T10:15:00Z");
  /** 10:05 from the same address in the other account: batch/job-x, never a prod pod. */
  public final EvidenceEvent flowStage =
      flow("flow-stage-1005", ACCOUNT_STAGE, "vpc-0bbb", "eni-0bbb1", null, "10.0.1.57", "198.51.100.20",
          "2026-11-20T10:05:00Z");
  /** 10:20 from 10.0.1.80, whose owner (shop/late-2 since 10:18) is learnt after this record. */
  public final EvidenceEvent flowLate =
      flow("flow-late-1020", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.80", "203.0.113.9",
          "2026-11-20T10:20:00Z");
  /** 09:50, before anyone held 10.0.1.57: unresolved. */
  public final EvidenceEvent flowBefore =
      flow("flow-before-0950", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.57", "203.0.113.9",
          "2026-11-20T09:50:00Z");

  /** 10:40:10, 10 s after cart-1's delete request, within its 30 s grace period: still cart-1's. */
  public final EvidenceEvent flowDuringGrace =
      flow("flow-grace-104010", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.90", "203.0.113.9",
          "2026-11-20T10:40:10Z");
  /** 10:40:25, after cart-1's container terminated (10:40:20), before the grace period's end: nobody's. */
  public final EvidenceEvent flowAfterTermination =
      flow("flow-terminated-104025", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.90", "203.0.113.9",
          "2026-11-20T10:40:25Z");
  /** 10:41:11, after slow-1's grace period (10:41:10) but before it was reported terminated (10:41:12): slow-1's. */
  public final EvidenceEvent flowPastGrace =
      flow("flow-pastgrace-104111", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.91", "203.0.113.9",
          "2026-11-20T10:41:11Z");
  /** 10:41:13, after slow-1 terminated: nobody's. */
  public final EvidenceEvent flowAfterKill =
      flow("flow-killed-104113", ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", INSTANCE, "10.0.1.91", "203.0.113.9",
          "2026-11-20T10:41:13Z");

  /** All events in the order the tests deliver them. */
  public List<EvidenceEvent> arrivalOrder() {
    List<EvidenceEvent> all = new ArrayList<>();
    all.add(flowBefore);
    all.addAll(prodAudit);
    all.addAll(stageAudit);
    all.add(flowAfterTermination); // before the evidence of the termination
    all.addAll(gracefulAudit);
    all.addAll(cloudTrail);
    all.addAll(falco);
    all.add(flowStage);
    all.add(flowWeb);
    all.add(flowLate);
    all.add(flowDuringGrace);
    all.add(flowPastGrace);
    all.add(flowAfterKill);
    all.addAll(lateAudit); // the binding for flowLate arrives after it
    all.add(flowApi); // a late VPC Flow record: its IP was reused meanwhile
    return all;
  }

  public EvidenceEvent getObject() {
    return cloudTrail.stream().filter(e -> "GetObject".equals(e.getApi().getOperation())).findFirst().orElseThrow();
  }

  public EvidenceEvent assumeRole() {
    return cloudTrail.stream()
        .filter(e -> "AssumeRoleWithWebIdentity".equals(e.getApi().getOperation()))
        .findFirst()
        .orElseThrow();
  }

  // ------------------------------------------------------------------------------------------------- builders

  public static EvidenceEvent flow(String id, String account, String vpc, String eni, String instance, String src,
      String dst, String time) {
    Instant t = Instant.parse(time);
    return EvidenceEvent.newBuilder()
        .setEventId(EventIds.sha256Hex(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setClassUid(4001)
        .setClassName("Network Activity")
        .setCategoryUid(4)
        .setCategoryName("Network Activity")
        .setActivityId(6)
        .setActivityName("Traffic")
        .setTypeUid(400106)
        .setTime(t)
        .setStartTime(t)
        .setEndTime(t.plusSeconds(60))
        .setSourceFormat("aws_vpc_flow")
        .setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(account).setRegion("us-east-1")
            .setVpcUid(vpc).setEniUid(eni).setInstanceUid(instance).build())
        .setSrcEndpoint(Endpoint.newBuilder().setIp(src).setPort(43512).build())
        .setDstEndpoint(Endpoint.newBuilder().setIp(dst).setPort(443).build())
        .setNetwork(Network.newBuilder().setProtocol("tcp").setBytes(5120L).setPackets(12L).setAction("ACCEPT")
            .setLogStatus("OK").build())
        .setLineage(Lineage.newBuilder().setArtifactSha256("f".repeat(64)).setOrigin("vpcflow/" + id + ".log.gz")
            .setSourceType("aws_vpc_flow").setByteOffset(id.hashCode() & 0xffff).setLineNumber(2L).build())
        .build();
  }

  public static List<EvidenceEvent> parse(String sourceType, String file, String cluster, String account) {
    return parseInChunks(sourceType, file, cluster, account, Integer.MAX_VALUE);
  }

  /**
   * The fixture cut at line ends into chunks of at most {@code chunkBytes} (a longer line is a chunk of its own), each
   * parsed on its own as the parse job does with the collector's chunks: what a chunk's parser cannot see (an earlier
   * line of the artifact) it does not know.
   */
  public static List<EvidenceEvent> parseInChunks(String sourceType, String file, String cluster, String account,
      int chunkBytes) {
    return parseInChunks(sourceType, file, cluster, account, null, chunkBytes);
  }

  /** {@link #parse} with the host's cloud instance in the evidence context (context manifest {@code cloud_instance}). */
  public static List<EvidenceEvent> parseOnInstance(String sourceType, String file, String cluster, String account,
      String instance) {
    return parseInChunks(sourceType, file, cluster, account, instance, Integer.MAX_VALUE);
  }

  static List<EvidenceEvent> parseInChunks(String sourceType, String file, String cluster, String account,
      String instance, int chunkBytes) {
    byte[] bytes;
    try (InputStream in = CorrelationScenario.class.getResourceAsStream("/fixtures/correlate/" + file)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String sha = EventIds.sha256Hex(bytes);
    List<int[]> cuts = new ArrayList<>(); // offset, length, first line
    int from = 0;
    int line = 1;
    int linesInChunk = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') continue;
      linesInChunk++;
      boolean last = i == bytes.length - 1;
      int next = nextLineEnd(bytes, i + 1);
      if (last || next - from + 1 > chunkBytes) {
        cuts.add(new int[] {from, i + 1 - from, line});
        line += linesInChunk;
        linesInChunk = 0;
        from = i + 1;
      }
    }
    if (from < bytes.length) cuts.add(new int[] {from, bytes.length - from, line});
    List<EvidenceEvent> out = new ArrayList<>();
    for (int c = 0; c < cuts.size(); c++) {
      int[] cut = cuts.get(c);
      byte[] payload = java.util.Arrays.copyOfRange(bytes, cut[0], cut[0] + cut[1]);
      RawArtifactChunk chunk =
          RawArtifactChunk.newBuilder()
              .setArtifactSha256(sha)
              .setArtifactSize(bytes.length)
              .setContentSha256(sha)
              .setContentSize(bytes.length)
              .setCompression(Compression.NONE)
              .setSourceType(sourceType)
              .setOrigin("/evidence/" + file)
              .setEvidenceRoot("/evidence")
              .setContext(EvidenceContext.newBuilder().setHost(NODE).setCluster(cluster).setCloudProvider("aws")
                  .setCloudAccount(account).setCloudRegion("us-east-1").setCloudInstance(instance).build())
              .setCollector(CollectorInfo.newBuilder().setId("file_collector").setVersion("test").setHostname("t")
                  .setRunId("run-1").setOperator(null).build())
              .setCollectedAt(Instant.parse("2026-11-21T00:00:00Z"))
              .setFraming("aws_cloudtrail".equals(sourceType) ? Framing.JSON_RECORDS : Framing.LINES)
              .setChunk(ChunkInfo.newBuilder().setIndex(c).setCount(cuts.size()).setOffset(cut[0])
                  .setLength(cut[1]).setFirstLine(cut[2]).setFirstRecord(cut[2] - 1)
                  .setSha256(EventIds.sha256Hex(payload)).setTruncatedRecord(false).build())
              .setStorageUri("s3://evidence/artifacts/sha256/" + sha)
              .setPayload(ByteBuffer.wrap(payload))
              .build();
      ChunkParseResult r = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
      if (!r.deadLetters().isEmpty()) {
        throw new IllegalStateException(file + ": " + r.deadLetters());
      }
      out.addAll(r.events());
    }
    return out;
  }

  private static int nextLineEnd(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) if (bytes[i] == '\n') return i;
    return bytes.length - 1;
  }
}
