package dev.strata.parse.formats.dockerevents;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordsParser;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.TextLines;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * The Docker daemon's event stream as {@code docker events --format '{{json .}}'} writes it (one JSON message per
 * line; also a JSON array of messages, as {@code GET /events} clients often save them), and as plain
 * {@code docker events} prints it (one text line per event, see {@link DockerEventsMapper#text}). Every object type
 * and action of the Engine API's {@code EventMessage}; the mapping is in {@link DockerEventsMapper}.
 */
public final class DockerEventsParser implements EvidenceParser {

  public static final String FORMAT = "docker_events";

  private final JsonRecordsParser json = new JsonRecordsParser(FORMAT, Set.of(), DockerEventsMapper::new) {};

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    if (json.accepts(chunk)) {
      json.parse(chunk, out);
      return;
    }
    ChunkContext ctx = ChunkContext.of(chunk);
    DockerEventsMapper mapper = new DockerEventsMapper(ctx);
    TextLines.run(ctx, out, (line, start, end, n, ordinal) -> mapper.text(line, new RecordSpan(start, end, n, ordinal)),
        "not a docker events line ('<RFC 3339 time> <type> <action> <id> (<attributes>)')");
  }
}
