package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** SBOM, scan and signature outputs, and the CloudTrail wrappers (EventBridge, CloudWatch Logs, Lake). */
class SupplyChainRecognizersTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();

  private static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  private static Recognition sample(Path base, Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    boolean complete = b.length <= ContentSample.SIZE;
    ContentSample s = new ContentSample(complete ? b : java.util.Arrays.copyOf(b, ContentSample.SIZE), complete, false);
    return Recognizers.recognize(R, "evidence/" + p.getFileName().toString().replace(".", "_"), s);
  }

  /** The shared corpus SBOMs by content alone (file names hidden): the format and JSON_RECORDS framing (record arrays). */
  @Test
  void corpusSbomsAndScansByContent() throws IOException {
    Path corpus = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus", "sbom");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(corpus), "no shared corpus");
    List<Path> files;
    try (Stream<Path> s = Files.walk(corpus)) {
      files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(8);
    for (Path p : files) {
      String n = p.getFileName().toString();
      String expected = n.endsWith(".spdx.json") ? "spdx_sbom" : n.endsWith(".syft.json") ? "syft_sbom"
          : n.endsWith(".grype.json") || p.getParent().getFileName().toString().equals("grype") ? "grype_scan"
          : "cyclonedx_sbom";
      Recognition r = sample(corpus, p);
      assertThat(r.sourceType()).as(n + ": " + r.detail()).isEqualTo(expected);
      assertThat(r.framing()).as(n).isEqualTo(Framing.JSON_RECORDS);
      assertThat(Recognizers.boundaryScanner(R, r)).as(n).isInstanceOf(dev.strata.ingest.chunk.RecordArraysBoundaryScanner.class);
    }
  }

  @Test
  void sbomPathsAndLongDocuments() {
    assertThat(new SpdxSbomRecognizer().matchPath("sboms/api.spdx.json")).isPresent();
    assertThat(new CycloneDxSbomRecognizer().matchPath("sboms/bom.json")).isPresent();
    assertThat(new CycloneDxSbomRecognizer().matchPath("sboms/api.cdx.json")).isPresent();
    assertThat(new SyftSbomRecognizer().matchPath("x/api.syft.json")).isPresent();
    assertThat(new GrypeScanRecognizer().matchPath("x/api.grype.json")).isPresent();
    // syft JSON starts with its (possibly huge) artifacts array: the first artifact decides
    String syft = "{\"artifacts\":[{\"id\":\"1\",\"name\":\"busybox\",\"version\":\"1\",\"type\":\"apk\","
        + "\"foundBy\":\"apk-db-cataloger\"},{\"id\":\"2\",\"name\":\"" + "x".repeat(70_000);
    byte[] b = syft.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ContentSample cut = new ContentSample(java.util.Arrays.copyOf(b, ContentSample.SIZE), false, false);
    Recognition r = Recognizers.recognize(R, "x/output.json", cut);
    assertThat(r.sourceType()).isEqualTo("syft_sbom");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(rec("x/y.json", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"metadata\":{\"tools\":"
        + "[{\"vendor\":\"anchore\",\"name\":\"grype\",\"version\":\"0.60.0\"}]},\"components\":[]}").sourceType())
        .isEqualTo("grype_scan");
    assertThat(rec("x/y.json", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}").sourceType())
        .isEqualTo("cyclonedx_sbom");
    assertThat(rec("x/y.json", "{\"matches\":[],\"descriptor\":{\"name\":\"grype\"}}").sourceType())
        .isEqualTo("grype_scan");
    assertThat(rec("x/y.json", "{\"matches\":[{\"a\":1}]}").recognized()).isFalse();
  }

  @Test
  void cosignOutputs() {
    String d = "sha256:" + "a".repeat(64);
    Recognition text = rec("out/verify.txt", "\nVerification for ghcr.io/x/y:1 --\nThe following checks were performed "
        + "on each of these signatures:\n  - The cosign claims were validated\n");
    assertThat(text.sourceType()).isEqualTo("cosign_verify");
    assertThat(text.framing()).isEqualTo(Framing.WHOLE);
    Recognition json = rec("out/verify.json", "[{\"critical\":{\"identity\":{\"docker-reference\":\"ghcr.io/x/y\"},"
        + "\"image\":{\"docker-manifest-digest\":\"" + d + "\"},\"type\":\"cosign container image signature\"},"
        + "\"optional\":null}]\n");
    assertThat(json.sourceType()).isEqualTo("cosign_verify");
    Recognition att = rec("out/att.json", "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\","
        + "\"signatures\":[{\"keyid\":\"\",\"sig\":\"MEUC\"}]}\n");
    assertThat(att.sourceType()).isEqualTo("cosign_verify");
    assertThat(rec("out/x.json", "[{\"critical\":{}}]").recognized()).isFalse();
  }

  private static final String CT = "{\"eventVersion\":\"1.09\",\"eventSource\":\"sts.amazonaws.com\","
      + "\"eventName\":\"AssumeRoleWithWebIdentity\",\"eventTime\":\"2024-08-01T10:00:00Z\"}";

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void cloudTrailWrappers() {
    Recognition eb = rec("x/eb.json", "{\"version\":\"0\",\"id\":\"1\",\"detail-type\":\"AWS API Call via CloudTrail\","
        + "\"source\":\"aws.sts\",\"detail\":" + CT + "}\n");
    assertThat(eb.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(eb.framing()).isEqualTo(Framing.LINES);
    Recognition cw = rec("x/cw.json", "{\"timestamp\":1,\"message\":" + quoted(CT) + ",\"logStreamName\":\"s\"}\n");
    assertThat(cw.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(cw.framing()).isEqualTo(Framing.LINES);
    Recognition fh = rec("x/fh.json", "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"1\",\"logGroup\":\"g\","
        + "\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":" + quoted(CT) + "}]}");
    assertThat(fh.sourceType()).isEqualTo("aws_cloudtrail");
    // a subscription message: cut between messages (a Firehose object holds many back to back, firehose scenario)
    assertThat(fh.framing()).isEqualTo(Framing.LINES);
    Recognition fle = rec("x/fle.json", "{\n \"events\": [\n  {\"logStreamName\":\"s\",\"timestamp\":1,\"message\":"
        + quoted(CT) + "}\n ],\n \"searchedLogStreams\": []\n}\n");
    assertThat(fle.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(fle.framing()).isEqualTo(Framing.WHOLE);
    Recognition lake = rec("x/lake.json", "{\"QueryStatus\":\"FINISHED\",\"QueryResultRows\":[[{\"eventJson\":"
        + quoted(CT) + "}]]}");
    assertThat(lake.sourceType()).isEqualTo("aws_cloudtrail");
    assertThat(lake.framing()).isEqualTo(Framing.WHOLE);
    Recognition lakeLines = rec("x/lake.jsonl", "{\"eventData\":" + quoted(CT) + ",\"id\":\"1\"}\n");
    assertThat(lakeLines.sourceType()).isEqualTo("aws_cloudtrail");
    // a CloudWatch export of something else is not CloudTrail
    assertThat(rec("x/other.json", "{\"timestamp\":1,\"message\":\"{\\\"level\\\":\\\"info\\\"}\"}\n").sourceType())
        .isNotEqualTo("aws_cloudtrail");
  }
}
