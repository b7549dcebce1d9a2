package dev.strata.ingest.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent driven cycle by cycle on a fake node root, with an in-memory transactional sink. */
class NodeAgentTest {
  static final String POD_DIR = "var/log/pods/default_web-1_0b5c6d7e-1111-2222-3333-444455556666/nginx";
  static final String LINK = "var/log/containers/web-1_default_nginx-" + "ab".repeat(32) + ".log";

  @TempDir Path root;

  static String cri(int n) {
    return String.format("2024-05-01T12:00:%02d.%09dZ stdout F line %06d%n", n % 60, n, n);
  }

  AgentOptions.Builder options() {
    return AgentOptions.builder("node-test").nodeRoot(root).scanInterval(Duration.ofMillis(1))
        .closeInactive(Duration.ZERO).progressEvery(Duration.ZERO).context(new ContextValues("node-1", "prod", null, null, null));
  }

  static void append(Path f, String s) throws Exception {
    Files.createDirectories(f.getParent());
    Files.writeString(f, s, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  static String text(SegmentSink.Segment s) {
    ByteBuffer b = s.chunk().getPayload().duplicate();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return new String(a, StandardCharsets.UTF_8);
  }

  /** All committed text per source key, in read order, checking offsets are contiguous. */
  static Map<String, String> reassemble(MemorySink sink) {
    Map<String, List<SegmentSink.Segment>> by = sink.committed.stream()
        .collect(Collectors.groupingBy(SegmentSink.Segment::sourceKey));
    Map<String, String> out = new java.util.TreeMap<>();
    by.forEach((k, segs) -> {
      StringBuilder sb = new StringBuilder();
      long expected = 0;
      for (SegmentSink.Segment s : segs) {
        if (s.chunk().getChunk().getOffset() == 0) expected = 0; // restart after truncation
        assertThat(s.chunk().getChunk().getOffset()).as("offset in " + k).isEqualTo(expected);
        expected += s.chunk().getChunk().getLength();
        sb.append(text(s));
      }
      out.put(k, sb.toString());
    });
    return out;
  }

  @Test
  void publishesCompleteLinesAsSegmentsWithFilePositions() throws Exception {
    Path log = root.resolve(POD_DIR + "/0.log");
    append(log, cri(1) + cri(2) + cri(3) + "2024-05-01T12:00:04.0Z stdout F partial");
    Files.createDirectories(root.resolve("var/log/containers"));
    Files.createSymbolicLink(root.resolve(LINK), Path.of("/" + POD_DIR + "/0.log")); // absolute: re-rooted
    MemorySink sink = new MemorySink();
    NodeAgent agent = new NodeAgent(options().build(), sink);
    agent.restore();
    agent.cycle(false);
    assertThat(agent.stats().files).isEqualTo(1); // the link and the file are one file
    assertThat(sink.committed).hasSize(1);
    RawArtifactChunk c = sink.committed.get(0).chunk();
    String first = cri(1) + cri(2) + cri(3);
    assertThat(text(sink.committed.get(0))).isEqualTo(first);
    assertThat(c.getSourceType()).isEqualTo("cri_log");
    assertThat(c.getOrigin()).isEqualTo(POD_DIR + "/0.log");
    assertThat(c.getEvidenceRoot()).isEqualTo(root.toString());
    assertThat(c.getCollector().getId()).isEqualTo("node_agent");
    assertThat(c.getContext().getHost()).isEqualTo("node-1");
    assertThat(c.getArtifactSha256()).isEqualTo(c.getContentSha256()).isEqualTo(c.getChunk().getSha256())
        .isEqualTo(dev.strata.ingest.TestFiles.sha256(first.getBytes(StandardCharsets.UTF_8)));
    assertThat(c.getChunk().getOffset()).isZero();
    assertThat(c.getChunk().getFirstLine()).isEqualTo(1);
    assertThat(c.getChunk().getCount()).isEqualTo(1);

    append(log, " now complete\n" + cri(5));
    agent.cycle(false);
    assertThat(sink.committed).hasSize(2);
    RawArtifactChunk c2 = sink.committed.get(1).chunk();
    assertThat(c2.getChunk().getOffset()).isEqualTo(first.length());
    assertThat(c2.getChunk().getFirstLine()).isEqualTo(4);
    assertThat(c2.getChunk().getFirstRecord()).isEqualTo(3);
    assertThat(text(sink.committed.get(1))).startsWith("2024-05-01T12:00:04.0Z stdout F partial now complete\n");
    assertThat(sink.positions.values()).singleElement()
        .satisfies(p -> assertThat(p.getLong("offset", -1)).isEqualTo(Files.size(log)))
        .satisfies(p -> assertThat(p.getLong("line", -1)).isEqualTo(6));
  }

  @Test
  void followsRotationTruncationAndRestartsExactlyOnce() throws Exception {
    Path a = root.resolve(POD_DIR + "/0.log");
    Path b = root.resolve("var/lib/docker/containers/" + "cd".repeat(32) + "/" + "cd".repeat(32) + "-json.log");
    List<String> wroteA = new ArrayList<>();
    List<String> wroteB = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < 5; i++) { String l = cri(n++); wroteA.add(l); append(a, l); }
    for (int i = 0; i < 5; i++) { String l = docker(n++); wroteB.add(l); append(b, l); }
    MemorySink sink = new MemorySink();
    NodeAgent agent = new NodeAgent(options().build(), sink);
    agent.restore();
    agent.cycle(false);
    // rotate a: rename + write a bit more to the old file + new file
    Files.move(a, a.resolveSibling("0.log.20240501-120000"));
    for (int i = 0; i < 3; i++) { String l = cri(n++); wroteA.add(l); append(a.resolveSibling("0.log.20240501-120000"), l); }
    for (int i = 0; i < 3; i++) { String l = cri(n++); wroteA.add(l); append(a, l); }
    // copytruncate b after it was read
    Files.write(b, new byte[0]);
    for (int i = 0; i < 2; i++) { String l = docker(n++); wroteB.add(l); append(b, l); }
    agent.cycle(false);
    agent.cycle(false);
    assertThat(agent.stats().truncations).isEqualTo(1);
    assertThat(agent.stats().rotations).isEqualTo(1);
    // a failed commit: nothing visible, re-read next time
    for (int i = 0; i < 2; i++) { String l = cri(n++); wroteA.add(l); append(a, l); }
    sink.failNext = true;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.cycle(false)).hasMessageContaining("broker down");
    agent.cycle(false);
    // restart: a new agent resumes from the sink's positions
    for (int i = 0; i < 2; i++) { String l = docker(n++); wroteB.add(l); append(b, l); }
    NodeAgent again = new NodeAgent(options().build(), sink);
    again.restore();
    again.cycle(false);
    again.cycle(true);

    List<String> lines = new ArrayList<>();
    reassemble(sink).values().forEach(t -> t.lines().forEach(l -> lines.add(l + "\n")));
    List<String> expected = new ArrayList<>(wroteA);
    expected.addAll(wroteB);
    Collections.sort(lines);
    Collections.sort(expected);
    assertThat(lines).containsExactlyElementsOf(expected);
    assertThat(sink.positions).hasSize(2); // the rotated file was finished, closed and forgotten
  }

