package dev.strata.job.bench;

import dev.strata.job.correlate.SourcedEvent;
import dev.strata.job.correlate.WireEvent;
import dev.strata.job.serde.EvidenceEventDeserializationSchema;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The correlation job's source path on one thread, per record of the normalized topic, in thread CPU time: the Kafka
 * source's deserializer, {@code encode} and the serialization of the wire event into the exchange to {@code enrich}
 * ({@link WireEvent.WireEventCodec}), for the same records (the VPC Flow records of {@link CorrelateBenchmark}, ~1.3
 * KB each) two ways in alternating rounds of the same run:
 *
 * <ul>
 *   <li>{@code encoded}: the event decoded and encoded again by {@code encode} (what the job did before session 14:
 *       {@link EvidenceEventDeserializationSchema}, then {@code encode} of an event without its record's bytes);
 *   <li>{@code sliced}: {@link SourcedEvent.Deserializer}, which keeps the record's value, and {@code encode} taking
 *       the event's bytes from it (no encode, no copy);
 *   <li>{@code before session 14}: Avro's reader through a reused {@code BinaryDecoder}, then {@code encode} of the
 *       decoded event (the whole path as it was);
 * </ul>
 *
 * and the decode alone (what neither can skip: {@code requests} and {@code extract-bindings} read the event), the
 * job's ({@code AvroWireDecoder}: {@code CompiledAvroReader} since session 14) next to Avro's reader through a reused
 * {@code BinaryDecoder} (what it used before).
 *
 * <pre>
 * CorrelateSourceBenchmark [--records N] [--rounds R]      (run it pinned: taskset -c 0 java ...)
 * </pre>
 */
public final class CorrelateSourceBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static long sink;

  public static void main(String[] args) throws Exception {
    int records = 400_000;
    int rounds = 5;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--records" -> records = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException(args[i]);
      }
    }
    int distinct = 20_000; // ~26 MB of records, cycled
    CorrelateBenchmark.WireEvents wire = new CorrelateBenchmark.WireEvents();
    List<ConsumerRecord<byte[], byte[]>> input = new ArrayList<>(distinct);
    long bytes = 0;
    for (int j = 0; j < distinct; j++) {
      byte[] v = wire.wire(j, 1_000_000);
      bytes += v.length;
      input.add(new ConsumerRecord<>("evidence.normalized.v1", 0, j, null, v));
    }
    System.out.printf(Locale.ROOT, "%,d records per round (%,d distinct, %.0f bytes each on average), %d rounds%n",
        records, distinct, (double) bytes / distinct, rounds);
    Encoded encoded = new Encoded();
    Sliced sliced = new Sliced();
    DecodeOnly decodeOnly = new DecodeOnly();
    AvroReaderDecode avroDecode = new AvroReaderDecode();
    BeforeSession14 before = new BeforeSession14();
    LazyDecodeOnly lazy = new LazyDecodeOnly();
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
        Double.MAX_VALUE};
    for (int r = 0; r <= rounds; r++) { // round 0 warms up
      double e = round(encoded, input, records);
      double s = round(sliced, input, records);
      double d = round(decodeOnly, input, records);
      double a = round(avroDecode, input, records);
      double b = round(before, input, records);
      double l = round(lazy, input, records);
      if (r == 0) continue;
      best[5] = Math.min(best[5], l);
      best[0] = Math.min(best[0], e);
      best[1] = Math.min(best[1], s);
      best[2] = Math.min(best[2], d);
      best[3] = Math.min(best[3], a);
      best[4] = Math.min(best[4], b);
      System.out.printf(Locale.ROOT, "round %d: encoded %.3f us, sliced %.3f us, decode alone %.3f us (Avro's"
          + " reader %.3f us), before session 14 %.3f us per record; encoded / sliced %.2fx%n", r, e, s, d, a, b,
          e / s);
      System.out.printf(Locale.ROOT, "round %d: decode with the string maps kept as bytes (the correlation source's"
          + " since session 19) %.3f us, eagerly %.3f us: %.2fx%n", r, l, d, d / l);
    }
    System.out.printf(Locale.ROOT, "decode, best of %d: eager %.3f us, string maps at first use %.3f us: %.2fx%n",
        rounds, best[2], best[5], best[2] / best[5]);
    System.out.printf(Locale.ROOT, "the source path before session 14 (Avro's reader, encode) %.3f us, now (the"
        + " job's decoder, the record's bytes) %.3f us: %.2fx%n", best[4], best[1], best[4] / best[1]);
    System.out.printf(Locale.ROOT, "decode: Avro's fast reader through a reused BinaryDecoder (before session 14)"
        + " %.3f us, the job's decoder %.3f us: %.2fx%n", best[3], best[2], best[3] / best[2]);
    System.out.printf(Locale.ROOT, "best of %d: encoded %.3f us (%,.0f records per CPU second), sliced %.3f us (%,.0f),"
        + " decode alone %.3f us: the source path %.2fx faster; encode + exchange %.3f -> %.3f us (%.2fx)%n", rounds,
        best[0], 1e6 / best[0], best[1], 1e6 / best[1], best[2], best[0] / best[1], best[0] - best[2],
        best[1] - best[2], (best[0] - best[2]) / (best[1] - best[2]));
    if (sink == 42) System.out.println();
  }

  /** Thread CPU microseconds per record over {@code records} records of {@code input}. */
  private static double round(Path path, List<ConsumerRecord<byte[], byte[]>> input, int records) throws Exception {
    long t0 = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < records; i++) path.accept(input.get(i % input.size()));
    return (THREADS.getCurrentThreadCpuTime() - t0) / 1e3 / records;
  }

  private interface Path {
    void accept(ConsumerRecord<byte[], byte[]> record) throws Exception;
  }

  /** The exchange's serialization of the wire event (what the keyed exchange to {@code enrich} writes). */
  private abstract static class Shipped implements Path {
    final WireEvent.EncodeSourced encode = new WireEvent.EncodeSourced();
    final WireEvent.WireEventCodec codec = new WireEvent.WireEventCodec();
    final DataOutputSerializer out = new DataOutputSerializer(4096);
    final List<SourcedEvent> got = new ArrayList<>(1);
    final ListCollector<SourcedEvent> collector = new ListCollector<>(got);

    Shipped() {
      encode.open(null);
    }

    void ship(SourcedEvent s) throws Exception {
      out.clear();
      codec.write(encode.map(s), out);
      sink += out.length();
    }
  }

  private static final class Encoded extends Shipped {
    final EvidenceEventDeserializationSchema events = new EvidenceEventDeserializationSchema();

    Encoded() {
      events.open(null);
    }

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) throws Exception {
      ship(new SourcedEvent(events.decode(r.value()), r.partition(), r.offset()));
    }
  }

  private static final class Sliced extends Shipped {
    final SourcedEvent.Deserializer source = new SourcedEvent.Deserializer();

    Sliced() {
      source.open(null);
    }

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) throws Exception {
      got.clear();
      source.deserialize(r, collector);
      ship(got.get(0));
    }
  }

  /** The decode of {@code AvroWireDecoder} before session 14: Avro's reader through a reused {@code BinaryDecoder}. */
  private static final class AvroReaderDecode implements Path {
    final org.apache.avro.specific.SpecificDatumReader<dev.strata.schema.event.EvidenceEvent> reader =
        new org.apache.avro.specific.SpecificDatumReader<>(dev.strata.schema.event.EvidenceEvent.getClassSchema(),
            dev.strata.schema.event.EvidenceEvent.getClassSchema(), org.apache.avro.specific.SpecificData
                .getForSchema(dev.strata.schema.event.EvidenceEvent.getClassSchema()));
    org.apache.avro.io.BinaryDecoder decoder;

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) throws Exception {
      byte[] v = r.value();
      decoder = org.apache.avro.io.DecoderFactory.get().binaryDecoder(v, 10, v.length - 10, decoder);
      sink += reader.read(null, decoder).getTime().getNano();
    }
  }

  /** The whole path before session 14: Avro's reader, then {@code encode} of the decoded event. */
  private static final class BeforeSession14 extends Shipped {
    final AvroReaderDecode decode = new AvroReaderDecode();

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) throws Exception {
      byte[] v = r.value();
      decode.decoder = org.apache.avro.io.DecoderFactory.get().binaryDecoder(v, 10, v.length - 10, decode.decoder);
      ship(new SourcedEvent(decode.reader.read(null, decode.decoder), r.partition(), r.offset()));
    }
  }

  /** The decode of the correlation job's source since session 19: string maps kept as bytes until first used. */
  private static final class LazyDecodeOnly implements Path {
    final dev.strata.job.serde.AvroWireDecoder<dev.strata.schema.event.EvidenceEvent> decoder =
        new dev.strata.job.serde.AvroWireDecoder<>(dev.strata.schema.event.EvidenceEvent.class, true);

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) {
      sink += decoder.decode(r.value()).getTime().getNano();
    }
  }

  private static final class DecodeOnly implements Path {
    final EvidenceEventDeserializationSchema events = new EvidenceEventDeserializationSchema();

    DecodeOnly() {
      events.open(null);
    }

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> r) {
      sink += events.decode(r.value()).getTime().getNano();
    }
  }
}
