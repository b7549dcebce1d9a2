package dev.strata.sink.testing;

import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Lineage;
import dev.strata.schema.event.Resource;
import dev.strata.schema.raw.ArtifactManifest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Synthetic, deterministic records for tests and the benchmark (made up; no real evidence). */
public final class SampleEvents {
  public static final String ARTIFACT = sha256("sample-cloudtrail-artifact");
  private static final Instant T0 = Instant.parse("2024-05-01T12:34:56.123456Z");

  private SampleEvents() {}

  /** A CloudTrail-like API Activity event, the golden sample of the mapping test. */
  public static EvidenceEvent cloudTrail() {
    Map<String, String> unmapped = new LinkedHashMap<>();
    unmapped.put("additionalEventData.SignatureVersion", "\"SigV4\"");
    unmapped.put("tlsDetails.tlsVersion", "\"TLSv1.3\"");
    return EvidenceEvent.newBuilder()
        .setEventId(sha256("event-0"))
        .setClassUid(6003)
        .setClassName("API Activity")
        .setCategoryUid(6)
        .setCategoryName("Application Activity")
        .setActivityId(2)
        .setActivityName("Read")
        .setTypeUid(600302)
        .setSeverityId(1)
        .setSeverity("Informational")
        .setStatus("Success")
        .setTime(T0)
        .setTimeOriginal("2024-05-01T12:34:56Z")
        .setObservedTime(Instant.parse("2024-06-01T00:00:00Z"))
        .setMessage("GetObject s3://bucket/key")
        .setSourceFormat("aws_cloudtrail")
        .setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid("123456789012").setRegion("us-east-1").build())
        .setActor(Actor.newBuilder().setUserName("alice").setUserType("IAMUser")
            .setUserUid("arn:aws:iam::123456789012:user/alice").setAccountUid("123456789012")
            .setGroups(List.of("admins", "devs")).setCredentialUid("AKIAEXAMPLE").build())
        .setApi(Api.newBuilder().setService("s3.amazonaws.com").setOperation("GetObject")
            .setRequestUid("req-1").setResponseCode(200).build())
        .setResources(List.of(Resource.newBuilder().setType("AWS::S3::Object").setName("bucket/key").build()))
        .setHttpRequest(HttpRequest.newBuilder().setUserAgent("aws-cli/2.15.0").build())
        .setSrcEndpoint(Endpoint.newBuilder().setIp("203.0.113.7").build())
        .setDstEndpoint(Endpoint.newBuilder().setDomain("ec2.amazonaws.com").build())
        .setUnmapped(unmapped)
        .setRawData("{\"eventName\":\"GetObject\"}")
        .setLineage(Lineage.newBuilder().setArtifactSha256(ARTIFACT)
            .setOrigin("AWSLogs/123456789012/CloudTrail/us-east-1/2024/05/01/trail.json.gz")
            .setSourceType("aws_cloudtrail").setChunkIndex(0).setByteOffset(12).setByteLength(345)
            .setRecordIndex(0L).setCollectorRunId("run-1").build())
        .build();
  }

  /** Event number {@code i}: small, with a deterministic id. */
  public static EvidenceEvent event(long i) {
    return EvidenceEvent.newBuilder()
        .setEventId(sha256("bench-event-" + i))
        .setClassUid(0)
        .setClassName("Base Event")
        .setCategoryUid(0)
        .setCategoryName("Uncategorized")
        .setTypeUid(0)
        .setTime(T0.plusMillis(i))
        .setMessage("GET /api/v1/items/" + i + " 200 " + (i % 97) + "ms user=user" + (i % 13))
        .setSourceFormat("docker_json_log")
        .setSrcEndpoint(Endpoint.newBuilder().setIp("10.0." + (i / 256 % 256) + "." + (i % 256)).setPort(443)
            .build())
        .setLineage(Lineage.newBuilder().setArtifactSha256(ARTIFACT).setOrigin("var/log/containers/app.log")
            .setSourceType("docker_json_log").setChunkIndex(0).setByteOffset(i * 120).setByteLength(120)
            .setLineNumber(i + 1).build())
        .build();
  }

  public static DeadLetter deadLetter(byte[] original) {
    return DeadLetter.newBuilder()
        .setDeadLetterId(sha256("dl-1"))
        .setStage(Stage.PARSE)
        .setSourceType("docker_json_log")
        .setArtifactSha256(ARTIFACT)
        .setOrigin("var/log/containers/app.log")
        .setByteOffset(120L)
        .setLineNumber(2L)
        .setReason("malformed_json")
        .setMessage("Unexpected end-of-input")
        .setExceptionClass("com.fasterxml.jackson.core.io.JsonEOFException")
        .setOriginal(ByteBuffer.wrap(original))
        .setOriginalSha256(sha256(original))
        .setTime(T0)
        .build();
  }

  public static ArtifactManifest manifest(String sha256, long size, String origin, String runId) {
    return ArtifactManifest.newBuilder()
        .setArtifactSha256(sha256)
        .setSize(size)
        .setCompression(Compression.NONE)
        .setContentSha256(sha256)
        .setContentSize(size)
        .setSourceType("docker_json_log")
        .setOrigin(origin)
        .setEvidenceRoot("/evidence/node-1")
        .setOriginMtime(Instant.parse("2024-04-30T23:59:59.000001Z"))
        .setContext(EvidenceContext.newBuilder().setHost("node-1").setCluster("prod").build())
        .setCollector(CollectorInfo.newBuilder().setId("file_collector").setVersion("0.1.0").setRunId(runId)
            .setHostname("forensics-ws").build())
        .setCollectedAt(Instant.parse("2024-06-01T10:00:00.654321Z"))
        .setChunkCount(1)
        .build();
  }

  public static String sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
