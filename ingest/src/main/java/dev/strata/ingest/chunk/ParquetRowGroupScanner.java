package dev.strata.ingest.chunk;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/**
 * PARQUET_ROW_GROUPS framing: an Apache Parquet file cut after each row group, at the offsets its footer lists. A
 * Parquet file's schema and row group positions are in its footer, at the end, so the collector reads the footer
 * first ({@link #of(Path)}, random access to the file) and this scanner then finds the boundaries in the stream like
 * any other: record 0 = the magic {@code PAR1} and row group 0, record i = row group i (with any padding before it),
 * the last record = the footer. The chunker groups records into chunks of up to chunk_size; a row group larger than
 * max_record_bytes is a truncated record (the parser dead-letters it, the file stays whole in the evidence store).
 *
 * <p>Each chunk of a file cut into several carries its own part of the footer ({@link #formatHeader(long, long)}:
 * {@value #ROW_GROUPS_PREFIX}, the schema and the chunk's row groups), so a parser reads each chunk alone;
 * {@link #formatHeader()} = {@value #HEADER_PREFIX} + base64 of the whole footer (what collectors before sent on every
 * chunk).
 */
public final class ParquetRowGroupScanner implements BoundaryScanner {
  /** Prefix of the format header of a cut Parquet file; base64 of the Thrift {@code FileMetaData} follows. */
  public static final String HEADER_PREFIX = "parquet-footer:";
  /**
   * A file with a larger footer is not cut (one record): the footer travels base64 on every chunk, next to a payload
   * of up to max_record_bytes, and both must fit a Kafka record (8 MiB). A flow log footer is a few KiB per row group.
   */
  static final int MAX_FOOTER_BYTES = 1 << 20;

  /**
   * Prefix of the format header of one chunk of a cut Parquet file: the file's index of the chunk's first row group,
   * ':', the file's row number of its first row, ':', then base64 of a Thrift {@code FileMetaData} holding the file's
   * schema and metadata and the chunk's own row groups only.
   */
  public static final String ROW_GROUPS_PREFIX = "parquet-row-groups:";

  /** Content offsets just after each row group, increasing. */
  private final long[] ends;
  /** Content offsets of each row group's first column chunk byte. */
  private final long[] starts;
  private final FileMetaData meta;
  private final String header;
  private long pos;
  private int next;

  ParquetRowGroupScanner(long[] starts, long[] ends, FileMetaData meta, String header) {
    this.starts = starts.clone();
    this.ends = ends.clone();
    this.meta = meta;
    this.header = header;
  }

