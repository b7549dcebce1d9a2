package dev.strata.job.correlate;

import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.job.serde.EvidenceEventDeserializationSchema;
import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A normalized event with where the normalized topic holds it (its partition and offset): what the Kafka source of
 * the correlation job reads, so that the hops' state can keep the event's coordinates instead of its bytes once it has
 * been emitted, and {@code reemit} read it back from the topic for the rare re-emission by late evidence ({@link NormalizedEvents}),
 * and, when they are, the record's value as the bytes {@code requests} would encode: the event's wire bytes up to its
 * enrichment are then a slice of the value, not a new encoding ({@link WireEvent.EncodeSourced}).
 *
 * @param partition the normalized topic's partition, or {@link #NONE} (a source without offsets: the bytes are kept)
 * @param offset the record's offset in that partition
 * @param value the record's value when it is the event's single-object encoding with the job's schema (its
 *     fingerprint in the header, read to its end) and the event carries no enrichment, so that all but its last
 *     byte (the {@code enrichment} union's null branch) are the event's wire bytes without its enrichment ({@link
 *     EventWire#unenrichedLength}); null otherwise (an older writer's schema, an event that carries an enrichment, a
 *     source of decoded events): {@code encode} encodes the event
 */
public record SourcedEvent(EvidenceEvent event, int partition, long offset, byte[] value) {
  public static final int NONE = -1;

  public static final TypeInformation<SourcedEvent> TYPE =
      new CodecTypeInfo<>(SourcedEvent.class, new SourcedEventCodec());

  /** An event with its coordinates, without its record's bytes ({@code encode} encodes it). */
  public SourcedEvent(EvidenceEvent event, int partition, long offset) {
    this(event, partition, offset, null);
  }

  /** An event without coordinates (its bytes are kept for re-emission). */
  public static SourcedEvent unsourced(EvidenceEvent e) {
    return new SourcedEvent(e, NONE, 0);
  }

  public boolean hasOffset() {
    return partition >= 0;
  }

  /**
   * The Kafka source's deserializer: each record's value decoded ({@link AvroWireDecoder}: the job's schema straight
   * from the array, older writers' through {@code AvroCodec}; a record that does not decode is skipped and logged
   * with its coordinates, as {@link EvidenceEventDeserializationSchema} does), with its partition and offset, and the
   * value itself when {@code encode} can take the event's bytes from it ({@link EventWire#unenrichedLength}). The
   * value is the consumer's own array for this record (Kafka's byte-array deserializer copies each record out of the
   * fetch), handed on without a copy.
   */
  public static final class Deserializer implements KafkaRecordDeserializationSchema<SourcedEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Deserializer.class);
    private transient AvroWireDecoder<EvidenceEvent> decoder;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
      decoder = new AvroWireDecoder<>(EvidenceEvent.class, true);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourcedEvent> out) {
      byte[] value = record.value();
      if (value == null) return;
      if (decoder == null) decoder = new AvroWireDecoder<>(EvidenceEvent.class, true);
      EvidenceEvent e;
      try {
        e = decoder.decode(value);
      } catch (RuntimeException bad) {
        LOG.warn("skipping undecodable event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
            bad.toString());
        return;
      }
      boolean slice = EventWire.unenrichedLength(value, e, decoder.lastWasCurrent()) >= 0;
      out.collect(new SourcedEvent(e, record.partition(), record.offset(), slice ? value : null));
    }

    @Override
    public TypeInformation<SourcedEvent> getProducedType() {
      return TYPE;
    }
  }

  /** {@code strategy} (timestamps and watermarks of the events) applied to the events of sourced events. */
  public static WatermarkStrategy<SourcedEvent> watermarks(WatermarkStrategy<EvidenceEvent> strategy) {
    return new Watermarks(strategy);
  }

  private static final class Watermarks implements WatermarkStrategy<SourcedEvent> {
    private static final long serialVersionUID = 1L;
    private final WatermarkStrategy<EvidenceEvent> strategy;

    Watermarks(WatermarkStrategy<EvidenceEvent> strategy) {
      this.strategy = strategy;
    }

    @Override
    public WatermarkGenerator<SourcedEvent> createWatermarkGenerator(WatermarkGeneratorSupplier.Context ctx) {
      WatermarkGenerator<EvidenceEvent> g = strategy.createWatermarkGenerator(ctx);
      return new WatermarkGenerator<>() {
        @Override
        public void onEvent(SourcedEvent e, long timestamp, WatermarkOutput out) {
          g.onEvent(e.event(), timestamp, out);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {
          g.onPeriodicEmit(out);
        }
      };
    }

    @Override
    public TimestampAssigner<SourcedEvent> createTimestampAssigner(TimestampAssignerSupplier.Context ctx) {
      TimestampAssigner<EvidenceEvent> a = strategy.createTimestampAssigner(ctx);
      return (e, previous) -> a.extractTimestamp(e.event(), previous);
    }

    @Override
    public WatermarkAlignmentParams getAlignmentParameters() {
      return strategy.getAlignmentParameters();
    }
  }

  /**
   * Codec of {@link SourcedEvent} (the source's output is chained to its readers and never serialized in the job;
   * this is for completeness): the coordinates, then the event as the Avro codec writes it.
   */
  public static final class SourcedEventCodec implements Codec<SourcedEvent> {
    private static final long serialVersionUID = 1L;
    private transient TypeSerializer<EvidenceEvent> events;

    private TypeSerializer<EvidenceEvent> events() {
      if (events == null) {
        events = StrataTypes.EVIDENCE_EVENT.createSerializer(new org.apache.flink.api.common.serialization
            .SerializerConfigImpl());
      }
      return events;
    }

    @Override
    public void write(SourcedEvent s, DataOutputView out) throws IOException {
      out.writeInt(s.partition());
      out.writeLong(s.offset());
      events().serialize(s.event(), out);
      out.writeBoolean(s.value() != null);
      if (s.value() != null) Codec.writeBytes(s.value(), out);
    }

    @Override
    public SourcedEvent read(DataInputView in) throws IOException {
      int partition = in.readInt();
      long offset = in.readLong();
      EvidenceEvent e = events().deserialize(in);
      return new SourcedEvent(e, partition, offset, in.readBoolean() ? Codec.readBytes(in) : null);
    }
  }
}
