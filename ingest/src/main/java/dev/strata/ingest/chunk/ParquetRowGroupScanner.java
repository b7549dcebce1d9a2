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
 * <p>{@link #formatHeader()} = {@value #HEADER_PREFIX} + base64 of the footer ({@code FileMetaData}), which the
 * collector copies onto every chunk of a file cut into several, so a parser reads each chunk alone.
 */
public final class ParquetRowGroupScanner implements BoundaryScanner {
  /** Prefix of the format header of a cut Parquet file; base64 of the Thrift {@code FileMetaData} follows. */
  public static final String HEADER_PREFIX = "parquet-footer:";
  /**
   * A file with a larger footer is not cut (one record): the footer travels base64 on every chunk, next to a payload
   * of up to max_record_bytes, and both must fit a Kafka record (8 MiB). A flow log footer is a few KiB per row group.
   */
  static final int MAX_FOOTER_BYTES = 1 << 20;

  /** Content offsets just after each row group, increasing. */
  private final long[] ends;
  private final String header;
  private long pos;
  private int next;

  ParquetRowGroupScanner(long[] ends, String header) {
    this.ends = ends.clone();
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
      ends[g] = end;
      previousEnd = end;
    }
    return Optional.of(new ParquetRowGroupScanner(ends, HEADER_PREFIX + Base64.getEncoder().encodeToString(footer)));
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
}
