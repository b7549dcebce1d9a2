package dev.strata.job.serde;

import dev.strata.schema.deadletter.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes {@code evidence.deadletter.v1}: key = artifact_sha256 (all dead letters of one artifact in one partition,
 * in order) or, when the artifact is unknown (undecodable record), dead_letter_id; value = Avro wire format. Headers
 * {@code strata.stage} and {@code strata.reason} let consumers filter without decoding.
 */
public final class DeadLetterSerializationSchema extends AvroTopicSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;
  public static final String HEADER_STAGE = "strata.stage";
  public static final String HEADER_REASON = "strata.reason";

  public DeadLetterSerializationSchema(String topic) {
    super(topic);
  }

  @Override
  protected Schema schema() {
    return DeadLetter.getClassSchema();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter dl, KafkaSinkContext context, Long timestamp) {
    String key = dl.getArtifactSha256() != null ? dl.getArtifactSha256() : dl.getDeadLetterId();
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_STAGE, dl.getStage().name().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_REASON, dl.getReason().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(
        topic(), null, null, key.getBytes(StandardCharsets.UTF_8), encode(dl), headers);
  }
}
