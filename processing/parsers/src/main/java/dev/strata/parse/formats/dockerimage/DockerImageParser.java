package dev.strata.parse.formats.dockerimage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.WholeJsonDocument;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Process;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's image store, as docker-explorer and Docker's {@code image/} and {@code distribution/} packages define it,
 * to OCSF 0 Base Events (activity 99, activity_name below). Each file is one artifact and one JSON document.
 *
 * <pre>
 * image/&lt;driver&gt;/imagedb/content/sha256/&lt;id&gt;   the image config (OCI image config / Docker image JSON):
 *   image_created        time = created; container.image_uid = sha256:&lt;id&gt; (the file's own SHA-256, from its
 *                        path, else the artifact hash); process.cmd_line = config Entrypoint + Cmd, process.user =
 *                        config.User; unmapped image.architecture, .os, .variant, .author, .docker_version,
 *                        .layers (rootfs.diff_ids), .history_count, config.env_names (names only: values are
 *                        secrets), config.exposed_ports, config.working_dir, config.labels.&lt;k&gt;
 *   image_layer_built    one per history[] entry: time = created, process.cmd_line = created_by (the build step, as
 *                        written), unmapped image.history_index, .empty_layer, .comment, .author
 * image/&lt;driver&gt;/repositories.json   {"Repositories": {repo: {ref: image id}}}:
 *   image_tagged         one per ref: container.image_name = the ref, image_uid = the image id, image_digest = the
 *                        digest of a repo@sha256: ref; time = observed time (the file has none; warned)
 * graph/&lt;id&gt;/json (Docker &lt; 1.10)   a layer's JSON:
 *   image_layer_built    time = created, process.cmd_line = container_config.Cmd, container.image_uid = id (else the
 *                        path's), unmapped image.parent, image.build_container, image.docker_version
 * </pre>
 *
 * A build step or a tag is how an image's contents came to be: a {@code RUN curl ... | sh} in a pulled image's
 * history, or a tag moved to another image id, is evidence a responder reads next to the containers that ran it.
 */
public final class DockerImageParser extends JsonFormatParser {

  public static final String FORMAT = "docker_image_config";

  private static final Pattern PATH_ID =
      Pattern.compile("(?:^|/)(?:imagedb/content/sha256/|blobs/sha256/|graph/)([0-9a-f]{64})(?:/json)?$");

  public DockerImageParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    WholeJsonDocument doc = WholeJsonDocument.read(ctx, out, "image metadata file");
    JsonNode root = doc.root;
    if (root == null) return;
    Mapper m = new Mapper(ctx, doc.start, doc.end);
    List<EvidenceEvent> events;
    if (root.path("Repositories").isObject()) {
      events = m.repositories(root.get("Repositories"));
    } else if (root.path("rootfs").isObject() || root.path("history").isArray()) {
      events = m.imageConfig(root);
    } else if (root.has("container_config") || root.has("docker_version")) {
      events = m.legacyLayer(root);
    } else {
      out.reject(ctx.rejection(RejectReason.MISSING_FIELD,
          "neither an image config (rootfs / history), a repositories.json (Repositories) nor a graph layer json",
          doc.start, doc.end, 0));
      return;
    }
    for (EvidenceEvent e : events) out.emit(e);
  }

  private static final class Mapper {
    private final ChunkContext ctx;
    private final int start;
    private final int end;
    private final String pathId;

    Mapper(ChunkContext ctx, int start, int end) {
      this.ctx = ctx;
      this.start = start;
      this.end = end;
      Matcher m = ctx.origin() == null ? null : PATH_ID.matcher(ctx.origin());
      this.pathId = m != null && m.find() ? m.group(1) : null;
    }

    private EvidenceEvent event(String activity, int sub) {
      EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, 99, activity, start, end, ctx.lineAt(start), 0, sub);
      e.setSeverityId(1);
      e.setSeverity("Informational");
      return e;
    }

    List<EvidenceEvent> imageConfig(JsonNode root) {
      String id = "sha256:" + (pathId != null ? pathId : ctx.chunk().getArtifactSha256());
      List<EvidenceEvent> out = new ArrayList<>();
      EvidenceEvent created = event("image_created", 0);
      ctx.applyTime(created, text(root, "created"), "created");
      created.setContainer(new Container(null, null, null, id, null, null));
      JsonNode config = root.path("config");
      String cmd = join(config.path("Entrypoint"), config.path("Cmd"));
      String user = text(config, "User");
      if (cmd != null || user != null) {
        created.setProcess(new Process(null, null, cmd, null, user, null, null, null, null, null, null));
      }
      Map<String, String> u = created.getUnmapped();
      put(u, "image.architecture", text(root, "architecture"));
      put(u, "image.os", text(root, "os"));
      put(u, "image.variant", text(root, "variant"));
      put(u, "image.author", text(root, "author"));
      put(u, "image.docker_version", text(root, "docker_version"));
      if (root.path("rootfs").path("diff_ids").isArray()) {
        u.put("image.layers", Integer.toString(root.path("rootfs").path("diff_ids").size()));
      }
      if (root.path("history").isArray()) u.put("image.history_count", Integer.toString(root.path("history").size()));
      envNames(config.path("Env"), u);
      if (config.path("ExposedPorts").isObject()) {
        u.put("config.exposed_ports", String.join(",", names(config.path("ExposedPorts"))));
      }
      put(u, "config.working_dir", text(config, "WorkingDir"));
      labels(config.path("Labels"), u);
      String message = "image " + id + " created" + (cmd == null ? "" : ", runs: " + Events.excerpt(cmd, 200));
      created.setMessage(message);
      created.setRawData(ctx.rawText(start, end));
      out.add(created);
      int i = 0;
      for (JsonNode h : root.path("history")) {
        EvidenceEvent step = event("image_layer_built", out.size());
        ctx.applyTime(step, text(h, "created"), "history[" + i + "].created");
        step.setContainer(new Container(null, null, null, id, null, null));
        String by = text(h, "created_by");
        if (by != null) step.setProcess(new Process(null, null, by, null, null, null, null, null, null, null, null));
        Map<String, String> su = step.getUnmapped();
        su.put("image.history_index", Integer.toString(i));
        if (h.path("empty_layer").asBoolean(false)) su.put("image.empty_layer", "true");
        put(su, "image.comment", text(h, "comment"));
        put(su, "image.author", text(h, "author"));
        step.setMessage("image " + id + " build step " + i + (by == null ? "" : ": " + Events.excerpt(by, 300)));
        out.add(step);
        i++;
      }
      return out;
    }

    List<EvidenceEvent> repositories(JsonNode repos) {
      List<EvidenceEvent> out = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = repos.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> repo = it.next();
        for (Iterator<Map.Entry<String, JsonNode>> refs = repo.getValue().fields(); refs.hasNext(); ) {
          Map.Entry<String, JsonNode> ref = refs.next();
          String id = ref.getValue().asText(null);
          if (id == null) continue;
          EvidenceEvent e = event("image_tagged", out.size());
          String name = ref.getKey();
          int at = name.indexOf("@sha256:");
          String digest = at > 0 ? name.substring(at + 1) : null;
          e.setContainer(new Container(null, null, name, id, null, digest));
          Events.warn(e, "repositories.json has no times; time = observed_time");
          e.getUnmapped().put("image.repository", repo.getKey());
          e.setMessage("image " + id + " is " + name);
          out.add(e);
        }
      }
      return out;
    }

    List<EvidenceEvent> legacyLayer(JsonNode root) {
      String id = text(root, "id") != null ? text(root, "id") : pathId;
      EvidenceEvent e = event("image_layer_built", 0);
      ctx.applyTime(e, text(root, "created"), "created");
      e.setContainer(new Container(null, null, null, id, null, null));
      JsonNode cc = root.path("container_config");
      String cmd = join(cc.path("Entrypoint"), cc.path("Cmd"));
      if (cmd != null) e.setProcess(new Process(null, null, cmd, null, text(cc, "User"), null, null, null, null, null, null));
      Map<String, String> u = e.getUnmapped();
      put(u, "image.parent", text(root, "parent") != null ? text(root, "parent") : text(root, "parent_id"));
      put(u, "image.layer_id", text(root, "layer_id"));
      put(u, "image.build_container", text(root, "container"));
      put(u, "image.docker_version", text(root, "docker_version"));
      put(u, "image.architecture", text(root, "architecture"));
      put(u, "image.os", text(root, "os"));
      e.setMessage("image layer " + (id == null ? "?" : id) + " built" + (cmd == null ? "" : ": "
          + Events.excerpt(cmd, 300)));
      e.setRawData(ctx.rawText(start, end));
      return List.of(e);
    }

    private static void envNames(JsonNode env, Map<String, String> u) {
      if (!env.isArray() || env.size() == 0) return;
      List<String> names = new ArrayList<>();
      for (JsonNode v : env) {
        String s = v.asText("");
        int eq = s.indexOf('=');
        names.add(eq < 0 ? s : s.substring(0, eq));
      }
      u.put("config.env_names", String.join(",", names));
    }

    private static void labels(JsonNode labels, Map<String, String> u) {
      if (!labels.isObject()) return;
      for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> l = it.next();
        u.put("config.labels." + l.getKey(), l.getValue().asText(""));
      }
    }

    private static List<String> names(JsonNode obj) {
      List<String> n = new ArrayList<>();
      obj.fieldNames().forEachRemaining(n::add);
      return n;
    }

    /** Entrypoint and Cmd (arrays or strings) as one command line, or null. */
    private static String join(JsonNode entrypoint, JsonNode cmd) {
      StringBuilder b = new StringBuilder();
      for (JsonNode part : new JsonNode[] {entrypoint, cmd}) {
        if (part.isArray()) {
          for (JsonNode a : part) {
            if (b.length() > 0) b.append(' ');
            b.append(a.asText(""));
          }
        } else if (part.isTextual() && !part.asText().isEmpty()) {
          if (b.length() > 0) b.append(' ');
          b.append(part.asText());
        }
      }
      return b.length() == 0 ? null : b.toString();
    }

    private static String text(JsonNode n, String f) {
      JsonNode v = n.get(f);
      return v == null || v.isNull() || v.isContainerNode() || v.asText().isEmpty() ? null : v.asText();
    }

    private static void put(Map<String, String> u, String k, String v) {
      if (v != null) u.put(k, v);
    }
  }
}
