package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code docker_container_config}: Docker's per-container state files, one format for both kinds (the parser tells
 * them apart by content): {@code config.v2.json} (legacy {@code config.json} of Docker &lt; 1.10) and the sibling
 * {@code hostconfig.json}. Each file is its own artifact, framing WHOLE (one JSON object, possibly pretty-printed).
 *
 * <p>Path: {@code **}{@code /containers/<64 hex id>/(config.v2.json|config.json|hostconfig.json)}. Content: a JSON
 * object with {@code ID} (64 hex), {@code Config} and {@code State} (container config: STRONG), or with at least
 * three of the hostconfig keys {@code Binds}, {@code NetworkMode}, {@code Privileged}, {@code CapAdd},
 * {@code CapDrop}, {@code PidMode}, {@code IpcMode}, {@code PortBindings}, {@code RestartPolicy}, {@code LogConfig}
 * (STRONG when {@code Binds}, {@code NetworkMode} and {@code Privileged} are all there, else WEAK: path needed). An
 * object cut by the end of the sample that has not contradicted either shape is WEAK.
 */
public final class DockerContainerConfigRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_container_config";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)containers/[0-9a-f]{64}/(?:config\\.v2\\.json|config\\.json|hostconfig\\.json)");
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final Set<String> HOST_KEYS =
      Set.of("Binds", "NetworkMode", "Privileged", "CapAdd", "CapDrop", "PidMode", "IpcMode", "PortBindings",
          "RestartPolicy", "LogConfig");

  public DockerContainerConfigRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.Leading lead = JsonSniff.leadingObject(sample);
    if (lead.none() != null) {
      return lead.none();
    }
    JsonSniff.Obj o = lead.obj();
    String id = o.get("ID");
    boolean config = id != null && ID.matcher(id).matches() && o.has("Config") && o.has("State");
    if (config) {
      return ContentMatch.strong(Framing.WHOLE, "a Docker container config (ID, Config, State)");
    }
    int hostKeys = 0;
    for (String k : o.fields().keySet()) {
      if (HOST_KEYS.contains(k)) hostKeys++;
    }
    if (o.has("Binds") && o.has("NetworkMode") && o.has("Privileged")) {
      return ContentMatch.strong(Framing.WHOLE, "a Docker hostconfig (Binds, NetworkMode, Privileged)");
    }
    if (hostKeys >= 3) {
      return ContentMatch.weak(Framing.WHOLE, "an object with Docker hostconfig keys");
    }
    if (!o.complete() && (id == null || ID.matcher(id).matches())) {
      return ContentMatch.weak(Framing.WHOLE, "a JSON object longer than the sample, consistent with a container config");
    }
    return ContentMatch.none("not a Docker container config (ID, Config, State) nor a hostconfig");
  }
}
