package dev.strata.parse.formats.podmancontainersjson;

import static dev.strata.parse.Values.blank;
import static dev.strata.parse.Values.cut;
import static dev.strata.parse.Values.put;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordsParser;
import dev.strata.parse.JsonTreeMapper;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Values;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * containers/storage's container registry, {@code <driver>-containers/containers.json} (and
 * {@code volatile-containers.json}) as Podman, Buildah and CRI-O leave it: a JSON array of
 * {@code {id, names, image, layer, metadata, big-data-names, created, flags{MountLabel, ProcessLabel}, uidmap,
 * gidmap}}. One OCSF 0 Base Event per container, activity 99 Other, activity_name "inventory": it binds the
 * container id to its names, image id and writable layer id (the layer the overlay upper dir belongs to).
 *
 * <pre>
 * id                 -> container.uid (an element without id: missing_field)
 * names[0]           -> container.name; all names -> unmapped names
 * image              -> container.image_uid as {@code sha256:<id>} (containers/storage keeps the bare hex of the
 *                    image's config digest; Docker, the OCI image spec, Trivy, syft and grype write it with its
 *                    algorithm: without it the container's image never met its scan or SBOM); metadata image-name
 *                    -> container.image_name
 * layer              -> unmapped layer (+ resource {type "layer", uid})
 * created            -> time (RFC 3339 nanos kept in time_original); absent: observed time, warned
 * metadata           (a JSON text: Podman {image-name, image-id, name, created-at, mountlabel}; CRI-O adds
 *                    pod-name, pod-id) -> unmapped metadata.&lt;key&gt;; pod-name -> kubernetes.pod_name
 * flags              -> unmapped flags.&lt;key&gt; (SELinux MountLabel / ProcessLabel)
 * big-data-names, uidmap, gidmap, anything else -> unmapped (flattened)
 * an image store's element ({@code <driver>-images/images.json}, the same shape without {@code image}, with a
 *                    manifest {@code digest}): activity_name "image inventory", no container id, image id / digest /
 *                    first name in container.image_*
 * runtime            "cri-o" when the metadata names a pod, else "podman"
 * </pre>
 */
public final class PodmanContainersJsonParser extends JsonRecordsParser {

  public static final String FORMAT = "podman_containers_json";
  private static final int MAX = Values.MAX_CHARS;

  public PodmanContainersJsonParser() {
    super(FORMAT, Set.of(), Mapper::new);
  }

  /** containers/storage's bare 64-hex image id as the {@code sha256:} digest it is; anything else as written. */
  static String imageId(String id) {
    if (id == null || id.length() != 64) return id;
    for (int i = 0; i < 64; i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return id;
    }
    return "sha256:" + id;
  }

  /**
   * An element of the image store's registry ({@code <driver>-images/images.json}: {@code id} (config digest, bare
   * hex), {@code digest} / {@code digests} (manifest digests), {@code names}, {@code names-history}, {@code layer} (top
   * layer), {@code big-data-*}, {@code created}), which shares the container registry's shape: it has no {@code
   * image} but a manifest digest or a names history. Read as a container it was a container whose id was the image's.
   */
  static boolean isImage(JsonNode r) {
    return !r.has("image") && (r.has("digest") || r.has("digests") || r.has("names-history"));
  }

  private static final class Mapper extends JsonTreeMapper {
    private final ChunkContext ctx;

    Mapper(ChunkContext ctx) {
      this.ctx = ctx;
    }

