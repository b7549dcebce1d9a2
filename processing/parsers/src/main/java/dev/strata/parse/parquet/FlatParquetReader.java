package dev.strata.parse.parquet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Reads a flat Apache Parquet file (a root of primitive columns, no nesting, no repeated fields) held in memory, row by
 * row, each value as text; without Hadoop. The file layer is done here from the format specification (magic, footer
 * length, Thrift {@code FileMetaData} and {@code PageHeader}s through {@code parquet-format-structures}, UNCOMPRESSED
 * and GZIP page decompression); the column layer (PLAIN, dictionary, RLE / bit-packed levels, delta encodings, data
 * pages v1 and v2) is parquet-java's {@code parquet-column}. Codecs other than UNCOMPRESSED and GZIP (what AWS writes
 * for VPC Flow Logs) are refused with a {@link ParquetFormatException}.
 *
 * <p>Values: INT32 / INT64 / INT96 (as its bytes in hex) / BOOLEAN / FLOAT / DOUBLE as Java's decimal text, BYTE_ARRAY
 * and FIXED_LEN_BYTE_ARRAY as UTF-8 text when annotated STRING / UTF8 / ENUM / JSON, else lower-case hex; a null
 * (undefined optional value) as {@code null}.
 */
public final class FlatParquetReader {
  private static final byte[] MAGIC = {'P', 'A', 'R', '1'};
  /** Refuse footers larger than this (a flow log file's footer is a few KiB). */
  private static final int MAX_FOOTER = 16 * 1024 * 1024;

  /** One row group: its index, first row in the file, row count and byte range of its column chunks in the file. */
  public record RowGroupInfo(int index, long firstRow, long rows, long offset, long length) {}

  /** Receives the rows in file order. {@code values} is reused between calls: copy what you keep. */
  @FunctionalInterface
  public interface RowVisitor {
    void row(RowGroupInfo group, long rowInFile, String[] values);
  }

  /** The bytes held: the whole file, or a part of it (whole row groups) starting at file offset {@link #dataOffset}. */
  private final byte[] data;
  private final long dataOffset;
  /** The file range column chunks must lie in to be read: [heldFrom, heldTo). */
  private final long heldFrom;
  private final long heldTo;
  private final FileMetaData meta;
  private final MessageType schema;
  private final String[] columns;
  private final List<RowGroupInfo> groups;
  private final boolean whole;
  /** The file's index of the footer's first row group (a part's own footer lists only its row groups). */
  private final int firstGroup;

  private FlatParquetReader(byte[] data, long dataOffset, long heldFrom, long heldTo, FileMetaData meta,
      boolean whole) throws ParquetFormatException {
    this(data, dataOffset, heldFrom, heldTo, meta, whole, 0, 0);
  }

  private FlatParquetReader(byte[] data, long dataOffset, long heldFrom, long heldTo, FileMetaData meta,
      boolean whole, int firstGroup, long firstRow) throws ParquetFormatException {
    this.whole = whole;
    this.firstGroup = firstGroup;
    this.data = data;
    this.dataOffset = dataOffset;
    this.heldFrom = heldFrom;
    this.heldTo = heldTo;
    this.meta = meta;
    List<SchemaElement> elements = meta.getSchema();
    if (elements == null || elements.isEmpty()) {
      throw new ParquetFormatException("footer without schema");
    }
    List<Type> fields = new ArrayList<>();
    String[] names = new String[elements.size() - 1];
    for (int i = 1; i < elements.size(); i++) {
      SchemaElement e = elements.get(i);
      if (e.isSetNum_children() && e.getNum_children() > 0 || !e.isSetType()) {
        throw new ParquetFormatException("nested column '" + e.getName() + "': only flat files are read");
      }
      if (e.isSetRepetition_type() && e.getRepetition_type() == org.apache.parquet.format.FieldRepetitionType.REPEATED) {
        throw new ParquetFormatException("repeated column '" + e.getName() + "': only flat files are read");
      }
      Type.Repetition rep = e.isSetRepetition_type() && e.getRepetition_type()
          == org.apache.parquet.format.FieldRepetitionType.REQUIRED ? Type.Repetition.REQUIRED : Type.Repetition.OPTIONAL;
      PrimitiveTypeName t = e.getType() == org.apache.parquet.format.Type.BYTE_ARRAY ? PrimitiveTypeName.BINARY
          : PrimitiveTypeName.valueOf(e.getType().name());
      Types.PrimitiveBuilder<PrimitiveType> b = Types.primitive(t, rep);
      if (t == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) b.length(e.isSetType_length() ? e.getType_length() : 0);
      if (isText(e)) b.as(LogicalTypeAnnotation.stringType());
      fields.add(b.named(e.getName()));
      names[i - 1] = e.getName();
    }
    this.schema = new MessageType(elements.get(0).getName(), fields);
    this.columns = names;
    this.groups = rowGroupInfos(meta, names.length, firstGroup, firstRow);
  }

