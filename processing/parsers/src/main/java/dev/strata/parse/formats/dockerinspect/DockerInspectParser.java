package dev.strata.parse.formats.dockerinspect;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.Payloads;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * {@code docker inspect <container...>} and {@code docker image inspect <image...>} output: a JSON array of container
 * (or image) objects, as one WHOLE chunk or JSON_RECORDS chunks; also one object per line. The mapping is in
 * {@link DockerInspectMapper}.
 */
public final class DockerInspectParser implements EvidenceParser {

  public static final String FORMAT = "docker_inspect";

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
    new JsonRecordStream(ctx, new DockerInspectMapper(ctx), Set.of(), out).run();
  }
}
