package dev.strata.job.serde;

import dev.strata.schema.AvroCodec;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Reads what {@link AvroWireEncoder} and {@code AvroCodec.encode} write (Avro single-object encoding): a record of the
 * current schema (its fingerprint in the header) is read straight from the array ({@link CompiledAvroReader}, since
 * session 14; a reused {@code BinaryDecoder} and Avro's fast reader before);
 * anything else (an older schema version, bad bytes) goes to {@link AvroCodec#decode}, which resolves older writer
 * schemas and reports bad bytes as it always did. Avro's message decoder reads the body through an {@code
 * InputStream}, one call per byte (a tenth of the final join's CPU in the session-7 profile). Not thread-safe: one
 * per subtask.
 */
public final class AvroWireDecoder<T extends SpecificRecordBase> {
  private static final int HEADER = 10;

  private final AvroCodec<T> fallback;
  private final CompiledAvroReader<T> reader;
  private final byte[] header = new byte[HEADER];
  private boolean current;

  public AvroWireDecoder(Class<T> type) {
    this(type, false);
  }

  /**
   * @param lazyStringMaps maps of strings to strings are kept as bytes until first used ({@link
   *     CompiledAvroReader#of(Schema, org.apache.avro.generic.GenericData, boolean)}; records of an older schema are
   *     read eagerly)
   */
  public AvroWireDecoder(Class<T> type, boolean lazyStringMaps) {
    Schema schema = SpecificData.get().getSchema(type);
    this.fallback = AvroCodec.of(type);
    this.reader = CompiledAvroReader.of(schema, SpecificData.getForSchema(schema), lazyStringMaps);
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    header[0] = (byte) 0xC3;
    header[1] = (byte) 0x01;
    for (int i = 0; i < 8; i++) header[2 + i] = (byte) (fingerprint >>> (8 * i));
  }

  public T decode(byte[] bytes) {
    current = false;
    if (!isCurrent(bytes)) return fallback.decode(bytes);
    T record;
    try {
      record = reader.read(bytes, HEADER, bytes.length); // all of them: trailing bytes throw
    } catch (RuntimeException e) {
      return fallback.decode(bytes); // throws its AvroDecodeException for bad bytes (or judges trailing ones)
    }
    current = true;
    return record;
  }

  /**
   * Whether the last {@link #decode} read a record of the current schema straight from the bytes, all of them: the
   * bytes are then exactly that record's encoding by this schema (what its writers write), field after field.
   */
  public boolean lastWasCurrent() {
    return current;
  }

  private boolean isCurrent(byte[] bytes) {
    if (bytes.length < HEADER) return false;
    for (int i = 0; i < HEADER; i++) {
      if (bytes[i] != header[i]) return false;
    }
    return true;
  }
}
