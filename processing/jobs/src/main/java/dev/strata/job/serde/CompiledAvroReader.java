package dev.strata.job.serde;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericArray;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * Avro binary reader compiled once from a schema, reading straight from a byte array: the counterpart of {@link
 * CompiledAvroWriter} for records written with the reader's own schema (no schema resolution: {@link AvroWireDecoder}
 * sends records of any other schema to {@code AvroCodec}). Avro's fast reader (what {@code SpecificDatumReader} uses)
 * reads through its {@code BinaryDecoder}, a string into a scratch {@link Utf8} and then a {@code String} (two copies),
 * with interface calls per value that the JIT cannot inline (megamorphic): in the correlation job's source it was 8.7 %
 * of the process (session 14 profile: strings 30 % of it, the dispatch 20 %).
 *
 * <p>Builds the same values as {@code SpecificDatumReader} with the same model ({@code CompiledAvroReaderTest} checks
 * equality for random records of every type): strings as {@code String} where the schema says {@code avro.java.string:
 * String} (the generated classes'), else {@link Utf8}; maps as {@code HashMap}s filled in wire order (the same
 * iteration order as Avro's); arrays as the model's arrays; enums, fixed and records as the model's classes; values
 * of logical types through the model's conversion. Bad bytes throw a {@link RuntimeException} (the caller decides:
 * {@link AvroWireDecoder} falls back to {@code AvroCodec}, which reports them).
 *
 * <p>Thread-safe (no state).
 */
public final class CompiledAvroReader<T extends IndexedRecord> {
  private static final String STRING_PROP = "avro.java.string";

  private final RecordReader root;

  private CompiledAvroReader(RecordReader root) {
    this.root = root;
  }

  /** Compiles the reader of {@code schema} (a record) with {@code model}'s classes and conversions. */
  public static <T extends IndexedRecord> CompiledAvroReader<T> of(Schema schema, GenericData model) {
    return of(schema, model, false);
  }

