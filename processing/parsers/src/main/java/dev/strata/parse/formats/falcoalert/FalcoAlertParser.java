package dev.strata.parse.formats.falcoalert;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.Payloads;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.Set;

/**
 * Falco JSON alerts to OCSF 2004 Detection Finding. Shapes: {@code json_output: true} file/stdout output (one alert
 * object per line), the same object as posted by Falco's HTTP output / Falcosidekick (one object, possibly
 * pretty-printed), and a bare JSON array of alerts. The text output form is not supported. The mapping is in
 * {@link FalcoAlertMapper}.
 */
public final class FalcoAlertParser implements EvidenceParser {

  public static final String FORMAT = "falco_alert";

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
    new JsonRecordStream(ctx, new FalcoAlertMapper(ctx), Set.of(), out).run();
  }
}
