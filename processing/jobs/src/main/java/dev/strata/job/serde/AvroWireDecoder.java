package dev.strata.job.serde;

import dev.strata.schema.AvroCodec;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Reads what {@link AvroWireEncoder} and {@code AvroCodec.encode} write (Avro single-object encoding): a record of the
 * current schema (its fingerprint in the header) is read straight from the array by a reused buffered decoder;
 * anything else (an older schema version, bad bytes) goes to {@link AvroCodec#decode}, which resolves older writer
 * schemas and reports bad bytes as it always did. Avro's message decoder reads the body through an {@code
 * InputStream}, one call per byte (a tenth of the final join's CPU in the session-7 profile). Not thread-safe: one
 * per subtask.
 */
public final class AvroWireDecoder<T extends SpecificRecordBase> {
  private static final int HEADER = 10;

  private final AvroCodec<T> fallback;
  private final SpecificDatumReader<T> reader;
  private final byte[] header = new byte[HEADER];
  private BinaryDecoder decoder;
  private boolean current;

  public AvroWireDecoder(Class<T> type) {
    Schema schema = SpecificData.get().getSchema(type);
    this.fallback = AvroCodec.of(type);
    this.reader = new SpecificDatumReader<>(schema, schema, SpecificData.getForSchema(schema));
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    header[0] = (byte) 0xC3;
    header[1] = (byte) 0x01;
    for (int i = 0; i < 8; i++) header[2 + i] = (byte) (fingerprint >>> (8 * i));
  }

  public T decode(byte[] bytes) {
    current = false;
    if (!isCurrent(bytes)) return fallback.decode(bytes);
    try {
      decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, decoder);
      T record = reader.read(null, decoder);
      if (!decoder.isEnd()) return fallback.decode(bytes); // trailing bytes: let the codec judge them
      current = true;
      return record;
    } catch (IOException | RuntimeException e) {
      return fallback.decode(bytes); // throws its AvroDecodeException for bad bytes
    }
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