    /**
     * An image of the store: OCSF 0 Base Event, activity_name "image inventory", no container; container.image_uid =
     * {@code sha256:<id>}, image_digest = its manifest digest, image_name = its first name; a resource of type image.
     */
    private EvidenceEvent image(ObjectNode r, RecordSpan span) throws RecordException {
      String id = imageId(blank(Json.text(r, "id")));
      if (id == null || !r.path("id").isTextual()) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not a containers/storage image: no id");
      }
      EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, "image inventory", span.start(),
          span.end(), span.line(), span.ordinal(), 0, new HashMap<>(24));
      Map<String, String> u = e.getUnmapped();
      List<String> names = new ArrayList<>();
      for (JsonNode n : r.path("names")) {
        if (n.isTextual()) names.add(n.asText());
      }
      String digest = blank(Json.text(r, "digest"));
      if (digest == null && r.path("digests").isArray() && r.path("digests").size() > 0) {
        digest = blank(Json.text(r.path("digests").get(0)));
      }
      String name = names.isEmpty() ? null : names.get(0);
      e.setContainer(new Container(null, null, name, id, "podman", digest));
      e.getResources().add(new Resource("image", name, id, null, null, null));
      ctx.applyTime(e, Json.text(r, "created"), "created");
      if (!names.isEmpty()) u.put("names", cut(String.join(",", names)));
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        var f = it.next();
        switch (f.getKey()) {
          case "id", "names", "created" -> {}
          default -> {
            Map<String, String> flat = new HashMap<>();
            Json.flatten(flat, f.getKey(), f.getValue(), MAX);
            u.putAll(flat);
          }
        }
      }
      String layer = blank(Json.text(r, "layer"));
      e.setMessage("image " + (name != null ? name : id) + " in containers/storage: id " + id.substring(0,
          Math.min(id.length(), 19)) + (digest == null ? "" : ", digest " + digest) + (layer == null ? ""
          : ", top layer " + (layer.length() > 12 ? layer.substring(0, 12) : layer)));
      e.setRawData(ctx.rawText(span.start(), span.end()));
      return e;
    }

    @Override
    protected EvidenceEvent map(ObjectNode r, RecordSpan span) throws RecordException {
      if (isImage(r)) return image(r, span);
      String id = Json.text(r, "id");
      if (id == null || id.isEmpty() || !r.path("id").isTextual()) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not a containers/storage container: no id");
      }
      EvidenceEvent e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, "inventory", span.start(),
          span.end(), span.line(), span.ordinal(), 0, new HashMap<>(24));
      Map<String, String> u = e.getUnmapped();
      List<String> names = new ArrayList<>();
      for (JsonNode n : r.path("names")) {
        if (n.isTextual()) names.add(n.asText());
      }
      String image = imageId(blank(Json.text(r, "image")));
      String layer = blank(Json.text(r, "layer"));
      Map<String, String> meta = new HashMap<>();
      String metaText = Json.text(r, "metadata");
      if (metaText != null && !metaText.isEmpty()) {
        try {
          JsonNode m = Json.MAPPER.readTree(metaText);
          if (m != null && m.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
              var f = it.next();
              String v = Json.text(f.getValue());
              if (v != null) meta.put(f.getKey(), cut(v));
            }
          } else {
            u.put("metadata", cut(metaText));
          }
        } catch (Exception bad) {
          u.put("metadata", cut(metaText));
          Events.warn(e, "metadata is not a JSON object; kept as text");
        }
      }
      String podName = blank(meta.get("pod-name"));
      String name = !names.isEmpty() ? names.get(0) : blank(meta.get("name"));
      e.setContainer(new Container(id, name, blank(meta.get("image-name")), image,
          podName != null || meta.containsKey("pod-id") ? "cri-o" : "podman", null));
      if (podName != null) {
        Kubernetes k = e.getKubernetes();
        if (k == null) {
          k = new Kubernetes();
          e.setKubernetes(k);
        }
        k.setPodName(podName);
      }
      if (layer != null) e.getResources().add(new Resource("layer", null, layer, null, null, null));
      if (image != null) e.getResources().add(new Resource("image", blank(meta.get("image-name")), image, null, null,
          null));
      String created = Json.text(r, "created");
      ctx.applyTime(e, created, "created");
      meta.forEach((k, v) -> u.put("metadata." + k, v));
      if (!names.isEmpty()) u.put("names", cut(String.join(",", names)));
      put(u, "layer", layer);
      put(u, "image", image);
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        var f = it.next();
        switch (f.getKey()) {
          case "id", "names", "image", "layer", "metadata", "created" -> {}
          default -> {
            Map<String, String> flat = new HashMap<>();
            Json.flatten(flat, f.getKey(), f.getValue(), MAX);
            u.putAll(flat);
          }
        }
      }
      e.setMessage("container " + (name != null ? name : id.length() > 12 ? id.substring(0, 12) : id)
          + " in containers/storage: image " + (image == null ? "?" : image.length() > 12 ? image.substring(0, 12)
          : image) + ", layer " + (layer == null ? "?" : layer.length() > 12 ? layer.substring(0, 12) : layer));
      e.setRawData(ctx.rawText(span.start(), span.end()));
      return e;
    }
  }
}
