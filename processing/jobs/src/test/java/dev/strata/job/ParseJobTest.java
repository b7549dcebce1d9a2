package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.serde.StrataTypes;
import dev.strata.job.testing.CollectSink;
import dev.strata.job.testing.StubLineParser;
import dev.strata.job.testing.TestChunks;
import dev.strata.parse.EventIds;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The parse graph on a MiniCluster with in-memory input and collecting sinks: exact outputs. */
class ParseJobTest {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String RAW = "evidence.raw.v1";

  /** What one run of the graph produced. */
  record Run(
      ParseJobResult result,
      List<CollectSink.Collected<EvidenceEvent>> events,
      List<DeadLetter> deadLetters,
      List<Long> eventWatermarks) {
    Map<String, List<DeadLetter>> byReason() {
      return deadLetters.stream().collect(Collectors.groupingBy(DeadLetter::getReason));
    }

    List<EvidenceEvent> eventValues() {
      return events.stream()
          .map(CollectSink.Collected::value)
          .sorted(Comparator.comparing((EvidenceEvent e) -> e.getLineage().getArtifactSha256())
              .thenComparing(e -> e.getLineage().getByteOffset()))
          .toList();
    }
  }

  static Run run(ParseChunkFunction parse, RawInput... inputs) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<RawInput> input = env.fromData(StrataTypes.RAW_INPUT, inputs);
    CollectSink<EvidenceEvent> events = new CollectSink<>();
    CollectSink<DeadLetter> dls = new CollectSink<>();
    ParseJob.build(
        input,
        parse,
        ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofSeconds(30)),
        events,
        dls,
        Optional.empty(),
        Optional.empty());
    JobExecutionResult r = env.execute("parse-test");
    return new Run(ParseJobResult.from(r), events.collected(), dls.values(), events.watermarks());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(java.nio.ByteBuffer b) {
    return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
  }

  // --------------------------------------------------------------------------------------- graph, stub parser

  @Test
  void parsesChunksAndDeadLettersEverythingElseWithoutFailing() throws Exception {
    String l1 = "2024-05-01T10:00:00.000001Z first\n";
    String l2 = "2024-05-01T10:00:01Z second\n";
    String l3 = "!bad\n";
    String l4 = "2024-05-01T09:59:59Z third\n";
    byte[] payloadA = utf8(l1 + l2 + l3 + l4);
    String shaA = "a".repeat(64);
    RawArtifactChunk a =
        TestChunks.chunk(StubLineParser.FORMAT, "var/log/a.log", shaA, 5000, payloadA, 2, 5, 1000, 11, 0,
            dev.strata.schema.common.Framing.LINES);
    RawArtifactChunk b = TestChunks.whole(StubLineParser.FORMAT, "b.log", "2024-05-01T10:00:00Z kept?\nASSERT\n");
    RawArtifactChunk c = TestChunks.whole(StubLineParser.FORMAT, "c.log", "BOOM\n");
    RawArtifactChunk d = TestChunks.whole("no_such_format", "d.bin", "whatever\n");
    byte[] garbage = {0x00, 0x01, (byte) 0xff, 0x42};

    Run run =
        run(
            new ParseChunkFunction(() -> ParserRegistry.of(List.of(new StubLineParser()))),
            RawInput.chunk(a, RAW, 0, 10),
            RawInput.undecodable(garbage, RAW, 3, 77, "not avro"),
            RawInput.chunk(b, RAW, 1, 11),
            RawInput.chunk(c, RAW, 1, 12),
            RawInput.chunk(d));

    // counts first
    assertThat(run.events()).hasSize(3);
    assertThat(run.byReason())
        .containsOnlyKeys("malformed_json", "undecodable_record", "parser_error", "not_recognized");
    assertThat(run.byReason().get("parser_error")).hasSize(2);
    assertThat(run.result().recordsIn()).isEqualTo(5);
    assertThat(run.result().chunksIn()).isEqualTo(4);
    assertThat(run.result().eventsOut()).isEqualTo(3);
    assertThat(run.result().deadLettersByReason())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("malformed_json", 1L, "undecodable_record", 1L, "parser_error", 2L, "not_recognized", 1L));

    // events: values and lineage (offsets relative to the artifact's content)
    List<EvidenceEvent> ev = run.eventValues();
    assertThat(ev).extracting(EvidenceEvent::getMessage).containsExactly("first", "second", "third");
    assertThat(ev).extracting(e -> e.getLineage().getByteOffset())
        .containsExactly(1000L, 1000L + l1.length(), 1000L + l1.length() + l2.length() + l3.length());
    assertThat(ev).extracting(e -> e.getLineage().getLineNumber()).containsExactly(11L, 12L, 14L);
    assertThat(ev).allSatisfy(e -> {
      assertThat(e.getLineage().getArtifactSha256()).isEqualTo(shaA);
      assertThat(e.getLineage().getChunkIndex()).isEqualTo(2);
      assertThat(e.getLineage().getOrigin()).isEqualTo("var/log/a.log");
    });
    assertThat(ev.get(0).getEventId()).isEqualTo(EventIds.eventId(shaA, 1000L, 0L, 0));
    assertThat(ev.get(0).getTime()).isEqualTo(Instant.parse("2024-05-01T10:00:00.000001Z"));

    // event time: every record downstream carries its event's time in ms; the bounded input ends with MAX
    assertThat(run.events()).allSatisfy(c2 ->
        assertThat(c2.timestamp()).isEqualTo(c2.value().getTime().toEpochMilli()));
    assertThat(run.events()).extracting(CollectSink.Collected::timestamp)
        .containsExactlyInAnyOrder(
            Instant.parse("2024-05-01T10:00:00Z").toEpochMilli(),
            Instant.parse("2024-05-01T10:00:01Z").toEpochMilli(),
            Instant.parse("2024-05-01T09:59:59Z").toEpochMilli());
    assertThat(run.eventWatermarks()).isNotEmpty();
    assertThat(run.eventWatermarks().get(run.eventWatermarks().size() - 1)).isEqualTo(Long.MAX_VALUE);

    // the rejected record
    DeadLetter bad = run.byReason().get("malformed_json").get(0);
    assertThat(text(bad.getOriginal())).isEqualTo("!bad");
    assertThat(bad.getByteOffset()).isEqualTo(1000L + l1.length() + l2.length());
    assertThat(bad.getLineNumber()).isEqualTo(13L);
    assertThat(bad.getArtifactSha256()).isEqualTo(shaA);
    assertThat(bad.getStage()).isEqualTo(Stage.PARSE);

    // the undecodable record: original bytes and where it was read
    DeadLetter und = run.byReason().get("undecodable_record").get(0);
    byte[] orig = new byte[und.getOriginal().remaining()];
    und.getOriginal().duplicate().get(orig);
    assertThat(orig).containsExactly(garbage);
    assertThat(und.getOriginalSha256()).isEqualTo(EventIds.sha256Hex(garbage));
    assertThat(und.getMessage()).contains(RAW + "-3@77").contains("not avro");
    assertThat(und.getArtifactSha256()).isNull();
    assertThat(und.getDeadLetterId()).isEqualTo(JobDeadLetters.undecodable(
        RawInput.undecodable(garbage, RAW, 3, 77, "other text")).getDeadLetterId());

    // a parser bug caught by ChunkParser, and an Error that escaped it (the job's last resort)
    Map<String, DeadLetter> errors = run.byReason().get("parser_error").stream()
        .collect(Collectors.toMap(DeadLetter::getOrigin, Function.identity()));
    assertThat(errors.get("c.log").getExceptionClass()).isEqualTo(IllegalStateException.class.getName());
    DeadLetter lastResort = errors.get("b.log");
    assertThat(lastResort.getExceptionClass()).isEqualTo(AssertionError.class.getName());
    assertThat(text(lastResort.getOriginal())).isEqualTo("2024-05-01T10:00:00Z kept?\nASSERT\n");
    assertThat(lastResort.getByteOffset()).isEqualTo(0L);
    assertThat(run.eventValues()).noneMatch(e -> e.getLineage().getOrigin().equals("b.log"));

    assertThat(run.byReason().get("not_recognized").get(0).getSourceType()).isEqualTo("no_such_format");
  }

  // ------------------------------------------------------------------------------------ the real parsers

  @Test
  void realParsersDockerChunkWithAMalformedLineAndAnUndecodableRecord() throws Exception {
    String l1 = "{\"log\":\"hello world\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T10:00:00.123456789Z\"}\n";
    String l2 = "{\"log\":\"oops\\n\",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:01Z\"}\n";
    String l3 = "{\"log\": broken\n";
    String l4 = "{\"log\":\"bye\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T10:00:02.5Z\"}\n";
    String id = "d".repeat(64);
    RawArtifactChunk docker =
        TestChunks.whole("docker_json_log", "var/lib/docker/containers/" + id + "/" + id + "-json.log",
            l1 + l2 + l3 + l4);
    String sha = docker.getArtifactSha256();
    byte[] garbage = utf8("\u00c3 not a chunk");

    Run run =
        run(new ParseChunkFunction(), // ParserRegistry.defaults()
            RawInput.chunk(docker, RAW, 0, 0),
            RawInput.undecodable(garbage, RAW, 1, 5, "bad magic"));

    assertThat(run.events()).hasSize(3);
    assertThat(run.deadLetters()).hasSize(2);
    assertThat(run.result().deadLettersByReason())
        .containsExactlyInAnyOrderEntriesOf(Map.of("malformed_json", 1L, "undecodable_record", 1L));
    assertThat(run.result().eventsOut()).isEqualTo(3);
    assertThat(run.result().chunksIn()).isEqualTo(1);
    assertThat(run.result().recordsIn()).isEqualTo(2);

    List<EvidenceEvent> ev = run.eventValues();
    assertThat(ev).extracting(EvidenceEvent::getSourceFormat).containsOnly("docker_json_log");
    assertThat(ev).extracting(EvidenceEvent::getMessage).containsExactly("hello world", "oops", "bye");
    assertThat(ev).extracting(e -> e.getLog().getStream()).containsExactly("stdout", "stderr", "stdout");
    assertThat(ev).extracting(EvidenceEvent::getTime).containsExactly(
        Instant.parse("2024-05-01T10:00:00.123456Z"), Instant.parse("2024-05-01T10:00:01Z"),
        Instant.parse("2024-05-01T10:00:02.5Z"));
    assertThat(ev.get(0).getTimeOriginal()).isEqualTo("2024-05-01T10:00:00.123456789Z");
    long o4 = l1.length() + l2.length() + l3.length();
    assertThat(ev).extracting(e -> e.getLineage().getByteOffset()).containsExactly(0L, (long) l1.length(), o4);
    assertThat(ev).extracting(e -> e.getLineage().getLineNumber()).containsExactly(1L, 2L, 4L);
    assertThat(ev).allSatisfy(e -> {
      assertThat(e.getLineage().getArtifactSha256()).isEqualTo(sha);
      assertThat(e.getEventId()).isEqualTo(
          EventIds.eventId(sha, e.getLineage().getByteOffset(), e.getLineage().getRecordIndex(), 0));
    });
    assertThat(run.events()).allSatisfy(c ->
        assertThat(c.timestamp()).isEqualTo(c.value().getTime().toEpochMilli()));
    assertThat(run.eventWatermarks().get(run.eventWatermarks().size() - 1)).isEqualTo(Long.MAX_VALUE);

    DeadLetter bad = run.byReason().get("malformed_json").get(0);
    assertThat(text(bad.getOriginal())).startsWith("{\"log\": broken");
    assertThat(bad.getByteOffset()).isEqualTo((long) (l1.length() + l2.length()));
    assertThat(bad.getLineNumber()).isEqualTo(3L);
    assertThat(bad.getArtifactSha256()).isEqualTo(sha);
    assertThat(bad.getSourceType()).isEqualTo("docker_json_log");

    DeadLetter und = run.byReason().get("undecodable_record").get(0);
    byte[] orig = new byte[und.getOriginal().remaining()];
    und.getOriginal().duplicate().get(orig);
    assertThat(orig).containsExactly(garbage);
    assertThat(und.getMessage()).contains(RAW + "-1@5");
  }

  // ---------------------------------------------------------------------------------------------- watermarks

  @Test
  void watermarkTrailsTheHighestEventTimeByTheBoundAndIdlenessMarksIdle() {
    WatermarkGenerator<EvidenceEvent> gen =
        ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofMillis(1))
            .createWatermarkGenerator(
                new WatermarkGeneratorSupplier.Context() {
                  @Override
                  public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                  }

                  @Override
                  public RelativeClock getInputActivityClock() {
                    return SystemClock.getInstance();
                  }
                });
    long t1 = Instant.parse("2024-05-01T10:00:00Z").toEpochMilli();
    long t0 = t1 - 60_000;
    Recorder out = new Recorder();
    gen.onEvent(null, t1, out);
    gen.onEvent(null, t0, out); // late but within the bound: does not move the watermark back
    gen.onPeriodicEmit(out);
    assertThat(out.last).isEqualTo(t1 - Duration.ofMinutes(5).toMillis() - 1);
  }

  static final class Recorder implements WatermarkOutput {
    long last = Long.MIN_VALUE;
    boolean idle;

    @Override
    public void emitWatermark(Watermark watermark) {
      last = watermark.getTimestamp();
    }

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {
      idle = false;
    }
  }
}
