package dev.strata.parse.formats.dockerdaemonlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.daemonlog.DaemonLogLine;
import dev.strata.parse.daemonlog.DaemonLogParser;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.parse.formats.dockercontainerconfig.DockerContainerConfigMapper;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Docker daemon's own log (dockerd), one line per record, in the envelopes {@link DaemonLogReader} reads:
 * journald JSON export ({@code journalctl -u docker -o json}; entries of units / identifiers / commands not
 * {@code docker*} skipped, counted), syslog text ({@code /var/log/syslog}, {@code messages}, {@code daemon.log},
 * {@code journalctl} short output; lines of programs other than {@code docker*} skipped, counted), and plain dockerd
 * output (logfmt, logrus JSON and text, Docker Desktop's {@code <RFC 3339> dockerd <body>}). Body pairs go to
 * unmapped {@code dockerd.<key>}; {@code container=<id>} -> container.uid.
 *
 * <p>Events: a debug line {@code Calling <METHOD> /v1.xx/<route>} is an OCSF 6003 API Activity (api.service
 * "dockerd", api.operation the Engine API operation, api.version, http_request method + url, resources[] and
 * container uid / image name from the route, see {@link DockerApiCall}); every other line is an OCSF 0 Base Event
 * with the log object and the message; the {@code form data: {...}} line after a container create call (its request
 * body) also carries the requested host config (unmapped hostconfig.*, strata.risk) and image, see
 * {@link #createRequest}. Lines that fit none of the shapes: malformed_record. A line the collector cut:
 * record_too_large.
 */
public final class DockerDaemonLogParser extends DaemonLogParser {

  public static final String FORMAT = "docker_daemon_log";

  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");
  private static final String FORM_DATA = "form data: ";

  public DockerDaemonLogParser() {
    super(FORMAT, new DaemonLogReader("dockerd", DockerDaemonLogParser::isDocker, "dockerd."));
  }

  @Override
  protected DaemonLogReader.Interpreter interpreter(ChunkContext ctx) {
    return line -> event(ctx, line);
  }

  private static EvidenceEvent event(ChunkContext ctx, DaemonLogLine line) {
    DockerApiCall call = DockerApiCall.parse(line.msg());
    EvidenceEvent ev;
    if (call != null) {
      ev = line.newEvent(ctx, OcsfClass.API_ACTIVITY, call.activityId(),
          call.activityId() == OcsfClass.ACTIVITY_OTHER ? call.operation()
              : OcsfClass.apiActivityName(call.activityId()));
      ev.setApi(new Api("dockerd", call.operation(), call.version(), null, null, null, null));
      ev.setHttpRequest(new HttpRequest(call.method(), call.url(), null));
      if (call.resourceType() != null) {
        ev.getResources().add(new Resource(call.resourceType(), call.resourceId(),
            call.resourceId() != null && HEX_ID.matcher(call.resourceId()).matches() ? call.resourceId() : null,
            null, null, null));
      }
      if ("container".equals(call.resourceType()) && call.resourceId() != null) {
        boolean hex = HEX_ID.matcher(call.resourceId()).matches();
        ev.setContainer(container(hex ? call.resourceId() : null, hex ? null : call.resourceId(), null));
      } else if (call.imageName() != null) {
        ev.setContainer(container(null, null, call.imageName()));
      }
      if ("exec".equals(call.resourceType()) && call.resourceId() != null) {
        ev.getUnmapped().put("exec.id", call.resourceId());
      }
    } else {
      ev = line.newLogEvent(ctx);
      createRequest(ev, line.msg());
    }
    String cid = line.field("container");
    if (cid == null) cid = line.field("container_id");
    if (cid != null && HEX_ID.matcher(cid).matches() && ev.getContainer() == null) {
      ev.setContainer(container(cid, null, null));
    }
    return ev;
  }

  /**
   * dockerd at debug level logs a POST request's JSON body (at most 4 KiB, password / secret / jointoken keys masked)
   * right after its {@code Calling} line: {@code form data: {...}} (moby api/server/middleware/debug.go). A container
   * create body ({@code Image} + {@code HostConfig}) says how the container will run, which neither the create call's
   * route nor its events tell: its host config's settings and risk hints go to the event as the container's
   * hostconfig.json does (unmapped hostconfig.*, strata.risk: privileged, host_pid, host_root_bind, ...), the image to
   * container.image_name. The container's id is not known yet (the response names it): the line is the host's.
   */
  private static void createRequest(EvidenceEvent ev, String msg) {
    if (msg == null || !msg.startsWith(FORM_DATA)) return;
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(msg.substring(FORM_DATA.length()));
    } catch (IOException | RuntimeException e) {
      return; // dockerd's %q fallback or a cut line: the message stays as it is
    }
    JsonNode hostConfig = body == null ? null : body.get("HostConfig");
    String image = body == null ? null : Json.text(body, "Image");
    if (hostConfig == null || !hostConfig.isObject() || image == null) return;
    ev.getUnmapped().put("dockerd.form.image", image);
    List<String> risks = DockerContainerConfigMapper.hostConfigHints(ev.getUnmapped(), hostConfig);
    if (ev.getContainer() == null) ev.setContainer(container(null, null, image));
    if (!risks.isEmpty()) ev.setMessage("container create request (" + String.join(", ", risks) + "): " + image);
  }

  static boolean isDocker(String s) {
    return s != null && (s.startsWith("docker") || s.startsWith("com.docker."));
  }

  static Container container(String uid, String name, String image) {
    Container c = new Container();
    c.setUid(uid);
    c.setName(name);
    c.setImageName(image);
    c.setRuntime("docker");
    return c;
  }
}
