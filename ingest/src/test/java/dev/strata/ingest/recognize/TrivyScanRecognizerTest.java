package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Trivy's JSON report shapes (pkg/types Report; trivy k8s; schema 1), written for this test. */
class TrivyScanRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void aReportByContentAnywhereEvenWhenTheSampleCutsIt() {
    String head = "{\n  \"SchemaVersion\": 2,\n  \"CreatedAt\": \"2024-09-03T10:00:00Z\",\n  \"ArtifactName\": \"nginx:1.25\","
        + "\n  \"ArtifactType\": \"container_image\",\n  \"Results\": [\n    {\"Target\": \"nginx:1.25 (debian 12.5)\","
        + " \"Vulnerabilities\": [";
    StringBuilder big = new StringBuilder(head);
    while (big.length() < 100_000) {
      big.append("{\"VulnerabilityID\":\"CVE-2024-0001\",\"PkgName\":\"x\",\"Severity\":\"LOW\"},");
    }
    byte[] b = big.toString().getBytes();
    ContentSample cut = new ContentSample(Arrays.copyOf(b, ContentSample.SIZE), false, false);
    Recognition r = Recognizers.recognize(R, "evidence/scans/web.json", cut);
    assertThat(r.sourceType()).isEqualTo("trivy_scan");
    assertThat(r.framing()).isEqualTo(Framing.WHOLE);
  }

  @Test
  void aK8sReport() {
    assertThat(rec("out/cluster.json", "{\"ClusterName\":\"prod\",\"Resources\":[{\"Namespace\":\"a\"}]}\n")
        .sourceType()).isEqualTo("trivy_scan");
  }

  @Test
  void aSchemaOneArrayNeedsTheTrivyPath() {
    String legacy = "[{\"Target\":\"node-app/package-lock.json\",\"Vulnerabilities\":[]}]\n";
    assertThat(rec("scans/trivy-results.json", legacy).sourceType()).isEqualTo("trivy_scan");
    assertThat(rec("scans/web.trivy.json", legacy).sourceType()).isEqualTo("trivy_scan");
    assertThat(rec("scans/results.json", legacy).recognized()).isFalse();
  }

  @Test
  void otherScannersAreNotTrivy() {
    assertThat(rec("a.json", "{\"matches\":[],\"source\":{\"type\":\"image\"},\"descriptor\":{\"name\":\"grype\"}}\n")
        .sourceType()).isNotEqualTo("trivy_scan");
    assertThat(rec("a.json", "{\"SchemaVersion\":2}\n").recognized()).isFalse();
  }
}
