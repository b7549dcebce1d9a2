package dev.strata.parse.parquet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes small flat Parquet files for tests with the same library the reader uses (parquet-column's column writers:
 * dictionary and plain encodings, RLE levels, data pages v1 or v2), GZIP-compressed pages, row groups of a given row
 * count; the file layer (magic, page headers, footer) is written from the format specification. Test code.
 */
public final class ParquetTestWriter {
  /** A column: name, type (INT32, INT64 or BINARY as UTF-8 string), optional or required. */
  public record Column(String name, PrimitiveTypeName type, boolean optional) {}

  private final List<Column> columns;
  private final MessageType schema;
  private final boolean v2;
  private final CompressionCodec codec;

  public ParquetTestWriter(List<Column> columns, boolean pagesV2, boolean gzip) {
    this.columns = List.copyOf(columns);
    List<Type> fields = new ArrayList<>();
    for (Column c : columns) {
      Types.PrimitiveBuilder<PrimitiveType> b =
          Types.primitive(c.type(), c.optional() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED);
      if (c.type() == PrimitiveTypeName.BINARY) b.as(LogicalTypeAnnotation.stringType());
      fields.add(b.named(c.name()));
    }
    this.schema = new MessageType("schema", fields);
    this.v2 = pagesV2;
    this.codec = gzip ? CompressionCodec.GZIP : CompressionCodec.UNCOMPRESSED;
  }

