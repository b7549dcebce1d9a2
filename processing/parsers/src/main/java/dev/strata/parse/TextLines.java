package dev.strata.parse;

import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;

/**
 * A chunk of text lines, one record per non-blank line (the CLIs' human event output: {@code docker events},
 * {@code podman events}): each line, leading blanks and a trailing CR left out, goes to a {@link LineMapper}; its event
 * gets the line as raw_data; a line the mapper cannot read is a malformed_record dead letter; the chunk's last line cut
 * by the collector at its max record size is record_too_large.
 */
public final class TextLines {

  /** Maps one line (UTF-8 text, payload span [start, end)) to an event, or returns null when it is not a record. */
  @FunctionalInterface
  public interface LineMapper {
    EvidenceEvent map(String text, int start, int end, long line, long ordinal);
  }

  private TextLines() {}

  /** Runs {@code mapper} over the chunk's lines; {@code malformed} is the dead letter message of an unreadable line. */
  public static void run(ChunkContext ctx, ParseOutput out, LineMapper mapper, String malformed) {
    byte[] b = ctx.payload();
    long line = ctx.lineAt(0);
    long ordinal = 0;
    int pos = 0;
    while (pos < b.length) {
      int eol = pos;
      while (eol < b.length && b[eol] != '\n') eol++;
      int end = eol;
      if (end > pos && b[end - 1] == '\r') end--;
      int s = pos;
      while (s < end && (b[s] == ' ' || b[s] == '\t')) s++;
      if (s < end) {
        ctx.markLine(pos, line);
        if (eol >= b.length && ctx.truncatedRecord()) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
              "record cut by the collector at its max record size (full bytes in the evidence store)", pos, end,
              line, ordinal));
        } else {
          EvidenceEvent e = mapper.map(new String(b, s, end - s, StandardCharsets.UTF_8), pos, end, line, ordinal);
          if (e == null) {
            out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, malformed, pos, end, line, ordinal));
          } else {
            e.setRawData(ctx.rawText(pos, end));
            out.emit(e);
          }
        }
        ordinal++;
      }
      pos = eol + 1;
      line++;
    }
  }
}
