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

  /** Falco's text output (json_output: false) by content anywhere: alerts first, or Falco's log lines then alerts. */
  @Test
  void textOutputByContent() {
    String alert = "2024-05-01T10:20:05.408091526+0000: Notice A shell was spawned in a container with an attached"
        + " terminal (user=root shell=sh container_id=3ad5f0ae5f9b)\n";
    Recognition r = rec("evidence/node-1/alerts", alert + alert);
    assertThat(r.sourceType()).isEqualTo("falco_alert");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    String local = "Wed May  1 10:00:00 2024: Falco version: 0.37.1 (x86_64)\n"
        + "Wed May  1 10:00:00 2024: Loading rules from file /etc/falco/falco_rules.yaml\n"
        + "10:20:05.408091526: Notice A shell was spawned in a container (user=root)\n";
    assertThat(rec("evidence/node-1/out", local).sourceType()).isEqualTo("falco_alert");
    assertThat(rec("journal/falco.txt",
        "May  1 10:20:05 node-1 falco[812]: 10:20:05.408091526: Warning Sensitive file opened (file=/etc/shadow)\n")
        .sourceType()).isEqualTo("falco_alert");
  }

  @Test
  void paths() {
    FalcoAlertRecognizer f = new FalcoAlertRecognizer();
    assertThat(f.matchPath("var/log/falco_events.json")).isPresent();
    assertThat(f.matchPath("falco.json.gz")).isPresent();
    assertThat(f.matchPath("var/log/falco/events.log.1")).isPresent();
    assertThat(f.matchPath("var/log/falco.txt")).isPresent();
    assertThat(f.matchPath("var/log/falco.log")).isPresent();
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
    // a text alert with a short time fraction is a weak match: Falco's path is needed
    assertThat(rec("x/app.log", "12:00:00.1: Warning text output\n").recognized()).isFalse();
    assertThat(rec("var/log/falco/x.log", "12:00:00.1: Warning text output\n").sourceType()).isEqualTo("falco_alert");
    assertThat(rec("x/app.log", "12:00:00.123456789: Starting server\n").recognized()).isFalse();
  }

  /** The shared corpus: both JSON files are Falco alert lines, the .txt file the same alerts as text output. */
  @Test
  void realCorpusSamples() throws IOException {
    Path dir = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus", "falco");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "no shared corpus");
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Recognition r = Recognizers.recognize(R, "falco/" + p.getFileName(), ContentSample.of(Files.readString(p)));
        assertThat(r.sourceType()).as(p.toString()).isEqualTo("falco_alert");
        assertThat(r.framing()).as(p.toString()).isEqualTo(Framing.LINES);
      }
    }
  }
}