  /** The file for {@code rows} (values as Integer / Long / String, null = absent), {@code perGroup} rows a group. */
  public byte[] write(List<Object[]> rows, int perGroup) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(new byte[] {'P', 'A', 'R', '1'});
    List<RowGroup> groups = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += perGroup) {
      List<Object[]> part = rows.subList(from, Math.min(rows.size(), from + perGroup));
      groups.add(rowGroup(file, part));
    }
    List<SchemaElement> elements = new ArrayList<>();
    SchemaElement root = new SchemaElement("schema");
    root.setNum_children(columns.size());
    elements.add(root);
    for (Column c : columns) {
      SchemaElement e = new SchemaElement(c.name());
      e.setType(formatType(c.type()));
      e.setRepetition_type(c.optional() ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED);
      if (c.type() == PrimitiveTypeName.BINARY) e.setConverted_type(ConvertedType.UTF8);
      elements.add(e);
    }
    FileMetaData meta = new FileMetaData(1, elements, rows.size(), groups);
    meta.setCreated_by("strata test writer (parquet-column)");
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    Util.writeFileMetaData(meta, footer);
    footer.writeTo(file);
    int n = footer.size();
    file.write(new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24), 'P', 'A', 'R', '1'});
    return file.toByteArray();
  }

  private RowGroup rowGroup(ByteArrayOutputStream file, List<Object[]> rows) throws IOException {
    Pages pages = new Pages();
    ParquetProperties props = ParquetProperties.builder()
        .withWriterVersion(v2 ? ParquetProperties.WriterVersion.PARQUET_2_0 : ParquetProperties.WriterVersion.PARQUET_1_0)
        .withDictionaryEncoding(true).withPageSize(1024).build();
    ColumnWriteStore store = props.newColumnWriteStore(schema, pages);
    MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
    RecordConsumer rc = io.getRecordWriter(store);
    for (Object[] row : rows) {
      rc.startMessage();
      for (int i = 0; i < columns.size(); i++) {
        Object v = row[i];
        if (v == null) continue;
        rc.startField(columns.get(i).name(), i);
        switch (columns.get(i).type()) {
          case INT32 -> rc.addInteger((Integer) v);
          case INT64 -> rc.addLong((Long) v);
          default -> rc.addBinary(Binary.fromString((String) v));
        }
        rc.endField(columns.get(i).name(), i);
      }
      rc.endMessage();
    }
    store.flush();
    List<ColumnChunk> chunks = new ArrayList<>();
    long total = 0;
    for (ColumnDescriptor d : schema.getColumns()) {
      Chunk c = pages.chunks.get(d);
      long start = file.size();
      Long dictOffset = null;
      long uncompressed = 0;
      if (c.dictionary != null) {
        dictOffset = start;
        uncompressed += c.dictionary.length;
        file.write(c.dictionary);
      }
      long dataOffset = file.size();
      for (byte[] p : c.data) {
        file.write(p);
        uncompressed += p.length;
      }
      long size = file.size() - start;
      total += size;
      ColumnMetaData md = new ColumnMetaData(formatType(d.getPrimitiveType().getPrimitiveTypeName()), new ArrayList<>(c.encodings), List.of(d.getPath()), codec, c.values,
          uncompressed, size, dataOffset);
      if (dictOffset != null) md.setDictionary_page_offset(dictOffset);
      ColumnChunk cc = new ColumnChunk(start);
      cc.setMeta_data(md);
      chunks.add(cc);
    }
    return new RowGroup(chunks, total, rows.size());
  }

  private byte[] compress(byte[] b) throws IOException {
    if (codec == CompressionCodec.UNCOMPRESSED) return b;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  private static org.apache.parquet.format.Type formatType(PrimitiveTypeName t) {
    return t == PrimitiveTypeName.BINARY ? org.apache.parquet.format.Type.BYTE_ARRAY
        : org.apache.parquet.format.Type.valueOf(t.name());
  }

  private static org.apache.parquet.format.Encoding enc(Encoding e) {
    return org.apache.parquet.format.Encoding.valueOf(e.name());
  }

  /** One column chunk being written: header+body bytes of its pages. */
  private static final class Chunk {
    byte[] dictionary;
    final List<byte[]> data = new ArrayList<>();
    final java.util.Set<org.apache.parquet.format.Encoding> encodings = new java.util.LinkedHashSet<>();
    long values;
  }

  private final class Pages implements PageWriteStore {
    final Map<ColumnDescriptor, Chunk> chunks = new LinkedHashMap<>();

    @Override
    public PageWriter getPageWriter(ColumnDescriptor path) {
      Chunk c = chunks.computeIfAbsent(path, k -> new Chunk());
      return new PageWriter() {
        public void writePage(BytesInput bytes, int valueCount, Statistics<?> statistics, Encoding rl, Encoding dl,
            Encoding values) throws IOException {
          writePage(bytes, valueCount, valueCount, statistics, rl, dl, values);
        }

        public void writePage(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics, Encoding rl,
            Encoding dl, Encoding values) throws IOException {
          byte[] raw = bytes.toByteArray();
          byte[] body = compress(raw);
          PageHeader h = new PageHeader(PageType.DATA_PAGE, raw.length, body.length);
          h.setData_page_header(new DataPageHeader(valueCount, enc(values), enc(dl), enc(rl)));
          c.data.add(page(h, body));
          c.values += valueCount;
          c.encodings.add(enc(values));
          c.encodings.add(enc(dl));
        }

        @Override
        public void writePage(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics,
            SizeStatistics sizeStatistics, GeospatialStatistics geospatialStatistics, Encoding rl, Encoding dl,
            Encoding values) throws IOException {
          writePage(bytes, valueCount, rowCount, statistics, rl, dl, values);
        }

        @Override
        public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput repetitionLevels,
            BytesInput definitionLevels, Encoding dataEncoding, BytesInput data, Statistics<?> statistics,
            SizeStatistics sizeStatistics, GeospatialStatistics geospatialStatistics) throws IOException {
          writePageV2(rowCount, nullCount, valueCount, repetitionLevels, definitionLevels, dataEncoding, data,
              statistics);
        }

        public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput repetitionLevels,
            BytesInput definitionLevels, Encoding dataEncoding, BytesInput data, Statistics<?> statistics)
            throws IOException {
          byte[] rl = repetitionLevels.toByteArray();
          byte[] dl = definitionLevels.toByteArray();
          byte[] raw = data.toByteArray();
          byte[] body = compress(raw);
          PageHeader h = new PageHeader(PageType.DATA_PAGE_V2, rl.length + dl.length + raw.length,
              rl.length + dl.length + body.length);
          DataPageHeaderV2 dh = new DataPageHeaderV2(valueCount, nullCount, rowCount, enc(dataEncoding), dl.length,
              rl.length);
          dh.setIs_compressed(codec != CompressionCodec.UNCOMPRESSED);
          h.setData_page_header_v2(dh);
          ByteArrayOutputStream all = new ByteArrayOutputStream();
          all.write(rl);
          all.write(dl);
          all.write(body);
          c.data.add(page(h, all.toByteArray()));
          c.values += valueCount;
          c.encodings.add(enc(dataEncoding));
        }

        public long getMemSize() {
          return 0;
        }

        public long allocatedSize() {
          return 0;
        }

        public void writeDictionaryPage(DictionaryPage dictionaryPage) throws IOException {
          byte[] raw = dictionaryPage.getBytes().toByteArray();
          byte[] body = compress(raw);
          PageHeader h = new PageHeader(PageType.DICTIONARY_PAGE, raw.length, body.length);
          h.setDictionary_page_header(new DictionaryPageHeader(dictionaryPage.getDictionarySize(),
              enc(dictionaryPage.getEncoding())));
          c.dictionary = page(h, body);
          c.encodings.add(enc(dictionaryPage.getEncoding()));
        }

        public String memUsageString(String prefix) {
          return prefix;
        }
      };
    }

    private byte[] page(PageHeader h, byte[] body) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Util.writePageHeader(h, out);
      out.write(body);
      return out.toByteArray();
    }
  }
}