  @Test
  void aFileRotatedWhileTheAgentWasDownIsFinishedFromItsCheckpoint() throws Exception {
    Path a = root.resolve(POD_DIR + "/0.log");
    append(a, cri(1) + cri(2));
    MemorySink sink = new MemorySink();
    NodeAgent first = new NodeAgent(options().build(), sink);
    first.restore();
    first.cycle(false);
    // agent down: more lines, rotation, new file
    append(a, cri(3));
    Path rotated = a.resolveSibling("0.log.20240501-120000");
    Files.move(a, rotated);
    append(rotated, cri(4));
    append(a, cri(5));
    NodeAgent second = new NodeAgent(options().build(), sink);
    second.restore();
    second.cycle(false);
    second.cycle(false); // the rotated file is idle at its end: closed and forgotten
    Map<String, String> files = reassemble(sink);
    assertThat(files.values()).containsExactlyInAnyOrder(cri(1) + cri(2) + cri(3) + cri(4), cri(5));
    assertThat(sink.positions).hasSize(1);
    // a file deleted while the agent was down is forgotten
    Files.delete(a);
    NodeAgent third = new NodeAgent(options().build(), sink);
    third.restore();
    third.cycle(false);
    assertThat(sink.positions).isEmpty();
  }

  @Test
  void segmentsEndAtRecordEndsSoSplitMessagesStayTogether() throws Exception {
    Path cri = root.resolve(POD_DIR + "/2.log");
    Path dock = root.resolve("var/lib/docker/containers/" + "ef".repeat(32) + "/" + "ef".repeat(32) + "-json.log");
    String p1 = "2024-05-01T12:00:00.1Z stdout P first piece \n";
    append(cri, cri(1) + p1);
    String d1 = "{\"log\":\"whole\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00Z\"}\n";
    String d2 = "{\"log\":\"16k piece\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:01Z\"}\n";
    append(dock, d1 + d2);
    MemorySink sink = new MemorySink();
    NodeAgent agent = new NodeAgent(options().closeInactive(Duration.ofHours(1)).build(), sink);
    agent.restore();
    agent.cycle(false);
    assertThat(sink.committed).extracting(NodeAgentTest::text).containsExactlyInAnyOrder(cri(1), d1);
    String f = "2024-05-01T12:00:00.2Z stdout F last piece\n";
    String d3 = "{\"log\":\"rest\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:01Z\"}\n";
    append(cri, f);
    append(dock, d3);
    agent.cycle(false);
    assertThat(sink.committed).extracting(NodeAgentTest::text).containsExactlyInAnyOrder(cri(1), d1, p1 + f, d2 + d3);
  }

