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

class TetragonEventRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  private static final String EXEC =
      "{\"process_exec\":{\"process\":{\"exec_id\":\"bjE6MTo0Mg==\",\"pid\":42,\"uid\":0,\"binary\":\"/bin/sh\","
          + "\"arguments\":\"-c id\"},\"parent\":{\"pid\":1,\"binary\":\"/sbin/init\"}},"
          + "\"node_name\":\"node-1\",\"time\":\"2024-05-01T12:00:00.123456789Z\"}";
  private static final String KPROBE =
      "{\"process_kprobe\":{\"process\":{\"pid\":43,\"binary\":\"/bin/cat\"},\"function_name\":\"fd_install\","
          + "\"args\":[{\"file_arg\":{\"path\":\"/etc/passwd\"}}]},\"node_name\":\"node-1\","
          + "\"time\":\"2024-05-01T12:00:01Z\"}";

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void jsonLinesByContentAnywhere() {
    Recognition r = rec("evidence/events.txt", EXEC + "\n" + KPROBE + "\n");
    assertThat(r.sourceType()).isEqualTo("tetragon_event");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    assertThat(rec("x.json", KPROBE + "\n").sourceType()).isEqualTo("tetragon_event");
  }

  /**
   * GetEventsResponse as the gRPC API reference lists it (v1.4+): node_labels beside node_name, cluster_name, and a
   * rate_limit_info event first in a file.
   */
  @Test
  void currentResponseFieldsAndInfoEventsAreTetragon() {
    String labelled = EXEC.replace("\"node_name\"", "\"cluster_name\":\"prod\",\"node_labels\":{\"kubernetes.io/os\":"
        + "\"linux\",\"topology.kubernetes.io/zone\":\"eu-west-1a\"},\"node_name\"");
    assertThat(rec("evidence/events.txt", labelled + "\n" + KPROBE + "\n").sourceType()).isEqualTo("tetragon_event");
    String rateLimit = "{\"rate_limit_info\":{\"number_of_dropped_process_events\":\"1024\"},\"node_name\":\"node-1\","
        + "\"time\":\"2024-05-01T12:00:02Z\"}";
    assertThat(rec("evidence/events.txt", rateLimit + "\n" + EXEC + "\n").sourceType()).isEqualTo("tetragon_event");
  }

  @Test
  void prettyPrintedSingleEventIsWhole() {
    String pretty = EXEC.replace(",\"", ",\n  \"").replace("{\"process_exec\"", "{\n  \"process_exec\"") + "\n";
    Recognition r = rec("posts/event.json", pretty);
    assertThat(r.sourceType()).isEqualTo("tetragon_event");
    assertThat(r.framing()).isEqualTo(Framing.WHOLE);
  }

  @Test
  void paths() {
    TetragonEventRecognizer t = new TetragonEventRecognizer();
    assertThat(t.matchPath("var/run/cilium/tetragon/tetragon.log")).isPresent();
    assertThat(t.matchPath("var/run/cilium/tetragon/tetragon.log.1.gz")).isPresent();
    assertThat(t.matchPath("export/tetragon/events.json")).isPresent();
    assertThat(t.matchPath("tetragon-export.json.gz")).isPresent();
    assertThat(t.matchPath("var/log/other.json")).isEmpty();
    assertThat(t.matchPath("var/log/tetragon.txt")).isEmpty();
  }

  @Test
  void longFirstLineNeedsThePath() {
    byte[] b = ("{\"process_exec\":{\"process\":{\"arguments\":\"" + "a".repeat(70_000)).getBytes();
    ContentSample s = new ContentSample(java.util.Arrays.copyOf(b, ContentSample.SIZE), false, false);
    assertThat(Recognizers.recognize(R, "var/run/cilium/tetragon/tetragon.log", s).sourceType())
        .isEqualTo("tetragon_event");
    assertThat(Recognizers.recognize(R, "x/plain.log", s).recognized()).isFalse();
  }

  @Test
  void otherFormatsAreNotTetragon() {
    assertThat(rec("a.json", "{\"process_exec\":{\"pid\":1}}\n").recognized()).isFalse(); // no time/node_name
    assertThat(rec("a.json", "{\"process_exec\":\"x\",\"time\":\"2024-05-01T12:00:00Z\"}\n").recognized()).isFalse();
    assertThat(rec("tetragon/x.json", TestFiles.auditLine(1)).sourceType()).isEqualTo("k8s_audit");
    assertThat(rec("tetragon.log", TestFiles.dockerLine(1)).sourceType()).isEqualTo("docker_json_log");
    assertThat(rec("tetragon.log", "time=2024 level=info msg=\"Starting tetragon\"\n").recognized()).isFalse();
  }

  /** The shared corpus: testdata/events.json is JSON lines; the eBPF book examples are single pretty events. */
  @Test
  void realCorpusSamples() throws IOException {
    Path dir = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus", "tetragon");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "no shared corpus");
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertThat(files).hasSize(16);
    for (Path p : files) {
      Recognition r = Recognizers.recognize(R, dir.getParent().relativize(p).toString(),
          ContentSample.of(Files.readString(p)));
      assertThat(r.sourceType()).as(p.toString()).isEqualTo("tetragon_event");
      assertThat(r.framing()).as(p.toString())
          .isEqualTo(p.getFileName().toString().equals("testdata_events.json") ? Framing.LINES : Framing.WHOLE);
    }
  }
}
