package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.s3.S3Puller;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Acceptance test of {@code strata pull-s3}: CloudTrail logs (gz, one of several chunks), CloudTrail digests (with
 * their S3 metadata signature) and VPC Flow Logs (gz, plain text) in the embedded S3 server under the standard layout; the puller runs in a child JVM, is
 * halted (as by kill -9: no shutdown hooks, no producer close) inside the transaction of an object halfway, restarted,
 * and every object's chunks must be on evidence.raw.v1 exactly once for read_committed consumers, nothing missing.
 */
@ExtendWith(SharedStack.class)
class S3PullerIT {
  static final String ACCOUNT = "111122223333";

  @TempDir Path tmp;

  @Test
  void killedHalfwayAndRestartedPublishesEveryObjectExactlyOnce(StackEndpoints endpoints) throws Exception {
    String bucket = "cloud-logs-" + UUID.randomUUID().toString().substring(0, 8);
    S3EvidenceStoreConfig cfg = S3EvidenceStoreConfig.of(endpoints.s3Endpoint(), endpoints.s3Region(),
        endpoints.evidenceBucket(), endpoints.s3AccessKey(), endpoints.s3SecretKey());
    Map<String, byte[]> objects = new TreeMap<>();
    for (String region : List.of("eu-west-1", "us-east-1")) {
      for (int i = 0; i < 5; i++) {
        String stamp = String.format("20261120T10%02dZ", i * 5);
        String key = "AWSLogs/" + ACCOUNT + "/CloudTrail/" + region + "/2026/11/20/" + ACCOUNT + "_CloudTrail_" + region
            + "_" + stamp + "_u" + i + region.charAt(0) + ".json.gz";
        int records = region.equals("us-east-1") && i == 2 ? 3000 : 3; // one object of several chunks
        objects.put(key, gzip(cloudTrail(region, i, records)));
      }
      String digest = "AWSLogs/" + ACCOUNT + "/CloudTrail-Digest/" + region + "/2026/11/20/" + ACCOUNT
          + "_CloudTrail-Digest_" + region + "_trail_" + region + "_20261120T110000Z.json.gz";
      objects.put(digest, gzip(("{\"awsAccountId\":\"" + ACCOUNT + "\",\"digestStartTime\":\"2026-11-20T10:00:00Z\","
          + "\"digestEndTime\":\"2026-11-20T11:00:00Z\",\"digestS3Bucket\":\"" + bucket + "\",\"digestS3Object\":\""
          + digest + "\",\"digestPublicKeyFingerprint\":\"31e8b5433410dfb61a9dc45cc65b22ff\","
          + "\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"previousDigestSignature\":null,\"logFiles\":[]}")
          .getBytes(StandardCharsets.UTF_8)));
      for (int i = 0; i < 2; i++) {
        String key = "AWSLogs/" + ACCOUNT + "/vpcflowlogs/" + region + "/2026/11/20/" + ACCOUNT + "_vpcflowlogs_" + region
            + "_fl-0abc" + i + "_20261120T10" + (i * 5 + 10) + "Z_hash" + i + ".log.gz";
        objects.put(key, gzip(("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes"
            + " start end action log-status\n2 " + ACCOUNT + " eni-0a1b2c3d 10.0.1.5 10.0.2.9 443 49152 6 10 840"
            + " 1763632800 1763632860 ACCEPT OK\n").getBytes(StandardCharsets.UTF_8)));
      }
    }
    // a flow log delivered with Hive-compatible S3 prefixes (VPC User Guide, "Flow logs in Amazon S3")
    String hive = "AWSLogs/aws-account-id=" + ACCOUNT + "/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/"
        + "month=11/day=20/" + ACCOUNT + "_vpcflowlogs_eu-west-1_fl-0hive_20261120T1010Z_hashh.log.gz";
    objects.put(hive, gzip(("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes"
        + " start end action log-status\n2 " + ACCOUNT + " eni-0h1v2e3d 10.0.1.6 10.0.2.9 443 49153 6 10 840"
        + " 1763632800 1763632860 ACCEPT OK\n").getBytes(StandardCharsets.UTF_8)));
    try (S3Client s3 = S3EvidenceStore.newClient(cfg)) {
      s3.createBucket(b -> b.bucket(bucket));
      for (var e : objects.entrySet()) {
        Map<String, String> meta = e.getKey().contains("/CloudTrail-Digest/")
            ? Map.of("signature", "00ab" + e.getKey().length(), "signature-algorithm", "SHA256withRSA") : Map.of();
        s3.putObject(b -> b.bucket(bucket).key(e.getKey()).metadata(meta), RequestBody.fromBytes(e.getValue()));
      }
      s3.putObject(b -> b.bucket(bucket).key("AWSLogs/999988887777/CloudTrail/us-east-1/2026/11/20/other.json.gz"),
          RequestBody.fromBytes(gzip(cloudTrail("us-east-1", 9, 1)))); // another account: not pulled
    }
    String collectorId = "it-" + UUID.randomUUID().toString().substring(0, 8);

    Process first = start(endpoints, bucket, collectorId, 7, tmp.resolve("run1.log")); // inside the 4-chunk object
    assertThat(first.waitFor(180, TimeUnit.SECONDS)).as("first run ends").isTrue();
    assertThat(first.exitValue()).as("first run halted as by kill -9; log:%n%s", log(tmp.resolve("run1.log")))
        .isEqualTo(137);
    Map<String, Integer> afterKill = chunksByOrigin(endpoints, bucket, "read_committed");
    assertThat(afterKill.size()).as("the first run committed some objects only").isBetween(1, objects.size() - 1);

    Process second = start(endpoints, bucket, collectorId, -1, tmp.resolve("run2.log"));
    assertThat(second.waitFor(180, TimeUnit.SECONDS)).as("second run ends").isTrue();
    String log2 = log(tmp.resolve("run2.log"));
    assertThat(second.exitValue()).as("second run; log:%n%s", log2).isZero();

    // read_committed: every chunk of every collected object exactly once, manifests exactly once
    List<RawArtifactChunk> chunks = read(endpoints, Topics.RAW, "read_committed", RawArtifactChunk.class, bucket);
    Map<String, List<RawArtifactChunk>> byOrigin = new TreeMap<>();
    chunks.forEach(c -> byOrigin.computeIfAbsent(c.getOrigin(), k -> new ArrayList<>()).add(c));
    Set<String> expectedCollected = new TreeSet<>();
    for (String key : objects.keySet()) {
      expectedCollected.add("s3://" + bucket + "/" + key); // logs, digests and flow logs: every object is evidence
    }
    assertThat(byOrigin.keySet()).containsExactlyInAnyOrderElementsOf(expectedCollected);
    for (var e : byOrigin.entrySet()) {
      List<RawArtifactChunk> cs = e.getValue();
      int count = cs.get(0).getChunk().getCount();
      assertThat(cs).as("chunks of %s", e.getKey()).hasSize(count);
      assertThat(cs.stream().map(c -> c.getChunk().getIndex()).sorted().toList())
          .as("chunk indexes of %s", e.getKey()).isEqualTo(java.util.stream.IntStream.range(0, count).boxed().toList());
      assertThat(cs.get(0).getCollector().getId()).isEqualTo(S3Puller.COLLECTOR_ID);
      assertThat(cs.get(0).getEvidenceRoot()).isEqualTo("s3://" + bucket);
      // content restored bit for bit from the chunks = the object's content
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      cs.stream().sorted(java.util.Comparator.comparingInt(c -> c.getChunk().getIndex()))
          .forEach(c -> content.writeBytes(bytes(c.getPayload())));
      String key = e.getKey().substring(("s3://" + bucket + "/").length());
      assertThat(content.toByteArray()).as("content of %s", key).isEqualTo(gunzip(objects.get(key)));
    }
    String big = "s3://" + bucket + "/" + objects.keySet().stream()
        .filter(k -> k.contains("us-east-1") && k.contains("_u2")).findFirst().orElseThrow();
    assertThat(byOrigin.get(big)).as("the large object travels in several chunks").hasSizeGreaterThan(1);
    assertThat(byOrigin.get(big).get(0).getContext().getCloudAccount()).isEqualTo(ACCOUNT);
    assertThat(byOrigin.get(big).get(0).getContext().getCloudRegion()).isEqualTo("us-east-1");
    RawArtifactChunk hiveChunk = byOrigin.get("s3://" + bucket + "/" + hive).get(0);
    assertThat(hiveChunk.getSourceType()).isEqualTo("aws_vpc_flow");
    assertThat(hiveChunk.getContext().getCloudRegion()).isEqualTo("eu-west-1");

    List<ArtifactManifest> manifests = read(endpoints, Topics.ARTIFACTS, "read_committed", ArtifactManifest.class, bucket);
    Map<String, Long> manifestsByOrigin = new TreeMap<>();
    manifests.forEach(m -> manifestsByOrigin.merge(m.getOrigin(), 1L, Long::sum));
    assertThat(manifestsByOrigin.keySet()).containsExactlyInAnyOrderElementsOf(expectedCollected);
    assertThat(manifestsByOrigin.values()).allMatch(n -> n == 1L);

    // the halted transaction left records in the log that only read_uncommitted consumers see
    int uncommitted = read(endpoints, Topics.RAW, "read_uncommitted", RawArtifactChunk.class, bucket).size();
    assertThat(uncommitted).isGreaterThanOrEqualTo(chunks.size());

    // originals preserved in the evidence store under their SHA-256
    try (S3EvidenceStore store = S3EvidenceStore.create(cfg)) {
      for (ArtifactManifest m : manifests) {
        assertThat(store.exists(m.getArtifactSha256())).as("preserved %s", m.getOrigin()).isTrue();
      }
    }
    // nothing skipped: digests are collected as aws_cloudtrail_digest, their S3 metadata signature on their chunk
    long skippedLines = log2.lines().filter(l -> l.trim().startsWith("skipped")).count()
        + log(tmp.resolve("run1.log")).lines().filter(l -> l.trim().startsWith("skipped")).count();
    assertThat(skippedLines).isZero();
    for (var e : byOrigin.entrySet()) {
      RawArtifactChunk c = e.getValue().get(0);
      if (e.getKey().contains("/CloudTrail-Digest/")) {
        String key = e.getKey().substring(("s3://" + bucket + "/").length());
        assertThat(c.getSourceType()).isEqualTo("aws_cloudtrail_digest");
        assertThat(c.getFormatHeader()).isEqualTo("x-amz-meta-signature: 00ab" + key.length()
            + "\nx-amz-meta-signature-algorithm: SHA256withRSA");
      } else {
        assertThat(c.getSourceType()).isIn("aws_cloudtrail", "aws_vpc_flow");
      }
    }
    assertThat(log2).contains("start_after");

    System.out.println("--- run 1 (halted)\n" + log(tmp.resolve("run1.log")) + "--- run 2\n" + log2);
    // --mirror: every object copied as <bucket>/<key>, digests with their S3 metadata (signature) beside them
    for (var o : objects.entrySet()) {
      Path copy = tmp.resolve("mirror").resolve(bucket).resolve(o.getKey());
      assertThat(Files.readAllBytes(copy)).as("mirror of %s", o.getKey()).isEqualTo(o.getValue());
      Path head = copy.resolveSibling(copy.getFileName() + ".metadata.json");
      if (o.getKey().contains("/CloudTrail-Digest/")) {
        assertThat(Files.readString(head)).contains("\"signature\":\"00ab" + o.getKey().length() + "\"");
      } else {
        assertThat(head).doesNotExist();
      }
    }

    // a third run finds nothing new
    Process third = start(endpoints, bucket, collectorId, -1, tmp.resolve("run3.log"));
    assertThat(third.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(third.exitValue()).isZero();
    assertThat(log(tmp.resolve("run3.log"))).contains("pull-s3: 0 objects");
    assertThat(read(endpoints, Topics.RAW, "read_committed", RawArtifactChunk.class, bucket)).hasSize(chunks.size());
  }

  private Process start(StackEndpoints e, String bucket, String collectorId, int haltAfter, Path log) throws IOException {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp));
    if (haltAfter >= 0) cmd.add("-D" + S3Puller.HALT_PROPERTY + "=" + haltAfter);
    cmd.addAll(List.of(StrataCli.class.getName(), "pull-s3", "--once", "-v", "--bucket", bucket, "--account", ACCOUNT,
        "--source-endpoint", e.s3Endpoint().toString(), "--region", e.s3Region(), "--collector-id", collectorId,
        "--kafka", e.kafkaBootstrap(), "--s3-endpoint", e.s3Endpoint().toString(), "--s3-bucket", e.evidenceBucket(),
        "--spool-dir", tmp.resolve("spool-" + collectorId).toString(), "--mirror", tmp.resolve("mirror").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("STRATA_S3_ACCESS_KEY", e.s3AccessKey());
    env.put("STRATA_S3_SECRET_KEY", e.s3SecretKey());
    env.put("STRATA_S3_REGION", e.s3Region());
    env.remove("STRATA_CONFIG");
    return pb.start();
  }

  private static String log(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }

  private static Map<String, Integer> chunksByOrigin(StackEndpoints e, String bucket, String isolation) {
    Map<String, Integer> out = new HashMap<>();
    read(e, Topics.RAW, isolation, RawArtifactChunk.class, bucket).forEach(c -> out.merge(c.getOrigin(), 1, Integer::sum));
    return out;
  }

  /** Records of {@code topic} whose origin is in {@code bucket}, from the beginning to the current end. */
  private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(StackEndpoints e, String topic,
      String isolation, Class<T> type, String bucket) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, e.kafkaBootstrap());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    AvroCodec<T> codec = AvroCodec.of(type);
    List<T> out = new ArrayList<>();
    String prefix = "s3://" + bucket + "/";
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          T v = codec.decode(r.value());
          Object origin = v.get(v.getSchema().getField("origin").pos());
          if (origin != null && origin.toString().startsWith(prefix)) out.add(v);
        }
      }
    }
    return out;
  }

  private static byte[] cloudTrail(String region, int file, int records) {
    StringBuilder b = new StringBuilder("{\"Records\":[");
    for (int r = 0; r < records; r++) {
      if (r > 0) b.append(',');
      b.append("{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\",\"accountId\":\"").append(ACCOUNT)
          .append("\"},\"eventTime\":\"2026-11-20T10:0").append(file).append(":00Z\",\"eventSource\":\"s3.amazonaws.com\","
              + "\"eventName\":\"GetObject\",\"awsRegion\":\"").append(region)
          .append("\",\"sourceIPAddress\":\"203.0.113.50\",\"requestParameters\":{\"bucketName\":\"data\",\"key\":\"k/")
          .append(r).append("/").append("x".repeat(150)).append("\"},\"eventID\":\"").append(UUID.randomUUID())
          .append("\",\"recipientAccountId\":\"").append(ACCOUNT).append("\"}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] b) {
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] bytes(java.nio.ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

}