  static String docker(int n) {
    return "{\"log\":\"line " + n + "\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00.000000000Z\"}\n";
  }

  @Test
  void aLineLongerThanTheCapIsCutAndTheRestSkipped() throws Exception {
    Path log = root.resolve(POD_DIR + "/1.log");
    String huge = "2024-05-01T12:00:00.0Z stdout F " + "x".repeat(5000) + "\n";
    append(log, cri(1) + huge.substring(0, 3000));
    MemorySink sink = new MemorySink();
    NodeAgent agent = new NodeAgent(options().maxSegmentBytes(1024).maxLineBytes(2048).maxBatchBytes(8192).build(), sink);
    agent.restore();
    agent.cycle(false);
    append(log, huge.substring(3000) + cri(2));
    agent.cycle(false);
    agent.cycle(false);
    List<RawArtifactChunk> cs = sink.committed.stream().map(SegmentSink.Segment::chunk)
        .sorted(Comparator.comparingLong(c -> c.getChunk().getOffset())).toList();
    assertThat(cs).extracting(c -> c.getChunk().getTruncatedRecord()).containsExactly(false, true, false);
    assertThat(cs.get(1).getChunk().getLength()).isEqualTo(2048);
    assertThat(cs.get(1).getChunk().getFirstLine()).isEqualTo(2);
    assertThat(text(sink.committed.stream().filter(s -> s.chunk() == cs.get(2)).findFirst().get())).isEqualTo(cri(2));
    assertThat(cs.get(2).getChunk().getFirstLine()).isEqualTo(3);
    assertThat(cs.get(2).getChunk().getOffset()).isEqualTo(cri(1).length() + huge.length());
    assertThat(agent.stats().truncatedLines).isEqualTo(1);
  }

  @Test
  void unrecognizedFilesAreNotTailed() throws Exception {
    append(root.resolve("var/log/falco/notes.log"), "hello, not an alert\n");
    append(root.resolve("var/log/falco/events.json"),
        "{\"output\":\"x\",\"priority\":\"Warning\",\"rule\":\"r\",\"time\":\"2024-05-01T12:00:00.000000000Z\",\"output_fields\":{}}\n");
    MemorySink sink = new MemorySink();
    NodeAgent agent = new NodeAgent(options().build(), sink);
    agent.restore();
    agent.cycle(false);
    assertThat(agent.stats().ignoredFiles).isEqualTo(0); // too short to give up on yet
    assertThat(sink.committed).extracting(s -> s.chunk().getSourceType()).containsExactly("falco_alert");
  }
}
