package dev.strata.parse.formats.dockerjsonlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.RejectReason;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DockerJsonLogParserTest extends ParserContractTest {

  private static final ObjectMapper M = new ObjectMapper();
  private static final String ID = "a".repeat(64);
  private static final String ORIGIN = "var/lib/docker/containers/" + ID + "/" + ID + "-json.log";

  @Override
  protected EvidenceParser parser() {
    return new DockerJsonLogParser();
  }

  private static String line(String log, String stream, String time) throws Exception {
    return M.writeValueAsString(new java.util.LinkedHashMap<>(java.util.Map.of("log", log, "stream", stream, "time", time)))
        + "\n";
  }

  /** How the daemon writes a message longer than 16 KiB: 16 KiB pieces, only the last one ends with "\n". */
  private static List<String> split16k(String message, String stream, String time) throws Exception {
    List<String> lines = new ArrayList<>();
    int piece = 16 * 1024;
    for (int i = 0; i < message.length(); i += piece) {
      String part = message.substring(i, Math.min(message.length(), i + piece));
      boolean last = i + piece >= message.length();
      lines.add(line(last ? part + "\n" : part, stream, time));
    }
    return lines;
  }

  @Test
  void reassemblesA16KiBSplitMessage() throws Exception {
    StringBuilder msg = new StringBuilder();
    for (int i = 0; msg.length() < 40_000; i++) msg.append("word").append(i).append(' ');
    String message = msg.toString();
    List<String> pieces = split16k(message, "stdout", "2024-05-01T12:00:00.000000001Z");
    assertThat(pieces).hasSize(3);
    String before = line("before\n", "stdout", "2024-05-01T11:59:59Z");
    String after = line("after\n", "stdout", "2024-05-01T12:00:01Z");
    String content = before + String.join("", pieces) + after;

    CollectingOutput out = parse(content, Framing.LINES, ORIGIN);

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(3);
    EvidenceEvent big = out.events.get(1);
    assertThat(big.getMessage()).isEqualTo(message);
    assertThat(big.getLog().getPartial()).isFalse();
    assertThat(big.getLineage().getByteOffset()).isEqualTo(before.length());
    assertThat(big.getLineage().getLineNumber()).isEqualTo(2L);
    long spanned = String.join("", pieces).length() - 1; // all pieces, without the last newline
    assertThat(big.getLineage().getByteLength()).isEqualTo(spanned);
    assertThat(big.getUnmapped()).containsEntry("strata.pieces", "3");
    assertThat(big.getRawData().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16 * 1024);
    assertThat(out.events.get(2).getMessage()).isEqualTo("after");
    assertThat(out.events.get(2).getLineage().getLineNumber()).isEqualTo(5L);
  }

  @Test
  void pieceOpenAtTheEndOfTheChunkIsPartial() throws Exception {
    List<String> pieces = split16k("x".repeat(20_000), "stderr", "2024-05-01T12:00:00Z");
    String content = pieces.get(0); // only the first piece made it into this chunk
    CollectingOutput out = parse(content, Framing.LINES, ORIGIN);
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getLog().getPartial()).isTrue();
    assertThat(out.events.get(0).getMessage()).hasSize(16 * 1024);
    assertThat(out.events.get(0).getUnmapped().get("strata.warning")).contains("partial");
  }

  @Test
  void malformedLinesBecomeDeadLettersWithTheirBytes() throws Exception {
    String good = line("fine\n", "stdout", "2024-05-01T12:00:00Z");
    String bad = "{\"log\":\"cut";
    String content = good + bad + "\n" + good;
    RawArtifactChunk chunk =
        Chunks.chunk(
            content.getBytes(StandardCharsets.UTF_8), "f".repeat(64), DockerJsonLogParser.FORMAT, Framing.LINES,
            ORIGIN, 3, 9, 1000, 41, 17, false, new byte[0]);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
    assertThat(res.events()).hasSize(2);
    assertThat(res.deadLetters()).hasSize(1);
    DeadLetter d = res.deadLetters().get(0);
    assertThat(d.getReason()).isEqualTo(RejectReason.MALFORMED_JSON.code());
    assertThat(new String(d.getOriginal().array(), StandardCharsets.UTF_8)).isEqualTo(bad);
    assertThat(d.getByteOffset()).isEqualTo(1000L + good.length());
    assertThat(d.getLineNumber()).isEqualTo(42L);
    assertThat(d.getRecordIndex()).isEqualTo(18L);
    assertThat(d.getChunkIndex()).isEqualTo(3);
    assertThat(d.getOrigin()).isEqualTo(ORIGIN);
    // lineage of the events: content offsets, lines and records continue the chunk's
    assertThat(res.events().get(0).getLineage().getByteOffset()).isEqualTo(1000L);
    assertThat(res.events().get(0).getLineage().getLineNumber()).isEqualTo(41L);
    assertThat(res.events().get(1).getLineage().getLineNumber()).isEqualTo(43L);
    assertThat(res.events().get(1).getLineage().getRecordIndex()).isEqualTo(19L);
    assertThat(res.events().get(1).getLineage().getChunkIndex()).isEqualTo(3);
  }

  @Test
  void truncatedRecordIsRecordTooLarge() throws Exception {
    String good = line("fine\n", "stdout", "2024-05-01T12:00:00Z");
    String cut = "{\"log\":\"" + "y".repeat(100);
    byte[] payload = (good + cut).getBytes(StandardCharsets.UTF_8);
    RawArtifactChunk chunk =
        Chunks.chunk(payload, "e".repeat(64), DockerJsonLogParser.FORMAT, Framing.LINES, ORIGIN, 0, 1, 0, 1, 0, true,
            payload);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
    assertThat(res.events()).hasSize(1);
    assertThat(res.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.getReason()).isEqualTo("record_too_large");
      assertThat(d.getOriginalTruncated()).isTrue();
      assertThat(d.getByteOffset()).isEqualTo((long) good.length());
    });
  }

  @Test
  void containerIdAndKubernetesFromOrigin() {
    assertThat(DockerJsonLogParser.PathInfo.of(ORIGIN).containerId()).isEqualTo(ID);
    assertThat(DockerJsonLogParser.PathInfo.of("/var/lib/docker/containers/" + ID + "/" + ID + "-json.log.3.gz").containerId())
        .isEqualTo(ID);
    var k = DockerJsonLogParser.PathInfo.of("var/log/containers/web-1_prod_nginx-" + ID + ".log");
    assertThat(k.pod()).isEqualTo("web-1");
    assertThat(k.namespace()).isEqualTo("prod");
    assertThat(k.containerName()).isEqualTo("nginx");
    assertThat(k.containerId()).isEqualTo(ID);
    assertThat(DockerJsonLogParser.PathInfo.of("some/other.log").containerId()).isNull();
  }

  @Test
  void eventIdsAreDeterministic() throws Exception {
    String content = line("a\n", "stdout", "2024-05-01T12:00:00Z") + line("b\n", "stdout", "2024-05-01T12:00:00Z");
    var a = parse(content, Framing.LINES, ORIGIN).events;
    var b = parse(content, Framing.LINES, ORIGIN).events;
    assertThat(a).extracting(EvidenceEvent::getEventId).containsExactlyElementsOf(
        b.stream().map(EvidenceEvent::getEventId).toList());
    assertThat(a.get(0).getEventId()).isNotEqualTo(a.get(1).getEventId()).matches("[0-9a-f]{64}");
  }

  @Test
  void probeRefusesACriLogButNotOneBadFirstLine() throws Exception {
    ChunkParser cp = new ChunkParser(ParserRegistry.defaults());
    String cri = "2024-05-01T12:00:00.000000001Z stdout F hello\n2024-05-01T12:00:00.000000002Z stderr P part\n";
    var refused = cp.parse(Chunks.single(cri, DockerJsonLogParser.FORMAT, Framing.LINES, ORIGIN));
    assertThat(refused.events()).isEmpty();
    assertThat(refused.deadLetters()).singleElement().satisfies(d -> {
      assertThat(d.getReason()).isEqualTo("not_recognized");
      assertThat(new String(d.getOriginal().array(), StandardCharsets.UTF_8)).isEqualTo(cri);
    });
    String content = "garbage first line\n" + line("ok\n", "stdout", "2024-05-01T12:00:00Z");
    var res = cp.parse(Chunks.single(content, DockerJsonLogParser.FORMAT, Framing.LINES, ORIGIN));
    assertThat(res.events()).hasSize(1);
    assertThat(res.deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason()).isEqualTo("malformed_json"));
  }

  @Test
  void anNginxAccessLogLineNamesItsClientBehindTheProxyAndStaysTheLogLine() throws Exception {
    String access = "10.30.0.12 - - [23/Nov/2026:09:10:02 +0000] \"GET /uploads/x.php?c=sh HTTP/1.1\" 200 0 \"-\" "
        + "\"python-requests/2.31.0\" \"203.0.113.173\"";
    String content = line(access + "\n", "stdout", "2026-11-23T09:10:29.404000000Z")
        + line("[23-Nov-2026 09:10:02] WARNING: [pool www] child 41\n", "stderr", "2026-11-23T09:10:30Z");

    CollectingOutput out = parse(content, Framing.LINES, ORIGIN);

    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getSourceFormat()).isEqualTo("docker_json_log");
    assertThat(e.getClassUid()).isEqualTo(4002);
    assertThat(e.getMessage()).isEqualTo(access);
    assertThat(e.getContainer().getUid()).isEqualTo(ID);
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("203.0.113.173");
    assertThat(e.getUnmapped()).containsEntry("http.peer_ip", "10.30.0.12")
        .containsEntry("http.x_forwarded_for", "203.0.113.173").containsEntry("http.format", "nginx_main");
    assertThat(e.getHttpRequest().getUrl()).isEqualTo("/uploads/x.php?c=sh");
    assertThat(e.getTime().toString()).isEqualTo("2026-11-23T09:10:29.404Z");
    assertThat(out.events.get(1).getClassUid()).isZero();
    assertThat(out.events.get(1).getHttpRequest()).isNull();
  }
}
