package dev.strata.parse.formats.dockerinspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonTreeMultiMapper;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.dockercontainerconfig.DockerContainerConfigMapper;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One element of {@code docker inspect} output.
 *
 * <pre>
 * container (Id + Config or State): the events of a container state file ({@link DockerContainerConfigMapper}: created
 *   / started / finished at Created, State.StartedAt, State.FinishedAt, OCSF 0 Base Event, 99 Other; container uid,
 *   name, image; process from Path + Args; kubernetes from the io.kubernetes.* labels; src_endpoint = the
 *   container's address; env names only), plus on every event: the inline HostConfig's settings as hostconfig.* and
 *   its risk hints as strata.risk (privileged, host_pid, host_network, host_ipc, docker_sock_bind — also when the
 *   docker socket is among the Mounts), the Mounts array as mounts.&lt;dest&gt;.source / .rw / .type,
 *   state.status, network.&lt;name&gt;.mac; unmapped inspect.kind = container.
 * image (Id + RepoTags / RepoDigests / RootFS, no State): one OCSF 5001 Device Inventory Info event (activity 1 Log)
 *   at Created: container.image_uid = Id, image_name = RepoTags[0] (else the repository of RepoDigests[0]),
 *   image_digest = the digest of RepoDigests[0]; unmapped image.repo_tags, image.repo_digests (comma-joined),
 *   image.architecture, image.os, image.size, image.author, image.docker_version, image.parent, image.comment,
 *   image.layers (RootFS.Layers count), image.config.cmd / entrypoint / user / working_dir / env_names (names only),
 *   image.labels.&lt;key&gt;; inspect.kind = image.
 * anything else: missing_field.
 * </pre>
 */
final class DockerInspectMapper extends JsonTreeMultiMapper {

  private static final int MAX = 64 * 1024;
  private final ChunkContext ctx;
  private ObjectNode node;

  DockerInspectMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  protected List<EvidenceEvent> mapAll(ObjectNode record, RecordSpan span) throws RecordException {
    node = record;
    if (isImage(node)) {
      return List.of(image(span)); // images have Id and Config too, but no State
    }
    if (DockerContainerConfigMapper.isConfig(node)) {
      List<EvidenceEvent> events =
          new DockerContainerConfigMapper(ctx, span.start(), span.end(), span.line(), span.ordinal()).config(node);
      JsonNode host = node.path("HostConfig");
      for (EvidenceEvent e : events) {
        Map<String, String> u = e.getUnmapped();
        u.put("inspect.kind", "container");
        List<String> risks = host.isObject() ? DockerContainerConfigMapper.hostConfigHints(u, host) : new ArrayList<>();
        if (!risks.contains("docker_sock_bind") && mountsDockerSock(node.path("Mounts"))) {
          risks.add("docker_sock_bind");
          u.put("strata.risk", String.join(",", risks));
        }
        if (!risks.isEmpty()) e.setMessage(e.getMessage() + " (" + String.join(", ", risks) + ")");
      }
      return events;
    }
    throw new RecordException(RejectReason.MISSING_FIELD,
        "neither a container (Id with Config/State) nor an image (Id with RepoTags/RepoDigests/RootFS)");
  }

  static boolean isImage(JsonNode n) {
    String id = Json.text(n, "Id");
    return id != null && !id.isEmpty() && !n.has("State")
        && (n.has("RepoTags") || n.has("RepoDigests") || n.has("RootFS"));
  }

  private static boolean mountsDockerSock(JsonNode mounts) {
    if (!mounts.isArray()) return false;
    for (JsonNode m : mounts) {
      String s = Json.text(m, "Source");
      if (s != null && s.toLowerCase(Locale.ROOT).contains("docker.sock")) return true;
    }
    return false;
  }

  private EvidenceEvent image(RecordSpan span) {
    EvidenceEvent e = ctx.newEvent(OcsfClass.DEVICE_INVENTORY_INFO, 1, "Log", span.start(), span.end(), span.line(),
        span.ordinal(), 0, new HashMap<>(32));
    Map<String, String> u = e.getUnmapped();
    u.put("inspect.kind", "image");
    String id = Json.text(node, "Id");
    List<String> tags = strings(node.get("RepoTags"));
    List<String> digests = strings(node.get("RepoDigests"));
    String name = tags.isEmpty() ? null : tags.get(0);
    String digest = null;
    if (!digests.isEmpty()) {
      String d = digests.get(0);
      int at = d.indexOf('@');
      digest = at >= 0 ? d.substring(at + 1) : d;
      if (name == null && at > 0) name = d.substring(0, at);
    }
    Container c = new Container();
    c.setImageUid(id);
    c.setImageName(name);
    c.setImageDigest(digest);
    c.setRuntime("docker");
    e.setContainer(c);
    String created = Json.text(node, "Created");
    ctx.applyTime(e, created != null && !created.startsWith("0001-01-01") ? created : null, "Created");
    if (!tags.isEmpty()) u.put("image.repo_tags", cut(String.join(",", tags)));
    if (!digests.isEmpty()) u.put("image.repo_digests", cut(String.join(",", digests)));
    put(u, "image.architecture", Json.text(node, "Architecture"));
    put(u, "image.variant", Json.text(node, "Variant"));
    put(u, "image.os", Json.text(node, "Os"));
    put(u, "image.size", Json.text(node, "Size"));
    put(u, "image.author", Json.text(node, "Author"));
    put(u, "image.docker_version", Json.text(node, "DockerVersion"));
    put(u, "image.parent", Json.text(node, "Parent"));
    put(u, "image.comment", Json.text(node, "Comment"));
    put(u, "image.metadata.last_tag_time", Json.text(node.path("Metadata"), "LastTagTime"));
    JsonNode layers = node.path("RootFS").path("Layers");
    if (layers.isArray()) u.put("image.layers", String.valueOf(layers.size()));
    JsonNode cfg = node.path("Config");
    put(u, "image.config.cmd", joined(cfg.get("Cmd")));
    put(u, "image.config.entrypoint", joined(cfg.get("Entrypoint")));
    put(u, "image.config.user", Json.text(cfg, "User"));
    put(u, "image.config.working_dir", Json.text(cfg, "WorkingDir"));
    JsonNode env = cfg.get("Env");
    if (env != null && env.isArray()) {
      List<String> names = new ArrayList<>();
      for (JsonNode v : env) {
        String s = v.asText();
        int eq = s.indexOf('=');
        names.add(eq >= 0 ? s.substring(0, eq) : s);
      }
      if (!names.isEmpty()) u.put("image.config.env_names", cut(String.join(",", names)));
    }
    JsonNode labels = cfg.path("Labels");
    if (labels.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
        var l = it.next();
        put(u, "image.labels." + l.getKey(), Json.text(l.getValue()));
      }
    }
    e.setSeverityId(1);
    e.setSeverity("Informational");
    e.setMessage("image " + (name != null ? name : id) + (digest != null ? " (" + digest + ")" : ""));
    return e;
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr != null && arr.isArray()) {
      for (JsonNode v : arr) {
        if (v.isTextual() && !v.asText().isEmpty() && !v.asText().equals("<none>:<none>")
            && !v.asText().equals("<none>@<none>")) {
          out.add(v.asText());
        }
      }
    }
    return out;
  }

  private static String joined(JsonNode n) {
    if (n == null || n.isNull()) return null;
    if (n.isArray()) {
      List<String> parts = new ArrayList<>();
      for (JsonNode v : n) parts.add(v.asText());
      return parts.isEmpty() ? null : String.join(" ", parts);
    }
    return Json.text(n);
  }

  private static void put(Map<String, String> u, String k, String v) {
    if (v != null && !v.isEmpty()) u.put(k, cut(v));
  }

  private static String cut(String s) {
    return s.length() > MAX ? s.substring(0, MAX) : s;
  }
}
