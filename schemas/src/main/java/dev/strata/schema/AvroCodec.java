package dev.strata.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Wire format of every strata record on Kafka: Avro single-object encoding (2-byte marker, 8-byte schema fingerprint,
 * Avro binary body). The fingerprint lets a reader pick the writer's schema; every schema version we ever released
 * (schemas/compat/) is registered, so newer readers decode older records.
 *
 * <p>Instances are thread-safe (Avro's message encoder/decoder are).
 */
public final class AvroCodec<T extends SpecificRecordBase> {
  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroCodec(Class<T> type, Schema schema) {
    this.type = type;
    SpecificData model = SpecificData.getForSchema(schema);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    for (Schema old : SchemaHistory.releasedVersionsOf(schema.getFullName())) {
      decoder.addSchema(old);
    }
  }

  public static <T extends SpecificRecordBase> AvroCodec<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    Schema schema = SpecificData.get().getSchema(type);
    return new AvroCodec<>(type, schema);
  }

  public Class<T> type() {
    return type;
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buf = encoder.encode(record);
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws AvroDecodeException if the bytes are not a single-object-encoded record of a known schema version
   */
  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new AvroDecodeException("unknown schema fingerprint for " + type.getSimpleName(), e);
    } catch (IOException | RuntimeException e) {
      throw new AvroDecodeException("cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Bytes that are not a valid record: a permanent failure (dead-letter them, do not retry). */
  public static final class AvroDecodeException extends RuntimeException {
    public AvroDecodeException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
