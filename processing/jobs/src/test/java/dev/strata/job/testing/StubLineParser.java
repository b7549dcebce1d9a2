package dev.strata.job.testing;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.time.Instant;

/**
 * Test parser, format {@code stub_lines}: each line is {@code <ISO instant> <message>}. A line starting with
 * {@code !} is rejected (malformed_json), {@code BOOM} throws a RuntimeException (ChunkParser dead-letters it) and
 * {@code ASSERT} throws an AssertionError (escapes ChunkParser: the job's last resort).
 */
public final class StubLineParser implements EvidenceParser {
  public static final String FORMAT = "stub_lines";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) {
    ChunkContext ctx = ChunkContext.of(chunk);
    byte[] p = ctx.payload();
    int start = 0;
    long ordinal = 0;
    while (start < p.length) {
      int end = start;
      while (end < p.length && p[end] != '\n') {
        end++;
      }
      String line = new String(p, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
      if (line.equals("BOOM")) {
        throw new IllegalStateException("stub parser bug");
      } else if (line.equals("ASSERT")) {
        throw new AssertionError("stub parser assertion");
      } else if (line.startsWith("!")) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "bang line", start, end, ordinal));
      } else {
        int sp = line.indexOf(' ');
        EvidenceEvent e =
            ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, start, end, ctx.lineAt(start), ordinal, 0);
        e.setTime(Instant.parse(line.substring(0, sp)));
        e.setMessage(line.substring(sp + 1));
        out.emit(e);
      }
      ordinal++;
      start = end + 1;
    }
  }
}