  /** True if the bytes start and end like a Parquet file ({@code PAR1 ... PAR1}). */
  public static boolean looksLikeParquet(byte[] b, int off, int len) {
    return len >= 12 && startsWithMagic(b, off) && startsWithMagic(b, off + len - 4);
  }

  /** True if the bytes start with the Parquet magic {@code PAR1}. */
  public static boolean startsWithMagic(byte[] b, int off) {
    return b.length - off >= 4 && b[off] == MAGIC[0] && b[off + 1] == MAGIC[1] && b[off + 2] == MAGIC[2]
        && b[off + 3] == MAGIC[3];
  }

  /** Opens {@code file} (the whole Parquet file): reads and checks its footer and schema. */
  public static FlatParquetReader open(byte[] file) throws ParquetFormatException {
    int n = file.length;
    if (!looksLikeParquet(file, 0, n)) {
      throw new ParquetFormatException("not a Parquet file (no PAR1 magic at both ends)");
    }
    int footerLen = (file[n - 8] & 0xff) | (file[n - 7] & 0xff) << 8 | (file[n - 6] & 0xff) << 16
        | (file[n - 5] & 0xff) << 24;
    if (footerLen <= 0 || footerLen > MAX_FOOTER || footerLen > n - 12) {
      throw new ParquetFormatException("bad footer length " + footerLen + " in a file of " + n + " bytes");
    }
    FileMetaData meta = footer(new ByteArrayInputStream(file, n - 8 - footerLen, footerLen));
    return new FlatParquetReader(file, 0, 4, n - 8 - footerLen, meta, true);
  }

  /**
   * Opens a part of a Parquet file: {@code footer} is the file's footer (its Thrift {@code FileMetaData}), {@code part}
   * the file's bytes from file offset {@code partOffset} on. The row groups whose column chunks lie wholly in the part
   * can be read ({@link #holds}); row numbers and offsets are those of the whole file.
   */
  public static FlatParquetReader openPart(byte[] footer, byte[] part, long partOffset) throws ParquetFormatException {
    if (partOffset < 0) throw new ParquetFormatException("negative part offset " + partOffset);
    return new FlatParquetReader(part, partOffset, partOffset, partOffset + part.length,
        footer(new ByteArrayInputStream(footer)), false);
  }

  /**
   * Opens a part of a Parquet file with the footer of that part only: {@code footer} is a {@code FileMetaData} with the
   * file's schema and the row groups the part holds (row group {@code firstGroup} of the file on, its first row being
   * row {@code firstRow} of the file), {@code part} the file's bytes from file offset {@code partOffset} on. Row
   * numbers, indexes and offsets are those of the whole file.
   */
  public static FlatParquetReader openPart(byte[] footer, byte[] part, long partOffset, int firstGroup, long firstRow)
      throws ParquetFormatException {
    if (partOffset < 0 || firstGroup < 0 || firstRow < 0) {
      throw new ParquetFormatException("negative part offset, row group or row (" + partOffset + ", " + firstGroup
          + ", " + firstRow + ")");
    }
    return new FlatParquetReader(part, partOffset, partOffset, partOffset + part.length,
        footer(new ByteArrayInputStream(footer)), false, firstGroup, firstRow);
  }

