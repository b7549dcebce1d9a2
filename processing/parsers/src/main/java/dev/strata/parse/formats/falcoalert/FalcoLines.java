package dev.strata.parse.formats.falcoalert;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.ChunkLines;
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
    long[] ordinal = {0};
    ChunkLines.forEach(ctx, (i, end, lineNo, newlines, cut) -> {
      long ord = ordinal[0]++;
      if (cut) {
        out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE, ChunkLines.CUT, i, buf.length, lineNo, ord));
        return;
      }
      int e = ChunkLines.withoutCr(buf, i, end);
      try {
        handler.read(i, e, lineNo, ord);
      } catch (RuntimeException ex) {
        out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this line: " + ex, i, e, lineNo, ord));
      }
    });
  }
}
