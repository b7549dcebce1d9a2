package dev.strata.parse.formats.awscloudtraildigest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Events;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsCloudTrailDigestParserTest extends ParserContractTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures/aws_cloudtrail_digest");

  @Override
  protected EvidenceParser parser() {
    return new AwsCloudTrailDigestParser();
  }

  /** The digest's own signature travels in format_header (S3 metadata the collector carried) to every event. */
  @Test
  void signatureFromTheFormatHeaderOnEveryEvent() throws Exception {
    String sig = "0a1b2c3d".repeat(64);
    RawArtifactChunk c = Chunks.single(Files.readString(FIXTURES.resolve("digest_with_logs.input")),
        AwsCloudTrailDigestParser.FORMAT, Framing.WHOLE, "s3://b/k");
    c = RawArtifactChunk.newBuilder(c).setFormatHeader("x-amz-meta-signature: " + sig.toUpperCase()
        + "\nx-amz-meta-signature-algorithm: SHA256withRSA").build();
    List<EvidenceEvent> events = new ChunkParser(ParserRegistry.defaults()).parse(c).events();
    assertThat(events).hasSize(3);
    assertThat(events).allSatisfy(e -> assertThat(e.getUnmapped()).containsEntry("digest.signature", sig));
    assertThat(events).extracting(EvidenceEvent::getEventId).doesNotHaveDuplicates();
    assertThat(events).extracting(e -> e.getLineage().getRecordIndex()).containsOnly(0L);
    assertThat(events.get(0).getSourceFormat()).isEqualTo("aws_cloudtrail_digest");
  }

  /** AWS "CloudTrail digest file structure": the S3 metadata's signature-algorithm names the digest's algorithm. */
  @Test
  void aMetadataSignatureAlgorithmThatDiffersFromTheDigestsIsAWarning() throws Exception {
    RawArtifactChunk c = Chunks.single(Files.readString(FIXTURES.resolve("digest_with_logs.input")),
        AwsCloudTrailDigestParser.FORMAT, Framing.WHOLE, "s3://b/k");
    RawArtifactChunk agreeing = RawArtifactChunk.newBuilder(c).setFormatHeader("x-amz-meta-signature: ab"
        + "\nx-amz-meta-signature-algorithm: sha256withrsa").build();
    RawArtifactChunk differing = RawArtifactChunk.newBuilder(c).setFormatHeader("x-amz-meta-signature: ab"
        + "\nx-amz-meta-signature-algorithm: SHA1withRSA").build();
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());

    EvidenceEvent ok = parser.parse(agreeing).events().get(0);
    assertThat(ok.getUnmapped()).doesNotContainKey("digest.metadata_signature_algorithm");
    assertThat(ok.getUnmapped().get(Events.WARNING_KEY)).doesNotContain("signature algorithm");

    List<EvidenceEvent> events = parser.parse(differing).events();
    assertThat(events).hasSize(3);
    EvidenceEvent digest = events.get(0);
    assertThat(digest.getActivityName()).isEqualTo("digest");
    assertThat(digest.getUnmapped()).containsEntry("digest.signature_algorithm", "SHA256withRSA")
        .containsEntry("digest.metadata_signature_algorithm", "SHA1withRSA");
    assertThat(digest.getUnmapped().get(Events.WARNING_KEY)).contains("signature algorithm mismatch", "SHA1withRSA");
  }

  @Test
  void headerLinesAreNameValuePairs() {
    assertThat(AwsCloudTrailDigestParser.metadata(null)).isEmpty();
    assertThat(AwsCloudTrailDigestParser.metadata("X-Amz-Meta-Signature: ab\nnot a header\nx: \n"))
        .isEqualTo(Map.of("x-amz-meta-signature", "ab"));
  }

  @Test
  void digestLargerThanAChunkIsRecordTooLarge() {
    byte[] p = "{\"digestEndTime\":\"2026-11-20T15:01:31Z\",\"logFiles\":[".getBytes();
    var chunk = Chunks.chunk(p, "c".repeat(64), AwsCloudTrailDigestParser.FORMAT, Framing.WHOLE, "x", 0, 2, 0, 1, 0,
        false, p);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
    assertThat(res.events()).isEmpty();
    assertThat(res.deadLetters()).extracting(d -> d.getReason()).containsExactly("record_too_large");
  }
}
