package dev.strata.job.serde;

import dev.strata.schema.deadletter.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes {@code evidence.deadletter.v1}: key = artifact_sha256 (all dead letters of one artifact in one partition,
 * in order) or, when the artifact is unknown (undecodable record), dead_letter_id; value = Avro wire format. Headers
 * {@code strata.stage} and {@code strata.reason} let consumers filter without decoding.
 */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;
  public static final String HEADER_STAGE = "strata.stage";
  public static final String HEADER_REASON = "strata.reason";

  private final String topic;
  private transient AvroWireEncoder<DeadLetter> codec;

  public DeadLetterSerializationSchema(String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter dl, KafkaSinkContext context, Long timestamp) {
    if (codec == null) {
      codec = new AvroWireEncoder<>(DeadLetter.getClassSchema());
    }
    String key = dl.getArtifactSha256() != null ? dl.getArtifactSha256() : dl.getDeadLetterId();
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_STAGE, dl.getStage().name().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_REASON, dl.getReason().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(
        topic, null, null, key.getBytes(StandardCharsets.UTF_8), codec.encode(dl), headers);
  }
}
