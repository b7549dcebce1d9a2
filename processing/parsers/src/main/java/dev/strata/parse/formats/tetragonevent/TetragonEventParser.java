package dev.strata.parse.formats.tetragonevent;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.Payloads;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * Cilium Tetragon JSON events ({@code tetra getevents -o json}, the JSON export file: one {@code GetEventsResponse}
 * object per line; a single pretty-printed event is read too) to OCSF 1007 Process Activity. The mapping is in
 * {@link TetragonEventMapper}.
 */
public final class TetragonEventParser implements EvidenceParser {

  public static final String FORMAT = "tetragon_event";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public boolean accepts(RawArtifactChunk chunk) {
    return FORMAT.equals(chunk.getSourceType()) && Payloads.startsLikeJson(chunk);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    new JsonRecordStream(ctx, new TetragonEventMapper(ctx), Set.of(), out).run();
  }
}
