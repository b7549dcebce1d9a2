package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.TestFiles;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FalcoAlertRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  private static final String ALERT =
      "{\"output\":\"12:00:00.1: Warning Shell in container (user=root)\",\"priority\":\"Warning\","
          + "\"rule\":\"Terminal shell in container\",\"time\":\"2024-05-01T12:00:00.123456789Z\","
          + "\"output_fields\":{\"proc.cmdline\":\"bash\"},\"source\":\"syscall\",\"tags\":[\"shell\"],"
          + "\"hostname\":\"node-1\"}";

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void jsonLinesByContentAnywhere() {
    Recognition r = rec("evidence/alerts.txt", ALERT + "\n" + ALERT + "\n");
    assertThat(r.sourceType()).isEqualTo("falco_alert");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
  }

  @Test
  void prettyPrintedSingleAlertIsWhole() {
    String pretty = ALERT.replace(",\"", ",\n  \"").replace("{\"output\"", "{\n  \"output\"") + "\n";
    Recognition r = rec("posts/body.json", pretty);
    assertThat(r.sourceType()).isEqualTo("falco_alert");
    assertThat(r.framing()).isEqualTo(Framing.WHOLE);
  }

  @Test
  void paths() {
    FalcoAlertRecognizer f = new FalcoAlertRecognizer();
    assertThat(f.matchPath("var/log/falco_events.json")).isPresent();
    assertThat(f.matchPath("falco.json.gz")).isPresent();
    assertThat(f.matchPath("var/log/falco/events.log.1")).isPresent();
    assertThat(f.matchPath("var/log/falco.txt")).isEmpty();
    assertThat(f.matchPath("var/log/other.json")).isEmpty();
  }

  @Test
  void longFirstLineNeedsThePath() {
    byte[] b = ("{\"output\":\"" + "a".repeat(70_000)).getBytes();
    ContentSample s = new ContentSample(java.util.Arrays.copyOf(b, ContentSample.SIZE), false, false);
    assertThat(Recognizers.recognize(R, "var/log/falco/events.log", s).sourceType()).isEqualTo("falco_alert");
    assertThat(Recognizers.recognize(R, "x/plain.log", s).recognized()).isFalse();
  }

  @Test
  void otherFormatsAreNotFalco() {
    assertThat(rec("a.json", "{\"rule\":\"x\",\"output\":\"y\"}\n").recognized()).isFalse();
    assertThat(rec("var/log/falco.json", TestFiles.auditLine(1)).sourceType()).isEqualTo("k8s_audit");
    assertThat(rec("a.log", TestFiles.dockerLine(1)).sourceType()).isEqualTo("docker_json_log");
    assertThat(rec("var/log/falco/x.log", "12:00:00.1: Warning text output\n").recognized()).isFalse();
  }

  /** The shared corpus: both JSON files are Falco alert lines; the text output is not recognized. */
  @Test
  void realCorpusSamples() throws IOException {
    Path dir = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus", "falco");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "no shared corpus");
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Recognition r = Recognizers.recognize(R, "falco/" + p.getFileName(), ContentSample.of(Files.readString(p)));
        if (p.toString().endsWith(".json")) {
          assertThat(r.sourceType()).as(p.toString()).isEqualTo("falco_alert");
          assertThat(r.framing()).as(p.toString()).isEqualTo(Framing.LINES);
        } else {
          assertThat(r.recognized()).as(p.toString()).isFalse();
        }
      }
    }
  }
}
