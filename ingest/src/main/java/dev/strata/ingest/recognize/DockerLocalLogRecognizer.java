package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code docker_local_log}: Docker's {@code local} logging driver files, frames {@code [uint32 BE length][protobuf
 * LogEntry][uint32 BE length]}.
 *
 * <p>Path: {@code **}{@code /containers/<64 hex>/local-logs/container.log}, rotated {@code .1}, {@code .2}, ... and
 * {@code .gz}. Content: the first frame is complete in the sample, its trailing length matches and its payload starts
 * with LogEntry field 1 (source, "stdout" or "stderr") or field 2 (time_nano): STRONG; a first frame longer than the
 * sample whose payload starts that way: WEAK. Framing: LENGTH_PREFIXED.
 */
public final class DockerLocalLogRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_local_log";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)containers/[0-9a-f]{64}/local-logs/container\\.log(?:\\.\\d+)?(?:\\.gz)?");
  private static final long MAX_FRAME = 16L << 20;

  public DockerLocalLogRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    byte[] b = sample.bytes();
    if (b.length < 4) {
      return ContentMatch.none("shorter than a frame header");
    }
    long len = u32(b, 0);
    if (len < 2 || len > MAX_FRAME) {
      return ContentMatch.none("first 4 bytes are not a plausible frame length");
    }
    if (!startsLikeEntry(b, 4, (int) Math.min(b.length, 4 + len))) {
      return ContentMatch.none("first frame does not start like a LogEntry (source / time_nano)");
    }
    if (4 + len + 4 > b.length) {
      return sample.complete()
          ? ContentMatch.none("first frame runs past the end of the content")
          : ContentMatch.weak(Framing.LENGTH_PREFIXED, "first frame longer than the sample, starts like a LogEntry");
    }
    if (u32(b, (int) (4 + len)) != len) {
      return ContentMatch.none("first frame's trailing length differs");
    }
    return ContentMatch.strong(Framing.LENGTH_PREFIXED, "length-prefixed protobuf LogEntry frames (local driver)");
  }

  /** Field 1 (source) = "stdout"/"stderr", or field 2 (time_nano, varint) first. */
  private static boolean startsLikeEntry(byte[] b, int from, int to) {
    if (to - from < 2) return false;
    if (b[from] == 0x0a) {
      int n = b[from + 1] & 0xff;
      if (n == 6 && to - from >= 8) {
        String s = new String(b, from + 2, 6, java.nio.charset.StandardCharsets.US_ASCII);
        return s.equals("stdout") || s.equals("stderr");
      }
      return n < 64 && to - from >= 2 + n;
    }
    return b[from] == 0x10;
  }

  private static long u32(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
  }
}
