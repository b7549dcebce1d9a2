package dev.strata.job.serde;

import dev.strata.schema.event.EvidenceEvent;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code evidence.normalized.v1} (or the enriched topic). The topic is written by strata jobs only; a record
 * that does not decode (no value, unknown schema) is skipped and logged with its coordinates, never a restart loop.
 * Records of the current schema are read straight from the array by a reused buffered decoder ({@link
 * AvroWireDecoder}; older schema versions and bad bytes through {@code AvroCodec} as before): Avro's message decoder
 * reads through an {@code InputStream}, a call per byte, and was most of the correlation job's source cost
 * (docs/benchmarks.md, session 12).
 */
public final class EvidenceEventDeserializationSchema implements KafkaRecordDeserializationSchema<EvidenceEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceEventDeserializationSchema.class);
  private transient AvroWireDecoder<EvidenceEvent> decoder;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    decoder = new AvroWireDecoder<>(EvidenceEvent.class);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<EvidenceEvent> out) {
    if (record.value() == null) {
      return;
    }
    try {
      out.collect(decode(record.value()));
    } catch (RuntimeException e) {
      LOG.warn("skipping undecodable event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
          e.toString());
    }
  }

  /** The event of a record's value, as {@link #deserialize} reads it (throws for bytes that do not decode). */
  public EvidenceEvent decode(byte[] value) {
    if (decoder == null) {
      decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    }
    return decoder.decode(value);
  }

  @Override
  public TypeInformation<EvidenceEvent> getProducedType() {
    return StrataTypes.EVIDENCE_EVENT;
  }
}
