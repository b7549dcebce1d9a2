package dev.strata.parse.formats.dockerjsonlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ImageRefs;
import dev.strata.parse.Json;
import java.io.IOException;

/**
 * The Kubernetes metadata a log shipper adds to each container log record it forwards, as Fluent Bit's
 * {@code kubernetes} filter (Amazon CloudWatch Container Insights' {@code /aws/containerinsights/<cluster>/application}
 * group, OpenSearch / Elasticsearch / S3 / Loki outputs) and Fluentd's {@code kubernetes_metadata} filter write it:
 * <pre>
 * "kubernetes": {"pod_name", "namespace_name", "pod_id", "host", "container_name", "docker_id",
 *                "container_hash", "container_image", "container_image_id" (Fluentd), "labels", "annotations", ...}
 * "docker": {"container_id"} (Fluentd)
 * </pre>
 * {@code docker_id} / {@code docker.container_id} is the container's id whatever the runtime (Fluent Bit takes it from
 * the log file name), {@code container_hash} / {@code container_image_id} the image the kubelet reports (a repo
 * digest {@code repo@sha256:...}, {@code docker-pullable://repo@sha256:...}, or an image id {@code sha256:...}).
 * Without this block a forwarded record names no pod: its file is the shipper's, not the kubelet's.
 */
record ShipperMetadata(
    String podName, String namespace, String podUid, String node, String containerName, String containerId,
    String imageName, String imageDigest, String imageId) {

  /** The metadata of a record's {@code kubernetes} / {@code docker} members (JSON texts, either may be null). */
  static ShipperMetadata of(String kubernetes, String docker) {
    JsonNode k = tree(kubernetes);
    JsonNode d = tree(docker);
    if (k == null && d == null) return null;
    if (k == null) k = Json.MAPPER.createObjectNode();
    String cid = text(k, "docker_id");
    if (cid == null && d != null) cid = text(d, "container_id");
    String digest = null;
    String imageId = null;
    for (String ref : new String[] {text(k, "container_hash"), text(k, "container_image_id")}) {
      if (ref == null) continue;
      String pinned = ImageRefs.pinnedDigest(ref);
      if (pinned != null && digest == null) digest = pinned;
      else if (ref.startsWith("sha256:") && imageId == null) imageId = ref;
    }
    ShipperMetadata m = new ShipperMetadata(text(k, "pod_name"), text(k, "namespace_name"), text(k, "pod_id"),
        text(k, "host"), text(k, "container_name"), cid, text(k, "container_image"), digest, imageId);
    return m.isEmpty() ? null : m;
  }

  boolean isEmpty() {
    return podName == null && namespace == null && podUid == null && containerId == null && containerName == null;
  }

  private static JsonNode tree(String json) {
    if (json == null || json.isEmpty() || json.charAt(0) != '{') return null;
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null; // cut at the raw-data bound or not JSON: the text stays in unmapped
    }
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isValueNode() || v.isNull()) return null;
    String s = v.asText();
    return s.isBlank() ? null : s;
  }
}
