package dev.strata.ingest.agent;

import dev.strata.ingest.checkpoint.Position;
import dev.strata.schema.common.EvidenceContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One tailed file: an open channel (so a rotated or deleted file can still be read to its end), what it is, and two
 * positions: committed (in Kafka) and read (sent in the open batch, not committed yet).
 */
final class Tail {
  /** Bytes at the start of a file whose hash identifies its content next to the inode. */
  static final int FINGERPRINT_BYTES = 1024;

  final FileId id;
  final String origin;
  Path path;
  final FileChannel channel;

  String sourceType;
  EvidenceContext context;
  String ignored; // reason, when the file is not tailed
  long probedSize = -1;

  // committed
  long offset;
  long line = 1;
  boolean discarding;
  String fingerprint = "";
  long fingerprintLength;

  // read, pending commit
  long readOffset;
  long readLine = 1;
  boolean readDiscarding;
  boolean changed;

  boolean detached;
  boolean closing;
  long lastSize = -1;
  long lastGrowthNanos = System.nanoTime();

  Tail(FileId id, String origin, Path path, FileChannel channel) {
    this.id = id;
    this.origin = origin;
    this.path = path;
    this.channel = channel;
  }

  void resume(long offset, long line, boolean discarding, String fingerprint, long fingerprintLength) {
    this.offset = this.readOffset = offset;
    this.line = this.readLine = line;
    this.discarding = this.readDiscarding = discarding;
    this.fingerprint = fingerprint;
    this.fingerprintLength = fingerprintLength;
  }

  /** Back to the committed position (the batch failed). */
  void rollback() {
    readOffset = offset;
    readLine = line;
    readDiscarding = discarding;
    changed = false;
    closing = false;
  }

  /** The batch holding the read data was committed. */
  void committed(String fp, long fpLen) {
    offset = readOffset;
    line = readLine;
    discarding = readDiscarding;
    fingerprint = fp;
    fingerprintLength = fpLen;
    changed = false;
  }

  /** Starts over at byte 0 (truncated or replaced content). */
  void restart() {
    readOffset = 0;
    readLine = 1;
    readDiscarding = false;
    changed = true;
    fingerprint = "";
    fingerprintLength = 0;
  }

  long size() throws IOException {
    return channel.size();
  }

  /** Reads {@code len} bytes at {@code pos} (fewer only at the end of the file). */
  byte[] read(long pos, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len);
    long p = pos;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, p);
      if (n < 0) {
        break;
      }
      p += n;
    }
    byte[] out = new byte[buf.position()];
    buf.flip();
    buf.get(out);
    return out;
  }

  /** SHA-256 (hex) of the first {@code len} bytes, or null when the file is shorter. */
  String fingerprintOf(long len) throws IOException {
    if (len == 0) {
      return "";
    }
    byte[] b = read(0, (int) len);
    if (b.length < len) {
      return null;
    }
    return sha256(b);
  }

  /** The position to commit: where the read stopped, with the fingerprint of the bytes read so far. */
  Position pendingPosition(String fp, long fpLen) {
    return Position.of("path", origin, "dev", id.dev(), "ino", id.ino(), "offset", readOffset, "line", readLine,
        "discarding", readDiscarding, "fingerprint", fp, "fingerprint_length", fpLen,
        "source_type", sourceType == null ? "" : sourceType);
  }

  static String sha256(byte[] b) {
    return sha256(b, 0, b.length);
  }

  static String sha256(byte[] b, int off, int len) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(b, off, len);
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
