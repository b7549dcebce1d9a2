package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code aws_ecs_task_metadata}: Amazon ECS task metadata (endpoint v2/v3/v4 {@code /task} and per-container
 * documents) and {@code aws ecs describe-tasks} output, as saved by responders.
 *
 * <p>Path (hint only; there is no standard location): a {@code .json} file whose name starts with
 * {@code task-metadata}, {@code task_metadata}, {@code ecs-task}, {@code ecs_task}, {@code describe-tasks} or
 * {@code describe_tasks}. Content (STRONG): a JSON object with {@code TaskARN} and {@code Containers} or
 * {@code Cluster} (task metadata); with {@code DockerId}, {@code DockerName} and {@code Labels} or {@code Networks}
 * (container metadata); with {@code tasks} whose elements have {@code taskArn} (describe-tasks), or one such task
 * ({@code taskArn} + {@code clusterArn}); {@code aws ecs describe-task-definition} output ({@code taskDefinition}
 * with {@code taskDefinitionArn}: the task and execution roles); an EventBridge event of detail-type {@code ECS Task State Change} (its
 * {@code detail} is such a task; JSON lines of them as an archive or Firehose delivery writes them). Framing WHOLE (one document, usually pretty-printed); LINES for JSON lines
 * of such documents.
 */
public final class AwsEcsTaskMetadataRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "aws_ecs_task_metadata";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:task[-_]metadata|ecs[-_]task|describe[-_]tasks|ecs[-_]describe[-_]tasks"
          + "|describe[-_]task[-_]definition|ecs[-_]describe[-_]task[-_]definition)[^/]*\\.json");

  public AwsEcsTaskMetadataRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.Leading lead = JsonSniff.leadingObject(sample);
    if (lead.none() != null) {
      return lead.none();
    }
    JsonSniff.Obj o = lead.obj();
    int start = lead.start();
    byte[] b = sample.bytes();
    Framing framing = Framing.WHOLE;
    if (o.complete() && o.endOffset() > 0) {
      boolean oneLine = true;
      for (long i = start; i < start + o.endOffset() && i < b.length; i++) {
        if (b[(int) i] == '\n') {
          oneLine = false;
          break;
        }
      }
      if (oneLine) {
        for (long i = start + o.endOffset(); i < b.length; i++) {
          byte c = b[(int) i];
          if (c == '{') {
            framing = Framing.LINES;
            break;
          }
          if (!(c == ' ' || c == '\n' || c == '\r' || c == '\t')) break;
        }
      }
    }
    if (o.has("TaskARN") && (o.has("Containers") || o.has("Cluster"))) {
      return ContentMatch.strong(framing, "ECS task metadata (TaskARN, Containers)");
    }
    if (o.has("DockerId") && o.has("DockerName") && (o.has("Labels") || o.has("Networks"))) {
      return ContentMatch.strong(framing, "ECS container metadata (DockerId, DockerName)");
    }
    if ("ECS Task State Change".equals(o.get("detail-type")) && o.has("detail")) {
      return ContentMatch.strong(framing, "EventBridge ECS Task State Change event (detail = the task)");
    }
    String text = new String(b, start, b.length - start, StandardCharsets.UTF_8);
    if (o.has("tasks") && text.contains("\"taskArn\"")) {
      return ContentMatch.strong(framing, "aws ecs describe-tasks output");
    }
    if (o.has("taskDefinition") && text.contains("\"taskDefinitionArn\"")) {
      return ContentMatch.strong(framing, "aws ecs describe-task-definition output");
    }
    if (o.has("taskArn") && (o.has("clusterArn") || o.has("containers"))) {
      return ContentMatch.strong(framing, "an ECS task (describe-tasks element)");
    }
    if (!o.complete() && (text.contains("\"TaskARN\"") || text.contains("\"taskArn\""))) {
      return ContentMatch.weak(framing, "a JSON object longer than the sample naming an ECS task");
    }
    return ContentMatch.none("not ECS task metadata nor describe-tasks output");
  }
}
