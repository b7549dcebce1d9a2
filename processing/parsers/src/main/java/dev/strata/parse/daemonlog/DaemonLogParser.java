package dev.strata.parse.daemonlog;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Objects;

/**
 * A container runtime daemon's log format: {@link DaemonLogReader} reads the envelopes and bodies, the subclass
 * interprets the daemon's messages (one {@link DaemonLogReader.Interpreter} per chunk, so it may remember what
 * earlier lines of the chunk said).
 */
public abstract class DaemonLogParser implements EvidenceParser {
  private final String format;
  private final DaemonLogReader reader;

  protected DaemonLogParser(String format, DaemonLogReader reader) {
    this.format = Objects.requireNonNull(format, "format");
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  @Override
  public final String format() {
    return format;
  }

  @Override
  public final void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    parseCounting(chunk, out);
  }

  /** Parses like {@link #parse} and tells how many lines were skipped as other programs' lines. */
  public final DaemonLogReader.Counts parseCounting(RawArtifactChunk chunk, ParseOutput out) {
    ChunkContext ctx = ChunkContext.of(chunk);
    return reader.read(ctx, out, interpreter(ctx));
  }

  /** The interpreter of the daemon's messages for one chunk. */
  protected abstract DaemonLogReader.Interpreter interpreter(ChunkContext ctx);
}
