package dev.strata.job.bench;

import dev.strata.job.serde.EvidenceEventSerializationSchema;
import dev.strata.job.testing.TestChunks;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The parse job's per-event CPU on one thread, stage by stage, on the same docker json-file lines: parse (chunk ->
 * events), the Avro encode of the Kafka sink ({@link EvidenceEventSerializationSchema}, compiled writer) next to
 * Avro's generic {@code SpecificDatumWriter} with a reused encoder (the path before), in thread CPU time.
 *
 * <pre>
 * EventEncodeBenchmark FILE [--lines N] [--rounds R]      (run it pinned: taskset -c 1 java ...)
 * </pre>
 */
public final class EventEncodeBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    String file = args[0];
    int lines = 200_000;
    int rounds = 5;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--lines" -> lines = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    List<byte[]> contents = ParseJobBenchmark.load(file, lines, 1);
    String id = "a".repeat(64);
    List<RawArtifactChunk> chunks =
        TestChunks.lines(
            "docker_json_log", "var/lib/docker/containers/" + id + "/" + id + "-json.log", contents.get(0), 512 * 1024);
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>(lines);
    ChunkOutput collect =
        new ChunkOutput() {
          @Override
          public void event(EvidenceEvent event) {
            events.add(event);
          }

          @Override
          public void deadLetter(DeadLetter deadLetter) {}
        };
    EvidenceEventSerializationSchema sink = new EvidenceEventSerializationSchema("bench");
    SpecificDatumWriter<EvidenceEvent> generic =
        new SpecificDatumWriter<>(EvidenceEvent.getClassSchema(), SpecificData.getForSchema(EvidenceEvent.getClassSchema()));
    ByteArrayOutputStream sinkBytes = new ByteArrayOutputStream(1 << 20);
    System.out.printf(Locale.ROOT, "%,d docker json-file lines, %.1f MB, %d chunks%n", lines,
        contents.get(0).length / 1e6, chunks.size());
    for (int round = 1; round <= rounds; round++) {
      events.clear();
      long t0 = cpu();
      for (RawArtifactChunk c : chunks) {
        parser.parse(c, collect);
      }
      long parse = cpu() - t0;

      long t1 = cpu();
      long bytes = 0;
      for (EvidenceEvent e : events) {
        bytes += sink.serialize(e, null, null).value().length;
      }
      long compiled = cpu() - t1;

      long t2 = cpu();
      BinaryEncoder enc = null;
      long genericBytes = 0;
      for (EvidenceEvent e : events) {
        sinkBytes.reset();
        enc = EncoderFactory.get().binaryEncoder(sinkBytes, enc);
        generic.write(e, enc);
        enc.flush();
        genericBytes += sinkBytes.size() + 10;
      }
      long genericNs = cpu() - t2;

      int n = events.size();
      System.out.printf(Locale.ROOT,
          "round %d: parse %,.0f events/s | encode (sink, compiled) %,.0f events/s, %.0f B/event | "
              + "baseline generic SpecificDatumWriter %,.0f events/s (%d B) | RATIO compiled/generic %.2f%n",
          round, n / (parse / 1e9), n / (compiled / 1e9), bytes / (double) n, n / (genericNs / 1e9),
          genericBytes / n, (double) genericNs / compiled);
      if (bytes != genericBytes) {
        System.out.println("WARNING: sizes differ: " + bytes + " vs " + genericBytes);
      }
    }
  }

  static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  private EventEncodeBenchmark() {}
}