  /**
   * The same, with {@code lazyStringMaps}: a map of Java strings to Java strings (the events' {@code unmapped}) is
   * checked and kept as its bytes, decoded at its first use ({@link LazyStringMap}): for a reader that uses few
   * events' maps (the correlation job's source: a flow record's fifteen columns are read by nobody there).
   */
  public static <T extends IndexedRecord> CompiledAvroReader<T> of(Schema schema, GenericData model,
      boolean lazyStringMaps) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("not a record schema: " + schema.getFullName());
    }
    return new CompiledAvroReader<>((RecordReader) new Compiler(model, lazyStringMaps).compile(schema));
  }

  /**
   * The record encoded in {@code bytes} from {@code offset} to {@code end}, all of them (trailing bytes throw).
   */
  @SuppressWarnings("unchecked")
  public T read(byte[] bytes, int offset, int end) {
    In in = new In(bytes, offset, end);
    T record = (T) root.read(in);
    if (in.pos != end) throw new AvroRuntimeException((end - in.pos) + " bytes after the record");
    return record;
  }

  /** Reads one value of one schema node. */
  private interface ValueReader {
    Object read(In in);
  }

  private static final class Compiler {
    private final GenericData model;
    private final boolean lazyStringMaps;
    private final Map<String, RecordReader> records = new HashMap<>();

    Compiler(GenericData model, boolean lazyStringMaps) {
      this.model = Objects.requireNonNull(model, "model");
      this.lazyStringMaps = lazyStringMaps;
    }

    ValueReader compile(Schema schema) {
      ValueReader raw = compileRaw(schema);
      LogicalType logical = schema.getLogicalType();
      Conversion<?> conversion = logical == null ? null : model.getConversionFor(logical);
      if (conversion == null) return raw;
      return in -> Conversions.convertToLogicalType(raw.read(in), schema, logical, conversion);
    }

    private ValueReader compileRaw(Schema schema) {
      switch (schema.getType()) {
        case NULL:
          return in -> null;
        case BOOLEAN:
          return In::readBoolean;
        case INT:
          return in -> in.readInt();
        case LONG:
          return in -> in.readLong();
        case FLOAT:
          return In::readFloat;
        case DOUBLE:
          return In::readDouble;
        case STRING:
          return isJavaString(schema) ? In::readString : In::readUtf8;
        case BYTES:
          return In::readBytes;
        case FIXED:
          int size = schema.getFixedSize();
          return in -> model.createFixed(null, in.readFixed(size), schema);
        case ENUM:
          List<String> symbols = schema.getEnumSymbols();
          Object[] values = new Object[symbols.size()];
          for (int i = 0; i < values.length; i++) values[i] = model.createEnum(symbols.get(i), schema);
          return in -> {
            int i = in.readInt();
            if (i < 0 || i >= values.length) throw new AvroRuntimeException("enum index " + i + " of " + schema);
            return values[i];
          };
        case ARRAY:
          return arrayReader(schema, compile(schema.getElementType()));
        case MAP:
          Schema mapValues = schema.getValueType();
          if (lazyStringMaps && isJavaString(schema) && mapValues.getType() == Schema.Type.STRING
              && isJavaString(mapValues) && mapValues.getLogicalType() == null) {
            return CompiledAvroReader::lazyStringMap;
          }
          return mapReader(isJavaString(schema), compile(mapValues));
        case UNION:
          return unionReader(schema);
        case RECORD:
          return recordReader(schema);
        default:
          throw new IllegalArgumentException("unsupported schema type " + schema.getType());
      }
    }

    private static boolean isJavaString(Schema schema) {
      return GenericData.StringType.String.name().equals(schema.getProp(STRING_PROP));
    }

    private RecordReader recordReader(Schema schema) {
      RecordReader known = records.get(schema.getFullName());
      if (known != null) return known; // recursive or shared record type: compiled once
      RecordReader r = new RecordReader(schema, newRecord(schema));
      records.put(schema.getFullName(), r);
      for (Schema.Field f : schema.getFields()) {
        r.fields[f.pos()] = compile(f.schema());
      }
      return r;
    }

    /** A new empty record of {@code schema}: the model's class (its no-argument constructor), else a generic one. */
    private MethodHandle newRecord(Schema schema) {
      Class<?> c = model instanceof SpecificData sd ? sd.getClass(schema) : null;
      try {
        if (c != null && IndexedRecord.class.isAssignableFrom(c)) {
          return MethodHandles.publicLookup().findConstructor(c, MethodType.methodType(void.class))
              .asType(MethodType.methodType(IndexedRecord.class));
        }
        return MethodHandles.insertArguments(MethodHandles.publicLookup().findConstructor(GenericData.Record.class,
            MethodType.methodType(void.class, Schema.class)), 0, schema).asType(
                MethodType.methodType(IndexedRecord.class));
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("no public no-argument constructor for " + schema.getFullName(), e);
      }
    }

    private ValueReader unionReader(Schema union) {
      List<Schema> branches = union.getTypes();
      ValueReader[] readers = new ValueReader[branches.size()];
      for (int i = 0; i < readers.length; i++) readers[i] = compile(branches.get(i));
      if (readers.length == 2 && branches.get(0).getType() == Schema.Type.NULL) {
        ValueReader value = readers[1]; // the common ["null", T]: no array look-up
        return in -> {
          int i = in.readInt();
          if (i == 0) return null;
          if (i != 1) throw new AvroRuntimeException("union index " + i + " of " + union);
          return value.read(in);
        };
      }
      return in -> {
        int i = in.readInt();
        if (i < 0 || i >= readers.length) throw new AvroRuntimeException("union index " + i + " of " + union);
        return readers[i].read(in);
      };
    }

    private ValueReader arrayReader(Schema schema, ValueReader element) {
      return in -> {
        long n = in.readBlockCount();
        @SuppressWarnings("unchecked")
        GenericArray<Object> items = (GenericArray<Object>) model.newArray(null, (int) Math.max(n, 0), schema);
        while (n != 0) {
          for (long i = 0; i < n; i++) items.add(element.read(in));
          n = in.readBlockCount();
        }
        return items;
      };
    }

    private static ValueReader mapReader(boolean stringKeys, ValueReader value) {
      return in -> {
        long n = in.readBlockCount();
        Map<Object, Object> map = new HashMap<>(); // as Avro's reader makes it: the same iteration order
        while (n != 0) {
          for (long i = 0; i < n; i++) {
            Object key = stringKeys ? in.readString() : in.readUtf8();
            map.put(key, value.read(in));
          }
          n = in.readBlockCount();
        }
        return map;
      };
    }
  }

  /**
   * A map of strings to strings kept as its bytes (a copy: the input array may be reused), its structure checked as a
   * full read would (counts, lengths within the record): what {@link LazyStringMap} decodes at first use.
   */
  private static Object lazyStringMap(In in) {
    int from = in.pos;
    long n = in.readBlockCount();
    if (n == 0) return new HashMap<>(); // empty: nothing to defer
    while (n != 0) {
      for (long i = 0; i < n; i++) {
        in.skipString();
        in.skipString();
      }
      n = in.readBlockCount();
    }
    return new LazyStringMap(Arrays.copyOfRange(in.buf, from, in.pos));
  }

  /**
   * Decodes a map {@link #lazyStringMap} kept: as {@link Compiler#mapReader} would have, a {@code HashMap} filled in
   * wire order.
   */
  static HashMap<String, String> decodeStringMap(byte[] bytes) {
    In in = new In(bytes, 0, bytes.length);
    HashMap<String, String> map = new HashMap<>();
    long n = in.readBlockCount();
    while (n != 0) {
      for (long i = 0; i < n; i++) map.put((String) in.readString(), (String) in.readString());
      n = in.readBlockCount();
    }
    return map;
  }

  /** Reads the fields of one record type in order into a new record. */
  private static final class RecordReader implements ValueReader {
    final Schema schema;
    final MethodHandle create;
    final ValueReader[] fields;

    RecordReader(Schema schema, MethodHandle create) {
      this.schema = schema;
      this.create = create;
      this.fields = new ValueReader[schema.getFields().size()];
    }

    @Override
    public Object read(In in) {
      IndexedRecord r;
      try {
        r = (IndexedRecord) create.invokeExact();
      } catch (Throwable e) {
        throw new AvroRuntimeException("cannot create a " + schema.getFullName() + ": " + e, e);
      }
      for (int i = 0; i < fields.length; i++) r.put(i, fields[i].read(in));
      return r;
    }
  }

  /** Avro's binary primitives over an array (zig-zag varints, little-endian floats, length-prefixed strings). */
  private static final class In {
    final byte[] buf;
    int pos;
    final int end;

    In(byte[] buf, int pos, int end) {
      if (pos < 0 || end > buf.length || pos > end) throw new IndexOutOfBoundsException(pos + ".." + end);
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    Object readBoolean() {
      return next() == 1;
    }

    int readInt() {
      long v = readLong();
      if (v != (int) v) throw new AvroRuntimeException("int out of range: " + v);
      return (int) v;
    }

    long readLong() {
      long z = 0;
      int shift = 0;
      while (true) {
        int b = next();
        z |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) break;
        shift += 7;
        if (shift > 63) throw new AvroRuntimeException("varint longer than 10 bytes");
      }
      return (z >>> 1) ^ -(z & 1);
    }

    /** The count of the next block of an array or map: a negative count is followed by the block's byte size. */
    long readBlockCount() {
      long n = readLong();
      if (n < 0) {
        readLong(); // the block's size in bytes: not needed to read it
        n = -n;
      }
      return n;
    }

    Object readFloat() {
      int bits = 0;
      for (int i = 0; i < 4; i++) bits |= (next() & 0xFF) << (8 * i);
      return Float.intBitsToFloat(bits);
    }

    Object readDouble() {
      long bits = 0;
      for (int i = 0; i < 8; i++) bits |= (long) (next() & 0xFF) << (8 * i);
      return Double.longBitsToDouble(bits);
    }

    Object readString() {
      int n = length();
      String s = n == 0 ? "" : new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    void skipString() {
      int n = length(); // (not "pos += length()": that adds to pos as it was before the length's varint)
      pos += n;
    }

    Object readUtf8() {
      int n = length();
      Utf8 u = new Utf8(Arrays.copyOfRange(buf, pos, pos + n));
      pos += n;
      return u;
    }

    Object readBytes() {
      int n = length();
      ByteBuffer b = ByteBuffer.wrap(Arrays.copyOfRange(buf, pos, pos + n));
      pos += n;
      return b;
    }

    byte[] readFixed(int size) {
      if (size > end - pos) throw new AvroRuntimeException("fixed of " + size + " bytes past the end");
      byte[] b = Arrays.copyOfRange(buf, pos, pos + size);
      pos += size;
      return b;
    }

    private int length() {
      long n = readLong();
      if (n < 0 || n > end - pos) throw new AvroRuntimeException("bad length " + n + " at " + pos);
      return (int) n;
    }

    private int next() {
      if (pos >= end) throw new AvroRuntimeException("read past the end");
      return buf[pos++];
    }
  }
}