  private static FileMetaData footer(InputStream in) throws ParquetFormatException {
    try {
      return Util.readFileMetaData(in);
    } catch (IOException | RuntimeException e) {
      throw new ParquetFormatException("unreadable footer: " + e.getMessage(), e);
    }
  }

  /** Every row group of the file: first row, row count and the byte range of its column chunks. */
  private static List<RowGroupInfo> rowGroupInfos(FileMetaData meta, int columnCount, int firstGroup, long firstRow)
      throws ParquetFormatException {
    List<RowGroupInfo> out = new ArrayList<>();
    List<RowGroup> groups = meta.getRow_groups() == null ? List.of() : meta.getRow_groups();
    for (int i = 0; i < groups.size(); i++) {
      RowGroup rg = groups.get(i);
      int g = firstGroup + i;
      if (rg.getColumns() == null || rg.getColumns().size() != columnCount) {
        throw new ParquetFormatException("row group " + g + " has " + (rg.getColumns() == null ? 0
            : rg.getColumns().size()) + " column chunks for " + columnCount + " columns");
      }
      long start = Long.MAX_VALUE;
      long end = 0;
      for (ColumnChunk cc : rg.getColumns()) {
        ColumnMetaData md = cc.getMeta_data();
        if (md == null) throw new ParquetFormatException("column chunk without metadata (external file?)");
        long from = chunkStart(md);
        start = Math.min(start, from);
        end = Math.max(end, from + md.getTotal_compressed_size());
      }
      out.add(new RowGroupInfo(g, firstRow, rg.getNum_rows(), start == Long.MAX_VALUE ? 4 : start,
          start == Long.MAX_VALUE ? 0 : end - start));
      firstRow += rg.getNum_rows();
    }
    return List.copyOf(out);
  }

  private static long chunkStart(ColumnMetaData md) {
    return md.isSetDictionary_page_offset() && md.getDictionary_page_offset() > 0
        ? Math.min(md.getDictionary_page_offset(), md.getData_page_offset()) : md.getData_page_offset();
  }

  private static boolean isText(SchemaElement e) {
    if (e.isSetLogicalType()) {
      var l = e.getLogicalType();
      if (l.isSetSTRING() || l.isSetENUM() || l.isSetJSON()) return true;
    }
    return e.isSetConverted_type() && (e.getConverted_type() == ConvertedType.UTF8
        || e.getConverted_type() == ConvertedType.ENUM || e.getConverted_type() == ConvertedType.JSON);
  }

  /** Column names, in file order. */
  public String[] columns() {
    return columns.clone();
  }

  public long rowCount() {
    return meta.getNum_rows();
  }

  public String createdBy() {
    return meta.getCreated_by();
  }

  /** Every row group of the file, in file order (whether or not this reader holds its bytes). */
  public List<RowGroupInfo> rowGroups() {
    return groups;
  }

  /** True if this reader holds the whole file ({@link #open}), false for a part ({@link #openPart}). */
  public boolean whole() {
    return whole;
  }

  /** True if the bytes this reader holds contain the whole row group. */
  public boolean holds(RowGroupInfo g) {
    return g.offset() >= heldFrom && g.length() >= 0 && g.offset() + g.length() <= heldTo;
  }

  /** Visits every row of every row group, in file order (of a part: the row groups it holds). */
  public void read(RowVisitor visitor) throws ParquetFormatException {
    for (RowGroupInfo g : groups) {
      if (whole || holds(g)) read(g, visitor); // a whole file: a row group out of it is an error
    }
  }

