package dev.strata.parse;

/**
 * The non-blank lines of a chunk, as the line formats walk them: each with its span before its newline (a trailing CR
 * kept: a format decides what to trim), its line number in the artifact and the count of newlines before it in the
 * chunk, and whether it is the chunk's last line cut by the collector at its max record size (the format rejects it as
 * {@link RejectReason#RECORD_TOO_LARGE}, {@link #CUT}: the full bytes are in the evidence store).
 */
public final class ChunkLines {
  /** The dead letter message of a line the collector cut. */
  public static final String CUT = "line cut by the collector at its max record size (full bytes in the evidence store)";

  /** One non-blank line of the chunk. */
  @FunctionalInterface
  public interface Visitor {
    void line(int start, int end, long lineNo, long newlines, boolean cut);
  }

  private ChunkLines() {}

  public static void forEach(ChunkContext ctx, Visitor visitor) {
    byte[] buf = ctx.payload();
    int n = buf.length;
    int lastContent = ctx.truncatedRecord() ? Bytes.lastContentLineStart(buf) : -1;
    long newlines = 0;
    int i = 0;
    while (i < n) {
      int nl = Bytes.indexOfNewline(buf, i, n);
      int end = nl < 0 ? n : nl;
      if (!Bytes.isBlankLine(buf, i, end)) visitor.line(i, end, ctx.lineFromCount(newlines), newlines, i == lastContent);
      if (nl < 0) break;
      newlines++;
      i = nl + 1;
    }
  }

  /** {@code end} without a CR before it. */
  public static int withoutCr(byte[] buf, int start, int end) {
    return end > start && buf[end - 1] == '\r' ? end - 1 : end;
  }
}