  /**
   * The scanner for the Parquet file at {@code file} (uncompressed content), or empty when it is not a readable
   * Parquet file (no magic, bad footer, row groups out of the file or out of order): then it travels as one record.
   */
  public static Optional<ParquetRowGroupScanner> of(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 12) return Optional.empty();
      ByteBuffer head = read(ch, 0, 4);
      ByteBuffer tail = read(ch, size - 8, 8);
      if (!isMagic(head, 0) || !isMagic(tail, 4)) return Optional.empty();
      int footerLength = tail.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
      if (footerLength <= 0 || footerLength > MAX_FOOTER_BYTES || footerLength > size - 12) return Optional.empty();
      byte[] footer = read(ch, size - 8 - footerLength, footerLength).array();
      return fromFooter(footer, size);
    }
  }

  /**
   * The scanner for the Parquet content read from {@code content} (a decompressing stream, e.g. of a gzip-compressed
   * file: content cannot be read from its end), or empty (see {@link #of(Path)}). Reads the stream to its end, keeping
   * its first 4 and last {@link #MAX_FOOTER_BYTES} + 8 bytes.
   */
  public static Optional<ParquetRowGroupScanner> of(java.io.InputStream content) throws IOException {
    byte[] head = content.readNBytes(4);
    if (head.length < 4 || head[0] != 'P' || head[1] != 'A' || head[2] != 'R' || head[3] != '1') {
      return Optional.empty();
    }
    byte[] ring = new byte[MAX_FOOTER_BYTES + 8];
    long size = 4;
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = content.read(buf)) > 0; ) {
      for (int i = 0; i < n; ) {
        int at = (int) ((size - 4) % ring.length);
        int k = Math.min(n - i, ring.length - at);
        System.arraycopy(buf, i, ring, at, k);
        i += k;
        size += k;
      }
    }
    if (size < 12) return Optional.empty();
    int tailLength = (int) Math.min(size - 4, ring.length);
    byte[] tail = new byte[tailLength];
    long tailStart = size - tailLength;
    for (int i = 0; i < tailLength; i++) tail[i] = ring[(int) ((tailStart - 4 + i) % ring.length)];
    ByteBuffer end = ByteBuffer.wrap(tail, tailLength - 8, 8).slice();
    if (!isMagic(end, 4)) return Optional.empty();
    int footerLength = end.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (footerLength <= 0 || footerLength > MAX_FOOTER_BYTES || footerLength > size - 12) return Optional.empty();
    byte[] footer = java.util.Arrays.copyOfRange(tail, tailLength - 8 - footerLength, tailLength - 8);
    return fromFooter(footer, size);
  }

  /** The scanner for a file of {@code fileSize} bytes whose footer is {@code footer}, or empty (see {@link #of}). */
  static Optional<ParquetRowGroupScanner> fromFooter(byte[] footer, long fileSize) {
    FileMetaData meta;
    try {
      meta = Util.readFileMetaData(new ByteArrayInputStream(footer));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    List<RowGroup> groups = meta.getRow_groups();
    if (groups == null) return Optional.empty();
    long footerStart = fileSize - 8 - footer.length;
    long[] ends = new long[groups.size()];
    long[] starts = new long[groups.size()];
    long previousEnd = 4;
    for (int g = 0; g < groups.size(); g++) {
      long start = Long.MAX_VALUE;
      long end = Long.MIN_VALUE;
      List<ColumnChunk> columns = groups.get(g).getColumns();
      if (columns == null || columns.isEmpty()) return Optional.empty();
      for (ColumnChunk c : columns) {
        ColumnMetaData md = c.getMeta_data();
        if (md == null) return Optional.empty();
        long from = md.isSetDictionary_page_offset() && md.getDictionary_page_offset() > 0
            ? Math.min(md.getDictionary_page_offset(), md.getData_page_offset()) : md.getData_page_offset();
        start = Math.min(start, from);
        end = Math.max(end, from + md.getTotal_compressed_size());
      }
      if (start < previousEnd || end <= start || end > footerStart) return Optional.empty();
      starts[g] = start;
      ends[g] = end;
      previousEnd = end;
    }
    return Optional.of(new ParquetRowGroupScanner(starts, ends, meta,
        HEADER_PREFIX + Base64.getEncoder().encodeToString(footer)));
  }

  private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) throw new IOException("file ended before offset " + (at + n));
    }
    return b;
  }

  private static boolean isMagic(ByteBuffer b, int at) {
    return b.get(at) == 'P' && b.get(at + 1) == 'A' && b.get(at + 2) == 'R' && b.get(at + 3) == '1';
  }

  @Override
  public int next(byte[] buf, int from, int to) {
    long end = pos + (to - from);
    if (next < ends.length && ends[next] <= end) {
      int at = from + (int) (ends[next] - pos);
      pos = ends[next];
      next++;
      return at;
    }
    pos = end;
    return -1;
  }

  @Override
  public long newlines() {
    return 0; // binary: lines do not apply
  }

  @Override
  public long boundaries() {
    return next;
  }

  @Override
  public String formatHeader() {
    return header;
  }

  /**
   * The chunk's own part of the footer ({@link #ROW_GROUPS_PREFIX}): the row groups that start in [chunkOffset,
   * chunkEnd) (a truncated one included, for the parser to report), the file's schema, key-value metadata,
   * created_by and column orders. Parquet's {@code FileMetaData} allows any subset of row groups (each carries its
   * column chunks' absolute file offsets), so only the first group's index and first row number are added. A chunk's
   * header thus grows with its own row groups, not with the file's.
   */
  @Override
  public String formatHeader(long chunkOffset, long chunkEnd) {
    int first = 0;
    while (first < starts.length && starts[first] < chunkOffset) first++;
    int last = first;
    while (last < starts.length && starts[last] < chunkEnd) last++;
    long firstRow = 0;
    for (int g = 0; g < first; g++) firstRow += meta.getRow_groups().get(g).getNum_rows();
    FileMetaData part = meta.deepCopy();
    List<RowGroup> own = new java.util.ArrayList<>(meta.getRow_groups().subList(first, last));
    long rows = 0;
    for (RowGroup rg : own) rows += rg.getNum_rows();
    part.setRow_groups(own);
    part.setNum_rows(rows);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1024);
    try {
      Util.writeFileMetaData(part, out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // in-memory stream
    }
    return ROW_GROUPS_PREFIX + first + ":" + firstRow + ":" + Base64.getEncoder().encodeToString(out.toByteArray());
  }

  @Override
  public boolean headerPerChunk() {
    return true;
  }
}