  /** Visits the rows of one row group, in order. */
  public void read(RowGroupInfo info, RowVisitor visitor) throws ParquetFormatException {
    int g = info.index();
    RowGroup rg = meta.getRow_groups().get(g - firstGroup);
    long rows = rg.getNum_rows();
    Map<ColumnDescriptor, ChunkPages> pages = new HashMap<>();
    List<ColumnDescriptor> descriptors = schema.getColumns();
    for (int c = 0; c < descriptors.size(); c++) {
      ColumnMetaData md = rg.getColumns().get(c).getMeta_data();
      long from = chunkStart(md);
      long len = md.getTotal_compressed_size();
      if (from < heldFrom || len < 0 || from + len > heldTo) {
        throw new ParquetFormatException("column chunk '" + columns[c] + "' of row group " + g + " out of the "
            + (whole ? "file" : "bytes held [" + heldFrom + ", " + heldTo + ")"));
      }
      pages.put(descriptors.get(c), pages(md, (int) (from - dataOffset), (int) len, columns[c]));
    }
    String[][] values = new String[descriptors.size()][];
    PageReadStore store = new Store(pages, rows);
    ColumnReadStoreImpl readers = new ColumnReadStoreImpl(store, new NoConverter(descriptors.size()), schema,
        meta.getCreated_by());
    for (int c = 0; c < descriptors.size(); c++) {
      values[c] = column(readers.getColumnReader(descriptors.get(c)), descriptors.get(c), rows, columns[c]);
    }
    String[] row = new String[descriptors.size()];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < row.length; c++) row[c] = values[c][r];
      visitor.row(info, info.firstRow() + r, row);
    }
  }

  private static String[] column(ColumnReader r, ColumnDescriptor d, long rows, String name)
      throws ParquetFormatException {
    if (r.getTotalValueCount() != rows) {
      throw new ParquetFormatException("column '" + name + "' has " + r.getTotalValueCount() + " values for " + rows
          + " rows");
    }
    String[] out = new String[(int) rows];
    int maxDef = d.getMaxDefinitionLevel();
    PrimitiveType t = d.getPrimitiveType();
    boolean text = t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
    try {
      for (int i = 0; i < rows; i++) {
        if (r.getCurrentDefinitionLevel() == maxDef) {
          out[i] = switch (t.getPrimitiveTypeName()) {
            case INT32 -> Integer.toString(r.getInteger());
            case INT64 -> Long.toString(r.getLong());
            case BOOLEAN -> Boolean.toString(r.getBoolean());
            case FLOAT -> Float.toString(r.getFloat());
            case DOUBLE -> Double.toString(r.getDouble());
            case BINARY, FIXED_LEN_BYTE_ARRAY -> text ? r.getBinary().toStringUsingUTF8()
                : java.util.HexFormat.of().formatHex(r.getBinary().getBytes());
            case INT96 -> java.util.HexFormat.of().formatHex(r.getBinary().getBytes());
          };
        }
        r.consume();
      }
    } catch (RuntimeException e) {
      throw new ParquetFormatException("column '" + name + "': " + e.getMessage(), e);
    }
    return out;
  }

  /** Reads the page headers of one column chunk and decompresses its pages. */
  private ChunkPages pages(ColumnMetaData md, int from, int len, String name) throws ParquetFormatException {
    CompressionCodec codec = md.getCodec();
    if (codec != CompressionCodec.UNCOMPRESSED && codec != CompressionCodec.GZIP) {
      throw new ParquetFormatException("column '" + name + "': codec " + codec + " is not supported (UNCOMPRESSED and"
          + " GZIP are)");
    }
    ByteArrayInputStream in = new ByteArrayInputStream(data, from, len);
    DictionaryPage dictionary = null;
    List<DataPage> data = new ArrayList<>();
    long values = 0;
    try {
      while (values < md.getNum_values() && in.available() > 0) {
        PageHeader h = Util.readPageHeader(in);
        int size = h.getCompressed_page_size();
        if (size < 0 || size > in.available()) {
          throw new ParquetFormatException("column '" + name + "': page of " + size + " bytes beyond its chunk");
        }
        byte[] body = in.readNBytes(size);
        switch (h.getType()) {
          case DICTIONARY_PAGE -> {
            var dh = h.getDictionary_page_header();
            dictionary = new DictionaryPage(BytesInput.from(decompress(codec, body, h.getUncompressed_page_size())),
                dh.getNum_values(), encoding(dh.getEncoding()));
          }
          case DATA_PAGE -> {
            DataPageHeader dh = h.getData_page_header();
            data.add(new DataPageV1(BytesInput.from(decompress(codec, body, h.getUncompressed_page_size())),
                dh.getNum_values(), h.getUncompressed_page_size(), null, encoding(dh.getRepetition_level_encoding()),
                encoding(dh.getDefinition_level_encoding()), encoding(dh.getEncoding())));
            values += dh.getNum_values();
          }
          case DATA_PAGE_V2 -> {
            DataPageHeaderV2 dh = h.getData_page_header_v2();
            int rl = dh.getRepetition_levels_byte_length();
            int dl = dh.getDefinition_levels_byte_length();
            if (rl < 0 || dl < 0 || rl + dl > body.length) {
              throw new ParquetFormatException("column '" + name + "': bad level lengths in a v2 page");
            }
            byte[] payload = java.util.Arrays.copyOfRange(body, rl + dl, body.length);
            boolean compressed = !dh.isSetIs_compressed() || dh.isIs_compressed();
            byte[] plain = compressed ? decompress(codec, payload, h.getUncompressed_page_size() - rl - dl) : payload;
            data.add(DataPageV2.uncompressed(dh.getNum_rows(), dh.getNum_nulls(), dh.getNum_values(),
                BytesInput.from(java.util.Arrays.copyOfRange(body, 0, rl)),
                BytesInput.from(java.util.Arrays.copyOfRange(body, rl, rl + dl)), encoding(dh.getEncoding()),
                BytesInput.from(plain), null));
            values += dh.getNum_values();
          }
          default -> { } // index pages: skipped
        }
      }
    } catch (IOException e) {
      throw new ParquetFormatException("column '" + name + "': unreadable page: " + e.getMessage(), e);
    }
    return new ChunkPages(dictionary, data, values);
  }

  private static Encoding encoding(org.apache.parquet.format.Encoding e) {
    return Encoding.valueOf(e.name());
  }

  private static byte[] decompress(CompressionCodec codec, byte[] body, int uncompressed) throws IOException {
    if (codec == CompressionCodec.UNCOMPRESSED) return body;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      byte[] out = in.readNBytes(Math.max(uncompressed, 0));
      if (out.length != uncompressed) {
        throw new IOException("page decompressed to " + out.length + " bytes, header says " + uncompressed);
      }
      return out;
    }
  }

  /** The pages of one column chunk, served once. */
  private static final class ChunkPages implements PageReader {
    private final DictionaryPage dictionary;
    private final List<DataPage> pages;
    private final long values;
    private int next;

    ChunkPages(DictionaryPage dictionary, List<DataPage> pages, long values) {
      this.dictionary = dictionary;
      this.pages = pages;
      this.values = values;
    }

    @Override
    public DictionaryPage readDictionaryPage() {
      return dictionary;
    }

    @Override
    public long getTotalValueCount() {
      return values;
    }

    @Override
    public DataPage readPage() {
      return next < pages.size() ? pages.get(next++) : null;
    }
  }

  private record Store(Map<ColumnDescriptor, ChunkPages> pages, long rows) implements PageReadStore {
    @Override
    public PageReader getPageReader(ColumnDescriptor descriptor) {
      return pages.get(descriptor);
    }

    @Override
    public long getRowCount() {
      return rows;
    }

    @Override
    public java.util.Optional<PrimitiveIterator.OfLong> getRowIndexes() {
      return java.util.Optional.empty();
    }
  }

  /** Values are read from the column readers directly; the converters are never called. */
  private static final class NoConverter extends GroupConverter {
    private final PrimitiveConverter none = new PrimitiveConverter() {};
    private final int fields;

    NoConverter(int fields) {
      this.fields = fields;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      if (fieldIndex < 0 || fieldIndex >= fields) throw new IllegalArgumentException("field " + fieldIndex);
      return none;
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }

}
