package dev.strata.parse.formats.crilog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriLogParserTest extends ParserContractTest {

  private static final String UID = "5a8c2f3e-1b7d-4c9a-9e2f-0d1c2b3a4f5e";
  private static final String ORIGIN = "var/log/pods/prod_web-1_" + UID + "/nginx/0.log";
  private static final String ID = "c".repeat(64);

  @Override
  protected EvidenceParser parser() {
    return new CriLogParser();
  }

  private static String line(String ts, String stream, String tag, String content) {
    return ts + " " + stream + " " + tag + " " + content + "\n";
  }

  /** How containerd writes a long message: 16 KiB P pieces, then the rest as F. */
  private static List<String> split(String message, String stream, String ts, int piece) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < message.length(); i += piece) {
      boolean last = i + piece >= message.length();
      lines.add(line(ts, stream, last ? "F" : "P", message.substring(i, Math.min(message.length(), i + piece))));
    }
    return lines;
  }

  @Test
  void reassemblesALongSplitMessageAndBoundsRawData() throws Exception {
    StringBuilder msg = new StringBuilder();
    for (int i = 0; msg.length() < 40_000; i++) msg.append("wörd").append(i).append(' ');
    String message = msg.toString();
    List<String> pieces = split(message, "stdout", "2024-05-01T12:00:00.000000001Z", 16 * 1024);
    assertThat(pieces).hasSize(3);
    String before = line("2024-05-01T11:59:59Z", "stdout", "F", "before");
    String err = line("2024-05-01T12:00:00.5Z", "stderr", "F", "between");
    String after = line("2024-05-01T12:00:01Z", "stdout", "F", "after");
    String content = before + pieces.get(0) + err + pieces.get(1) + pieces.get(2) + after;

    CollectingOutput out = parse(content, Framing.LINES, ORIGIN);

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getMessage)
        .containsExactly("before", "between", message, "after");
    EvidenceEvent big = out.events.get(2);
    int start = before.getBytes(StandardCharsets.UTF_8).length;
    int end = content.getBytes(StandardCharsets.UTF_8).length - after.length() - 1;
    assertThat(big.getLineage().getByteOffset()).isEqualTo(start);
    assertThat(big.getLineage().getByteLength()).isEqualTo((long) end - start);
    assertThat(big.getLineage().getLineNumber()).isEqualTo(2L);
    assertThat(big.getLineage().getRecordIndex()).isEqualTo(1L);
    assertThat(big.getUnmapped()).containsEntry("strata.pieces", "3");
    assertThat(big.getLog().getPartial()).isFalse();
    assertThat(big.getRawData().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16 * 1024);
    assertThat(out.events.get(3).getLineage().getLineNumber()).isEqualTo(6L);
  }

  @Test
  void eachStreamReassemblesSeparatelyAndOpenPiecesArePartial() throws Exception {
    String content =
        line("2024-05-01T12:00:00Z", "stdout", "P", "out-a ")
            + line("2024-05-01T12:00:00Z", "stderr", "P", "err-a ")
            + line("2024-05-01T12:00:01Z", "stdout", "F", "out-b")
            + line("2024-05-01T12:00:02Z", "stderr", "P", "err-b");
    CollectingOutput out = parse(content, Framing.LINES, ORIGIN);
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(0).getMessage()).isEqualTo("out-a out-b");
    assertThat(out.events.get(0).getLog().getPartial()).isFalse();
    assertThat(out.events.get(1).getMessage()).isEqualTo("err-a err-b");
    assertThat(out.events.get(1).getLog().getStream()).isEqualTo("stderr");
    assertThat(out.events.get(1).getLog().getPartial()).isTrue();
    assertThat(out.events.get(1).getUnmapped().get("strata.warning")).contains("log.partial");
    assertThat(out.events.get(1).getLineage().getLineNumber()).isEqualTo(2L);
  }

  @Test
  void lineageContinuesTheChunksAndTruncatedRecordIsRecordTooLarge() throws Exception {
    String good = line("2024-05-01T12:00:00Z", "stdout", "F", "fine");
    String bad = "2024-05-01T12:00:00Z stdout";
    String cut = "2024-05-01T12:00:00Z stdout F " + "y".repeat(100);
    byte[] payload = (good + bad + "\n" + good + cut).getBytes(StandardCharsets.UTF_8);
    RawArtifactChunk chunk =
        Chunks.chunk(payload, "f".repeat(64), CriLogParser.FORMAT, Framing.LINES, ORIGIN, 3, 9, 1000, 41, 17, true,
            payload);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(chunk);
    assertThat(res.events()).hasSize(2);
    assertThat(res.deadLetters()).extracting(d -> d.getReason()).containsExactly("malformed_record", "record_too_large");
    assertThat(new String(res.deadLetters().get(0).getOriginal().array(), StandardCharsets.UTF_8)).isEqualTo(bad);
    assertThat(res.deadLetters().get(0).getByteOffset()).isEqualTo(1000L + good.length());
    assertThat(res.deadLetters().get(0).getLineNumber()).isEqualTo(42L);
    assertThat(res.deadLetters().get(0).getRecordIndex()).isEqualTo(18L);
    assertThat(res.deadLetters().get(1).getOriginalTruncated()).isTrue();
    assertThat(res.events().get(1).getLineage().getLineNumber()).isEqualTo(43L);
    assertThat(res.events().get(1).getLineage().getRecordIndex()).isEqualTo(19L);
    assertThat(res.events().get(1).getLineage().getChunkIndex()).isEqualTo(3);
  }

  @Test
  void contentIsVerbatim() throws Exception {
    String content = "2024-05-01T12:00:00Z stdout F  a\tb \r\n" + "2024-05-01T12:00:00Z stdout F ünïcode ✓\n";
    var events = parse(content, Framing.LINES, ORIGIN).events;
    assertThat(events).extracting(EvidenceEvent::getMessage).containsExactly(" a\tb \r", "ünïcode ✓");
    assertThat(events.get(1).getRawData()).isEqualTo("2024-05-01T12:00:00Z stdout F ünïcode ✓");
  }

  @Test
  void kubernetesContextFromOrigin() {
    var p = CriLogParser.PathInfo.of("/evidence/node-1/" + ORIGIN);
    assertThat(p.namespace()).isEqualTo("prod");
    assertThat(p.pod()).isEqualTo("web-1");
    assertThat(p.podUid()).isEqualTo(UID);
    assertThat(p.containerName()).isEqualTo("nginx");
    assertThat(p.restartCount()).isEqualTo("0");
    assertThat(p.runtime()).isEqualTo("cri");
    for (String rotated : List.of("3.log.20240501-120000", "3.log.20240501-120000.gz", "3.log.gz")) {
      var r = CriLogParser.PathInfo.of("var/log/pods/prod_web-1_" + UID + "/nginx/" + rotated);
      assertThat(r.restartCount()).as(rotated).isEqualTo("3");
      assertThat(r.pod()).as(rotated).isEqualTo("web-1");
    }
    var k = CriLogParser.PathInfo.of("containerd/var/log/containers/web-1_prod_nginx-sidecar-" + ID + ".log");
    assertThat(k.pod()).isEqualTo("web-1");
    assertThat(k.namespace()).isEqualTo("prod");
    assertThat(k.containerName()).isEqualTo("nginx-sidecar");
    assertThat(k.containerId()).isEqualTo(ID);
    assertThat(k.runtime()).isEqualTo("containerd");
    var none = CriLogParser.PathInfo.of("some/other.log");
    assertThat(none.pod()).isNull();
    assertThat(none.containerId()).isNull();
  }

  @Test
  void eventIdsAreDeterministic() throws Exception {
    String content = line("2024-05-01T12:00:00Z", "stdout", "F", "a") + line("2024-05-01T12:00:00Z", "stdout", "F", "a");
    var a = parse(content, Framing.LINES, ORIGIN).events;
    var b = parse(content, Framing.LINES, ORIGIN).events;
    assertThat(a).extracting(EvidenceEvent::getEventId)
        .containsExactlyElementsOf(b.stream().map(EvidenceEvent::getEventId).toList());
    assertThat(a.get(0).getEventId()).isNotEqualTo(a.get(1).getEventId()).matches("[0-9a-f]{64}");
  }

  @Test
  void aPodmanContainersAccessLogLineNamesItsClientAndRequestAndStaysTheLogLine() throws Exception {
    String podman = "home/alice/.local/share/containers/storage/overlay-containers/" + ID + "/userdata/ctr.log";
    String access = "203.0.113.173 - - [23/Nov/2026:09:10:02 +0000] \"POST /upload.php HTTP/1.1\" 200 64 \"-\" \"curl/8\"";
    String joined = "2026-11-23T09:10:02.1+00:00 stdout P 203.0.113.174 - - [23/Nov/2026:09:10:03 +0000] \"GET / H\n"
        + "2026-11-23T09:10:02.1+00:00 stdout F TTP/1.1\" 404 0\n";
    String content = line("2026-11-23T09:10:02.000000001+00:00", "stdout", "F", access)
        + line("2026-11-23T09:10:02.5+00:00", "stderr", "F", "a message [23/Nov/2026:09:10:02 +0000] \"x\" 200 1")
        + joined + "2026-11-23T09:10:04+00:00 stdout P 203.0.113.175 - - [23/Nov/2026:09:10:04 +0000] \"GET / HTTP/1.1\" 200 1\n";

    CollectingOutput out = parse(content, Framing.LINES, podman);

    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getSourceFormat()).isEqualTo("cri_log");
    assertThat(e.getClassUid()).isEqualTo(4002);
    assertThat(e.getActivityName()).isEqualTo("Post");
    assertThat(e.getMessage()).isEqualTo(access);
    assertThat(e.getRawData()).isEqualTo(content.substring(0, content.indexOf('\n')));
    assertThat(e.getLog().getStream()).isEqualTo("stdout");
    assertThat(e.getContainer().getUid()).isEqualTo(ID);
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("203.0.113.173");
    assertThat(e.getHttpRequest().getMethod()).isEqualTo("POST");
    assertThat(e.getHttpRequest().getUrl()).isEqualTo("/upload.php");
    assertThat(e.getHttpRequest().getUserAgent()).isEqualTo("curl/8");
    assertThat(e.getStatusCode()).isEqualTo("200");
    assertThat(e.getNetwork().getBytes()).isEqualTo(64L);
    assertThat(e.getUnmapped()).containsEntry("http.format", "combined");
    // an application line that only looks like one stays a plain log line
    assertThat(out.events.get(1).getClassUid()).isZero();
    assertThat(out.events.get(1).getSrcEndpoint()).isNull();
    // a line the runtime split (P + F) is read once joined
    assertThat(out.events.get(2).getSrcEndpoint().getIp()).isEqualTo("203.0.113.174");
    assertThat(out.events.get(2).getStatusCode()).isEqualTo("404");
    // a piece without its final line is not read (it may be cut anywhere)
    assertThat(out.events.get(3).getLog().getPartial()).isTrue();
    assertThat(out.events.get(3).getSrcEndpoint()).isNull();
  }
}
