package dev.strata.job.incident;

import dev.strata.job.serde.StrataTypes;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code evidence.normalized.v1} / {@code evidence.enriched.v1}. A record that does not decode is skipped and
 * logged (topic, partition, offset): the parse job already dead-lettered anything it could not parse, so what is
 * here was written by strata; a poison record must not put the job into a restart loop.
 */
public final class EvidenceEventDeserializationSchema implements KafkaRecordDeserializationSchema<EvidenceEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceEventDeserializationSchema.class);
  private transient AvroCodec<EvidenceEvent> codec;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    codec = AvroCodec.of(EvidenceEvent.class);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<EvidenceEvent> out) {
    if (codec == null) codec = AvroCodec.of(EvidenceEvent.class);
    if (record.value() == null) return;
    try {
      out.collect(codec.decode(record.value()));
    } catch (RuntimeException e) {
      LOG.warn("skipping undecodable event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
    }
  }

  @Override
  public TypeInformation<EvidenceEvent> getProducedType() {
    return StrataTypes.EVIDENCE_EVENT;
  }
}
