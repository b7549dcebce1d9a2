package dev.strata.parse.formats.dockercontainerconfig;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.WholeJsonDocument;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.util.List;

/**
 * Docker's per-container state files to OCSF 0 Base Event: {@code config.v2.json} (legacy {@code config.json}) gives
 * one event per lifecycle timestamp (created / started / finished), {@code hostconfig.json} one "configured" event.
 * Each file is one artifact and one JSON object: the payload is read as one document whatever the framing (a
 * pretty-printed file spans lines). Not JSON, several values, or not an object: malformed_json; an object that is
 * neither shape: missing_field; a file cut by the collector: record_too_large. The mapping is in
 * {@link DockerContainerConfigMapper}.
 */
public final class DockerContainerConfigParser extends JsonFormatParser {

  public static final String FORMAT = "docker_container_config";

  public DockerContainerConfigParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    WholeJsonDocument.Span span = WholeJsonDocument.span(ctx, out, "container state file");
    if (!span.whole()) return;
    byte[] b = ctx.payload();
    int start = span.start();
    int end = span.end();
    JsonNode root;
    try (JsonParser p = Json.FACTORY.createParser(b, start, end - start)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not a JSON object", start, end, 0));
        return;
      }
      root = Json.tree(p);
      if (p.nextToken() != null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "more than one JSON value", start, end, 0));
        return;
      }
    } catch (JsonProcessingException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON,
          "malformed JSON: " + e.getOriginalMessage(), start, end, 0));
      return;
    } catch (IOException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "unreadable JSON: " + e.getMessage(), start, end, 0));
      return;
    }
    List<EvidenceEvent> events;
    DockerContainerConfigMapper m = new DockerContainerConfigMapper(ctx, start, end);
    if (DockerContainerConfigMapper.isConfig(root)) {
      events = m.config(root);
    } else if (DockerContainerConfigMapper.isHostConfig(root)) {
      events = m.hostConfig(root);
    } else {
      out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
          "neither a container config (ID, Config/State) nor a hostconfig (Binds, NetworkMode, Privileged, ...)",
          start, end, 0));
      return;
    }
    for (EvidenceEvent e : events) out.emit(e);
  }
}
