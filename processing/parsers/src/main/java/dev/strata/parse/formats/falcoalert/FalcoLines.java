package dev.strata.parse.formats.falcoalert;

import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;

/**
 * The non-blank lines of a chunk of Falco output (text output, journald entries), each handed to a {@link Line}
 * with its span, line number and ordinal; a trailing CR is left out. The chunk's last line cut by the collector at
 * its max record size is record_too_large; a handler that throws is a parser_error on that line.
 */
final class FalcoLines {
  @FunctionalInterface
  interface Line {
    void read(int start, int end, long line, long ordinal);
  }

  private FalcoLines() {}

  static void forEach(ChunkContext ctx, ParseOutput out, Line handler) {
    byte[] buf = ctx.payload();
    int lastContent = Bytes.lastContentLineStart(buf);
    long newlines = 0;
    long ordinal = 0;
    int i = 0;
    while (i < buf.length) {
      int nl = Bytes.indexOfNewline(buf, i, buf.length);
      int end = nl < 0 ? buf.length : nl;
      int e = end;
      if (e > i && buf[e - 1] == '\r') e--;
      if (!Bytes.isBlankLine(buf, i, e)) {
        long lineNo = ctx.lineFromCount(newlines);
        long ord = ordinal++;
        if (ctx.truncatedRecord() && i == lastContent) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
              "line cut by the collector at its max record size (full bytes in the evidence store)", i, buf.length,
              lineNo, ord));
          return;
        }
        try {
          handler.read(i, e, lineNo, ord);
        } catch (RuntimeException ex) {
          out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this line: " + ex, i, e, lineNo, ord));
        }
      }
      if (nl < 0) break;
      newlines++;
      i = nl + 1;
    }
  }
}
