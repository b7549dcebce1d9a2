package dev.strata.parse.formats.dockerevents;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.Payloads;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * The Docker daemon's event stream as {@code docker events --format '{{json .}}'} writes it (one JSON message per
 * line; also a JSON array of messages, as {@code GET /events} clients often save them). Every object type and action
 * of the Engine API's {@code EventMessage}; the mapping is in {@link DockerEventsMapper}.
 */
public final class DockerEventsParser implements EvidenceParser {

  public static final String FORMAT = "docker_events";

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
    new JsonRecordStream(ctx, new DockerEventsMapper(ctx), Set.of(), out).run();
  }
}
