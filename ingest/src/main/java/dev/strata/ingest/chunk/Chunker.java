package dev.strata.ingest.chunk;

import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Cuts content into chunks at record boundaries, in two passes over the same bytes:
 *
 * <ol>
 *   <li>{@link #plan}: streams the content once, computes its SHA-256 and decides every chunk (offset, length, first
 *       line, first record, payload SHA-256). A chunk is cut at the last record boundary before {@code chunkSize}; a
 *       record longer than {@code chunkSize} but at most {@code maxRecordBytes} gets a chunk of its own; a longer
 *       record is cut at {@code maxRecordBytes} ({@code truncatedRecord}) and the rest of it is skipped.
 *   <li>{@link #emit}: streams the content again and hands each planned payload over, after checking its CRC-32C
 *       against pass 1 (a mismatch means the content changed in between).
 * </ol>
 *
 * SHA-256 is the expensive part, so it runs over each byte at most twice, all in pass 1: once for the content, once
 * for the chunk (skipped when one chunk is the whole content: its SHA-256 is the content's). Pass 2 only needs the
 * hardware-accelerated CRC-32C to prove it publishes the bytes that were hashed.
 *
 * Decisions depend only on the bytes (never on how reads are split), so re-collecting the same content gives the
 * same chunks. Without truncation, the payloads concatenated are the content. Memory: pass 1 holds at most
 * {@code chunkSize + maxRecordBytes + 64 KiB}, pass 2 one payload.
 */
public final class Chunker {
  static final int READ = 64 * 1024;

  private final int chunkSize;
  private final int maxRecordBytes;

  public Chunker(int chunkSize, int maxRecordBytes) {
    if (chunkSize <= 0 || maxRecordBytes <= 0 || chunkSize > maxRecordBytes) {
      throw new IllegalArgumentException(
          "need 0 < chunk_size <= max_record_bytes, got " + chunkSize + " and " + maxRecordBytes);
    }
    this.chunkSize = chunkSize;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Receives the payloads of pass 2. */
  @FunctionalInterface
  public interface PayloadSink {
    void accept(PlannedChunk chunk, byte[] payload) throws IOException;
  }

  /** Pass 1. Reads {@code content} to its end (does not close it). */
  public ChunkPlan plan(InputStream content, Framing framing) throws IOException {
    return plan(content, BoundaryScanner.forFraming(framing));
  }

  /** Pass 1 with a given boundary scanner (e.g. {@link RecordArraysBoundaryScanner}). */
  public ChunkPlan plan(InputStream content, BoundaryScanner scanner) throws IOException {
    Planner p = new Planner(scanner);
    byte[] buf = p.buf;
    while (true) {
      int n = content.read(buf, p.e, Math.min(READ, buf.length - p.e));
      if (n < 0) {
        break;
      }
      if (n > 0) {
        p.contentDigest.update(buf, p.e, n);
        p.total += n;
        p.feed(n);
      }
    }
    String contentSha = hex(p.contentDigest.digest());
    p.finish(contentSha);
    String header = scanner.formatHeader();
    List<String> perChunk = null;
    if (header != null && p.chunks.size() > 1 && scanner.headerPerChunk()) {
      perChunk = new ArrayList<>(p.chunks.size());
      for (PlannedChunk c : p.chunks) perChunk.add(scanner.formatHeader(c.offset(), c.offset() + c.length()));
      perChunk = List.copyOf(perChunk);
    }
    return new ChunkPlan(List.copyOf(p.chunks), p.total, contentSha, List.copyOf(p.truncations), header, perChunk);
  }

  /**
   * Pass 2: reads {@code content} again and gives each planned payload to {@code sink}, in order.
   *
   * @throws ChunkMismatchException if a payload's bytes differ from pass 1 (nothing of that chunk was handed over)
   */
  public void emit(InputStream content, ChunkPlan plan, PayloadSink sink) throws IOException {
    CRC32C crc = new CRC32C();
    long pos = 0;
    for (PlannedChunk c : plan.chunks()) {
      if (c.offset() > pos) {
        long skipped = skipFully(content, c.offset() - pos);
        if (skipped < c.offset() - pos) {
          throw new ChunkMismatchException("content ended at " + (pos + skipped) + ", pass 1 had " + plan.contentSize()
              + " bytes");
        }
        pos = c.offset();
      }
      byte[] payload = new byte[c.length()];
      int got = readFully(content, payload);
      if (got < payload.length) {
        throw new ChunkMismatchException(
            "content ended at " + (pos + got) + ", pass 1 had " + plan.contentSize() + " bytes");
      }
      crc.reset();
      crc.update(payload, 0, payload.length);
      if ((int) crc.getValue() != c.crc32c()) {
        throw new ChunkMismatchException("chunk " + c.index() + " at offset " + c.offset()
            + " differs between pass 1 and pass 2 (CRC-32C " + Integer.toHexString((int) crc.getValue()) + " vs "
            + Integer.toHexString(c.crc32c()) + ")");
      }
      pos += got;
      sink.accept(c, payload);
    }
  }

  private static int readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        break;
      }
      off += n;
    }
    return off;
  }

  private static long skipFully(InputStream in, long n) throws IOException {
    byte[] tmp = new byte[(int) Math.min(n, READ)];
    long left = n;
    while (left > 0) {
      int r = in.read(tmp, 0, (int) Math.min(left, tmp.length));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  /** Pass-1 state. {@code buf[0]} is the start of the current chunk (unless skipping the rest of a long record). */
  private final class Planner {
    final BoundaryScanner sc;
    final byte[] buf = new byte[chunkSize + maxRecordBytes + READ];
    final MessageDigest contentDigest = sha256();
    final MessageDigest chunkDigest = sha256();
    final CRC32C crc = new CRC32C();
    final List<PlannedChunk> chunks = new ArrayList<>();
    final List<ChunkPlan.Truncation> truncations = new ArrayList<>();
    long total;
    /** valid bytes in buf */
    int e;
    /** content offset of buf[0] */
    long base;
    long startLine = 1;
    long startRecord;
    /** last record boundary accepted into the current chunk (index in buf), -1 if none */
    int lb = -1;
    long lbLine;
    long lbRecord;
    /** skipping the rest of a truncated record */
    boolean skipping;
    int truncChunk;
    long truncOffset;
    long truncSkipped;

    Planner(BoundaryScanner sc) {
      this.sc = sc;
    }

    void feed(int n) {
      int i = e;
      e += n;
      while (i < e) {
        if (skipping) {
          int b = sc.next(buf, i, e);
          if (b < 0) {
            truncSkipped += e - i;
            base += e;
            e = 0;
            return;
          }
          truncSkipped += b - i;
          endTruncation();
          startLine = 1 + sc.newlines();
          startRecord = sc.boundaries();
          compact(b);
          i = 0;
          continue;
        }
        int b = sc.next(buf, i, e);
        int rs = lb >= 0 ? lb : 0;
        if (b < 0) {
          if (e - rs > maxRecordBytes) {
            truncate(rs);
            truncSkipped = e - (rs + (long) maxRecordBytes);
            base += e;
            e = 0;
            lb = -1;
            skipping = true;
          }
          return;
        }
        i = boundary(b, rs);
      }
    }

    /** A record ends at {@code b}; returns where scanning continues. */
    int boundary(int b, int rs) {
      if (b - rs > maxRecordBytes) {
        truncate(rs);
        truncSkipped = b - (rs + (long) maxRecordBytes);
        endTruncation();
        startLine = 1 + sc.newlines();
        startRecord = sc.boundaries();
        compact(b);
        return 0;
      }
      if (b > chunkSize) {
        if (lb > 0) {
          emit(0, lb, false);
          startLine = lbLine;
          startRecord = lbRecord;
          int cut = lb;
          compact(cut);
          b -= cut;
        }
        if (b > chunkSize) {
          emit(0, b, false);
          startLine = 1 + sc.newlines();
          startRecord = sc.boundaries();
          compact(b);
          return 0;
        }
      }
      lb = b;
      lbLine = 1 + sc.newlines();
      lbRecord = sc.boundaries();
      return b;
    }

    /** Emits complete records before {@code rs}, then the first maxRecordBytes of the record at {@code rs}. */
    void truncate(int rs) {
      if (rs > 0) {
        emit(0, rs, false);
        startLine = lbLine;
        startRecord = lbRecord;
      }
      truncChunk = chunks.size();
      truncOffset = base + rs;
      emit(rs, rs + maxRecordBytes, true);
    }

    void endTruncation() {
      truncations.add(
          new ChunkPlan.Truncation(truncChunk, truncOffset, maxRecordBytes + truncSkipped, truncSkipped));
      skipping = false;
      truncSkipped = 0;
    }

    void finish(String contentSha) {
      if (skipping) {
        endTruncation();
        return;
      }
      if (e == 0) {
        return;
      }
      if (chunks.isEmpty() && base == 0 && (e <= chunkSize || lb <= 0)) {
        // one chunk is the whole content
        crc.reset();
        crc.update(buf, 0, e);
        chunks.add(new PlannedChunk(0, 0, e, startLine, startRecord, contentSha, false, (int) crc.getValue()));
        return;
      }
      if (e > chunkSize && lb > 0) {
        emit(0, lb, false);
        startLine = lbLine;
        startRecord = lbRecord;
        compact(lb);
      }
      emit(0, e, false);
      e = 0;
    }

    void emit(int from, int to, boolean truncated) {
      chunkDigest.update(buf, from, to - from);
      crc.reset();
      crc.update(buf, from, to - from);
      chunks.add(new PlannedChunk(chunks.size(), base + from, to - from, startLine, startRecord,
          hex(chunkDigest.digest()), truncated, (int) crc.getValue()));
    }

    /** Drops buf[0, k): the current chunk now starts at buf[k]. */
    void compact(int k) {
      System.arraycopy(buf, k, buf, 0, e - k);
      e -= k;
      base += k;
      lb = -1;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }
}
