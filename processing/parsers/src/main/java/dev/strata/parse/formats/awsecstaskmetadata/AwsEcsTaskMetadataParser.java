package dev.strata.parse.formats.awsecstaskmetadata;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.Bytes;
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
 * Amazon ECS task metadata to OCSF 0 Base Event "binding" events: which task ran which containers, with which
 * addresses and network interface, in which cluster, when.
 *
 * <p>Documents understood (one per artifact, pretty-printed or not; several root values or JSON lines are read one
 * after the other):
 *
 * <ul>
 *   <li>task metadata endpoint v4 / v3 / v2 {@code ${ECS_CONTAINER_METADATA_URI_V4}/task} ({@code TaskARN},
 *       {@code Cluster}, {@code Containers[]} with {@code DockerId}, {@code Networks[]}, ...);
 *   <li>the per-container document {@code ${ECS_CONTAINER_METADATA_URI_V4}} ({@code DockerId}, {@code Name},
 *       {@code Labels} with the task ARN and cluster);
 *   <li>{@code aws ecs describe-tasks} output {@code {"tasks":[...],"failures":[...]}} (or one task object, or an
 *       array of them): {@code taskArn}, {@code clusterArn}, {@code containers[]} ({@code runtimeId},
 *       {@code imageDigest}, {@code networkInterfaces[]}), {@code attachments[]} (ElasticNetworkInterface details:
 *       networkInterfaceId, privateIPv4Address, subnetId, macAddress);
 *   <li>{@code aws ecs describe-task-definition} output {@code {"taskDefinition":{...}}}: one {@code task_definition}
 *       event with the definition's {@code taskRoleArn} and {@code executionRoleArn} in {@code ecs}.
 * </ul>
 *
 * Every event carries the {@code ecs} record (cluster ARN and name, task ARN, task definition family:revision,
 * service, launch type, container instance, the roles a run's overrides or the definition name).
 *
 * One event per task (activity_name {@code task}) and one per container (activity_name {@code container}); see
 * {@link EcsMapper}. Not JSON: malformed_json; JSON that is none of these documents: missing_field; a document
 * larger than one chunk: record_too_large.
 */
public final class AwsEcsTaskMetadataParser extends JsonFormatParser {

  public static final String FORMAT = "aws_ecs_task_metadata";

  public AwsEcsTaskMetadataParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    WholeJsonDocument.Span span = WholeJsonDocument.span(ctx, out, "ECS metadata document");
    if (!span.whole()) return;
    byte[] b = ctx.payload();
    int start = span.start();
    int end = span.end();
    EcsMapper mapper = new EcsMapper(ctx);
    long ordinal = 0;
    int pos = start;
    while (pos < end) {
      while (pos < end && Json.isWs(b[pos])) pos++;
      if (pos >= end) break;
      int resume = pos;
      try (JsonParser p = Json.FACTORY.createParser(b, pos, end - pos)) {
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          int s = pos + (int) p.currentTokenLocation().getByteOffset();
          resume = s;
          JsonNode root = Json.tree(p);
          int e = pos + (int) p.currentLocation().getByteOffset();
          resume = e;
          long line = ctx.lineAt(s);
          if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
            out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "a JSON " + t + " is not an ECS metadata document",
                s, e, line, ordinal++));
            continue;
          }
          long ord = ordinal;
          List<EvidenceEvent> events;
          try {
            events = mapper.map(root, s, e, line, ord);
          } catch (RuntimeException ex) {
            ordinal++;
            out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this document: " + ex, s, e, line,
                ord));
            continue;
          }
          ordinal = mapper.nextOrdinal();
          if (events == null) {
            out.reject(ctx.rejection(RejectReason.MISSING_FIELD, mapper.error(), s, e, line, ord));
            if (ordinal == ord) ordinal++;
            continue;
          }
          for (EvidenceEvent ev : events) out.emit(ev);
        }
        return;
      } catch (JsonProcessingException ex) {
        int nl = Bytes.indexOfNewline(b, resume, end);
        int stop = nl < 0 ? end : nl;
        if (resume == start || nl < 0) stop = end; // a broken document: all of it
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "malformed JSON: " + ex.getOriginalMessage(), resume,
            stop, ordinal++));
        pos = stop + 1;
      } catch (IOException ex) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "unreadable JSON: " + ex.getMessage(), resume, end,
            ordinal++));
        return;
      }
    }
  }
}
