package dev.strata.job.serde;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

/**
 * Avro binary writer compiled once from a schema: one small writer per schema node, so writing a record does no
 * schema walk, no union resolution by name and no conversion look-up per value (where {@code SpecificDatumWriter}
 * spent most of the parse job's encode time: {@code resolveUnion}, {@code getConversion}, hash look-ups per field).
 *
 * <p>Writes exactly the bytes of {@code SpecificDatumWriter} + {@code BinaryEncoder} for the same model
 * ({@code CompiledAvroWriterTest} checks byte equality): unions whose branches are {@code null} and one other type
 * are resolved by a null check, other unions through the model; values of logical types ({@code timestamp-micros}
 * as {@link java.time.Instant}, decimals, ...) go through the model's conversion for that logical type, as the
 * generated classes' own conversions do; arrays and maps are written as one block (count, items, 0) in iteration
 * order; strings as UTF-8.
 *
 * <p>Thread-safe (no state); the {@link Out} buffer is not.
 */
public final class CompiledAvroWriter<T extends IndexedRecord> {
  private final RecordWriter root;

  private CompiledAvroWriter(RecordWriter root) {
    this.root = root;
  }

  /** Compiles the writer of {@code schema} (a record) with {@code model}'s conversions. */
  public static <T extends IndexedRecord> CompiledAvroWriter<T> of(Schema schema, GenericData model) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("not a record schema: " + schema.getFullName());
    }
    return new CompiledAvroWriter<>((RecordWriter) new Compiler(model).compile(schema));
  }

  /** Appends the Avro binary body of {@code record} to {@code out}. */
  public void write(T record, Out out) {
    root.write(Objects.requireNonNull(record, "record"), out);
  }

  /**
   * Appends the Avro binary of the first {@code fields} fields of {@code record} to {@code out}: the body of a
   * record is its fields' encodings one after the other, so this is a prefix of {@link #write}'s bytes.
   */
  public void writeFields(T record, int fields, Out out) {
    if (fields < 0 || fields > root.fields.length) {
      throw new IndexOutOfBoundsException(fields + " of " + root.fields.length + " fields of " + root.name);
    }
    root.writeFields(Objects.requireNonNull(record, "record"), fields, out);
  }

  // ------------------------------------------------------------------------------------------------- compiling

  /** Writes one value of one schema node. */
  private interface ValueWriter {
    void write(Object value, Out out);
  }

  private static final class Compiler {
    private final GenericData model;
    private final Map<String, RecordWriter> records = new HashMap<>();

    Compiler(GenericData model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    ValueWriter compile(Schema schema) {
      ValueWriter raw = compileRaw(schema);
      LogicalType logical = schema.getLogicalType();
      if (logical == null) {
        return raw;
      }
      Conversion<?> conversion = model.getConversionFor(logical);
      Class<?> rawClass = rawClass(schema.getType());
      return (value, out) -> raw.write(toRaw(value, schema, logical, conversion, rawClass), out);
    }

    private ValueWriter compileRaw(Schema schema) {
      switch (schema.getType()) {
        case NULL:
          return (value, out) -> {};
        case BOOLEAN:
          return (value, out) -> out.writeBoolean((Boolean) value);
        case INT:
          return (value, out) -> out.writeLong(((Integer) value).longValue());
        case LONG:
          return (value, out) -> out.writeLong((Long) value);
        case FLOAT:
          return (value, out) -> out.writeFloat((Float) value);
        case DOUBLE:
          return (value, out) -> out.writeDouble((Double) value);
        case STRING:
          return (value, out) -> out.writeString(value);
        case BYTES:
          return (value, out) -> out.writeBytes(value);
        case FIXED:
          int size = schema.getFixedSize();
          return (value, out) -> out.writeFixed(((GenericFixed) value).bytes(), 0, size);
        case ENUM:
          return (value, out) ->
              out.writeLong(
                  value instanceof Enum<?> e ? e.ordinal() : schema.getEnumOrdinal(value.toString()));
        case ARRAY:
          return arrayWriter(compile(schema.getElementType()));
        case MAP:
          return mapWriter(compile(schema.getValueType()));
        case UNION:
          return unionWriter(schema);
        case RECORD:
          return recordWriter(schema);
        default:
          throw new IllegalArgumentException("unsupported schema type " + schema.getType());
      }
    }

    private RecordWriter recordWriter(Schema schema) {
      RecordWriter known = records.get(schema.getFullName());
      if (known != null) {
        return known; // recursive or shared record type: compiled once
      }
      RecordWriter w = new RecordWriter(schema.getFullName(), schema.getFields().size());
      records.put(schema.getFullName(), w);
      for (Schema.Field f : schema.getFields()) {
        w.fields[f.pos()] = compile(f.schema());
      }
      return w;
    }

    private ValueWriter unionWriter(Schema union) {
      List<Schema> branches = union.getTypes();
      Integer nullBranch = union.getIndexNamed(Schema.Type.NULL.getName());
      int nullIndex = nullBranch == null ? -1 : nullBranch;
      if (branches.size() == 2 && nullIndex >= 0) {
        int valueIndex = 1 - nullIndex;
        ValueWriter branch = compile(branches.get(valueIndex));
        return (value, out) -> {
          if (value == null) {
            out.writeLong(nullIndex);
          } else {
            out.writeLong(valueIndex);
            branch.write(value, out);
          }
        };
      }
      ValueWriter[] writers = new ValueWriter[branches.size()];
      for (int i = 0; i < writers.length; i++) {
        writers[i] = compile(branches.get(i));
      }
      return (value, out) -> {
        int i = model.resolveUnion(union, value);
        out.writeLong(i);
        writers[i].write(value, out);
      };
    }

    private static ValueWriter arrayWriter(ValueWriter element) {
      return (value, out) -> {
        Collection<?> items = (Collection<?>) value;
        int size = items.size();
        if (size > 0) {
          out.writeLong(size);
          int written = 0;
          for (Object item : items) {
            element.write(item, out);
            written++;
          }
          checkCount(size, written);
        }
        out.writeLong(0);
      };
    }

    private static ValueWriter mapWriter(ValueWriter valueWriter) {
      return (value, out) -> {
        Map<?, ?> map = (Map<?, ?>) value;
        int size = map.size();
        if (size > 0) {
          out.writeLong(size);
          int written = 0;
          for (Map.Entry<?, ?> e : map.entrySet()) {
            out.writeString(e.getKey());
            valueWriter.write(e.getValue(), out);
            written++;
          }
          checkCount(size, written);
        }
        out.writeLong(0);
      };
    }

    private static void checkCount(int size, int written) {
      if (size != written) {
        throw new java.util.ConcurrentModificationException(
            "size was " + size + " but " + written + " items were written");
      }
    }

    private static Class<?> rawClass(Schema.Type type) {
      return switch (type) {
        case INT -> Integer.class;
        case LONG -> Long.class;
        case FLOAT -> Float.class;
        case DOUBLE -> Double.class;
        case BOOLEAN -> Boolean.class;
        case STRING -> CharSequence.class;
        case BYTES -> ByteBuffer.class;
        case FIXED -> GenericFixed.class;
        case ENUM -> Object.class;
        case ARRAY -> Collection.class;
        case MAP -> Map.class;
        case RECORD -> IndexedRecord.class;
        default -> Object.class;
      };
    }

    private static Object toRaw(
        Object value, Schema schema, LogicalType logical, Conversion<?> conversion, Class<?> rawClass) {
      if (value == null || rawClass.isInstance(value)) {
        return value;
      }
      if (conversion == null) {
        throw new AvroRuntimeException(
            "no conversion for logical type " + logical.getName() + " of a " + value.getClass().getName());
      }
      return Conversions.convertToRawType(value, schema, logical, conversion);
    }
  }

  /** Writes the fields of one record type in order. */
  private static final class RecordWriter implements ValueWriter {
    final String name;
    final ValueWriter[] fields;

    RecordWriter(String name, int fieldCount) {
      this.name = name;
      this.fields = new ValueWriter[fieldCount];
    }

    @Override
    public void write(Object value, Out out) {
      writeFields((IndexedRecord) value, fields.length, out);
    }

    void writeFields(IndexedRecord record, int count, Out out) {
      for (int i = 0; i < count; i++) {
        Object field = record.get(i);
        try {
          fields[i].write(field, out);
        } catch (NullPointerException | ClassCastException e) {
          throw new AvroRuntimeException(
              "cannot write field " + record.getSchema().getFields().get(i).name() + " of " + name + ": " + e,
              e);
        }
      }
    }
  }

  // ----------------------------------------------------------------------------------------------------- output

  /** An unsynchronized growable buffer with Avro's binary primitives (zig-zag varints, little-endian floats). */
  public static final class Out {
    private byte[] bytes;
    private int count;

    public Out(int initialCapacity) {
      this.bytes = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
      return count;
    }

    public void reset() {
      count = 0;
    }

    /** Drops a buffer grown past {@code maxKept} bytes (after an outsize record). */
    public void shrinkTo(int maxKept, int capacity) {
      if (bytes.length > maxKept) {
        bytes = new byte[capacity];
        count = 0;
      }
    }

    public byte[] toByteArray() {
      return Arrays.copyOf(bytes, count);
    }

    public void writeRaw(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, count, len);
      count += len;
    }

    /** An Avro int (zig-zag varint). */
    public void writeInt(int n) {
      writeLong(n);
    }

    void writeBoolean(boolean b) {
      ensure(1);
      bytes[count++] = (byte) (b ? 1 : 0);
    }

    /** Avro int and long: zig-zag, then base-128 varint (an int is written as the long of the same value). */
    void writeLong(long n) {
      ensure(10);
      long z = (n << 1) ^ (n >> 63);
      while ((z & ~0x7FL) != 0) {
        bytes[count++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      bytes[count++] = (byte) z;
    }

    void writeFloat(float f) {
      int bits = Float.floatToRawIntBits(f);
      ensure(4);
      for (int i = 0; i < 4; i++) {
        bytes[count++] = (byte) (bits >>> (8 * i));
      }
    }

    void writeDouble(double d) {
      long bits = Double.doubleToRawLongBits(d);
      ensure(8);
      for (int i = 0; i < 8; i++) {
        bytes[count++] = (byte) (bits >>> (8 * i));
      }
    }

    void writeString(Object s) {
      if (s instanceof Utf8 u) {
        writeLong(u.getByteLength());
        writeRaw(u.getBytes(), 0, u.getByteLength());
        return;
      }
      String str = s.toString();
      if (str.isEmpty()) {
        writeLong(0);
        return;
      }
      byte[] b = str.getBytes(StandardCharsets.UTF_8);
      writeLong(b.length);
      writeRaw(b, 0, b.length);
    }

    void writeBytes(Object value) {
      if (value instanceof byte[] b) {
        writeLong(b.length);
        writeRaw(b, 0, b.length);
        return;
      }
      ByteBuffer buf = (ByteBuffer) value;
      int len = buf.limit() - buf.position();
      writeLong(len);
      if (len == 0) {
        return;
      }
      if (buf.hasArray()) {
        writeRaw(buf.array(), buf.arrayOffset() + buf.position(), len);
      } else {
        ensure(len);
        buf.duplicate().get(bytes, count, len);
        count += len;
      }
    }

    void writeFixed(byte[] b, int off, int len) {
      writeRaw(b, off, len);
    }

    private void ensure(int more) {
      if (count + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
      }
    }
  }
}
