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
    CreateTies ties = new CreateTies();
    return new DaemonLogReader.Interpreter() {
      @Override
      public EvidenceEvent event(DaemonLogLine line) {
        return DockerDaemonLogParser.event(ctx, line, ties);
      }

      @Override
      public void finish(EvidenceEvent event, DaemonLogLine line) {
        ties.finish(event); // the reader has set the line's time and message by now
      }
    };
  }

  private static EvidenceEvent event(ChunkContext ctx, DaemonLogLine line, CreateTies ties) {
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
      ties.current = call;
    } else {
      ev = line.newLogEvent(ctx);
      List<String> risks = createRequest(ev, line.msg());
      ties.risks = risks;
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
  private static List<String> createRequest(EvidenceEvent ev, String msg) {
    if (msg == null || !msg.startsWith(FORM_DATA)) return null;
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(msg.substring(FORM_DATA.length()));
    } catch (IOException | RuntimeException e) {
      return null; // dockerd's %q fallback or a cut line: the message stays as it is
    }
    JsonNode hostConfig = body == null ? null : body.get("HostConfig");
    String image = body == null ? null : Json.text(body, "Image");
    if (hostConfig == null || !hostConfig.isObject() || image == null) return null;
    ev.getUnmapped().put("dockerd.form.image", image);
    List<String> risks = DockerContainerConfigMapper.hostConfigHints(ev.getUnmapped(), hostConfig);
    if (ev.getContainer() == null) ev.setContainer(container(null, null, image));
    if (!risks.isEmpty()) ev.setMessage("container create request (" + String.join(", ", risks) + "): " + image);
    return risks;
  }

  /**
   * Which container a create request made. dockerd logs the request ({@code Calling POST /containers/create[?name=X]},
   * its body at debug level) but not the response that names the new container's id; a client that creates a
   * container then attaches to it, waits for it or starts it by that id ({@code docker run}: attach, wait, start;
   * {@code docker create} + {@code start}; compose; a plain {@code curl} on the socket: start). So the first POST
   * {@code /containers/<id>/(start|attach|wait)} of this log (chunk) that names an id it has not named before, within
   * {@link #MAX_DELAY_MICROS} of a create request still untied, is taken as that request's container: the call's
   * event gets unmapped {@code dockerd.created_by.event_id} (the create request's body event, else its Calling
   * event), {@code .time}, {@code .name} (the requested name), {@code .image}, {@code .risk} (the body's host config
   * risks) and {@code .confidence}: {@code next_call} when one create was waiting, {@code next_call_ambiguous} when
   * several were (concurrent clients, compose creating a project's containers: taken in order), and its message says
   * so. Other evidence that states both (docker events {@code create} with {@code name}, config.v2.json's Name) is in
   * other artifacts: the correlation job's to join (not done).
   */
  static final class CreateTies {
    static final long MAX_DELAY_MICROS = 60_000_000L;

    private static final class Pending {
      String eventId;
      long micros;
      String time;
      String name;
      String image;
      List<String> risks;
    }

    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();
    private final java.util.Set<String> named = new java.util.HashSet<>();

    /** The line being read: its API call, or its create request body's risks. */
    DockerApiCall current;
    List<String> risks;

    void finish(EvidenceEvent ev) {
      DockerApiCall c = current;
      List<String> r = risks;
      current = null;
      risks = null;
      if (c != null) call(ev, c);
      if (r != null) body(ev, r);
    }

    private void call(EvidenceEvent ev, DockerApiCall call) {
      long micros = dev.strata.parse.Timestamps.toMicros(ev.getTime());
      while (!pending.isEmpty() && micros - pending.peekFirst().micros > MAX_DELAY_MICROS) pending.removeFirst();
      if ("ContainerCreate".equals(call.operation())) {
        Pending p = new Pending();
        p.eventId = ev.getEventId();
        p.micros = micros;
        p.time = ev.getTime().toString();
        int q = call.url().indexOf('?');
        p.name = q < 0 ? null : DockerApiCall.param(call.url().substring(q + 1), "name");
        pending.addLast(p);
        return;
      }
      if (!"container".equals(call.resourceType()) || call.resourceId() == null
          || !HEX_ID.matcher(call.resourceId()).matches()) {
        return;
      }
      String id = call.resourceId();
      boolean first = named.add(id.length() > 12 ? id.substring(0, 12) : id);
      String op = call.operation();
      if (!first || pending.isEmpty() || !"POST".equals(call.method())
          || !(op.equals("ContainerStart") || op.equals("ContainerAttach") || op.equals("ContainerWait"))) {
        return;
      }
      boolean ambiguous = pending.size() > 1;
      Pending p = pending.removeFirst();
      java.util.Map<String, String> u = ev.getUnmapped();
      u.put("dockerd.created_by.event_id", p.eventId);
      u.put("dockerd.created_by.time", p.time);
      if (p.name != null) u.put("dockerd.created_by.name", p.name);
      if (p.image != null) u.put("dockerd.created_by.image", p.image);
      if (p.risks != null && !p.risks.isEmpty()) u.put("dockerd.created_by.risk", String.join(",", p.risks));
      u.put("dockerd.created_by.confidence", ambiguous ? "next_call_ambiguous" : "next_call");
      String what = p.risks == null ? "" : p.risks.isEmpty() ? " (no host config risk)"
          : " (" + String.join(", ", p.risks) + ")";
      ev.setMessage(line(ev) + " -- the container the create request of " + p.time + " made" + what
          + (p.image == null ? "" : ": " + p.image) + (ambiguous ? "; inferred among several pending creates" : ""));
    }

    /** A create request's body: the newest untied create is its call. */
    private void body(EvidenceEvent ev, List<String> risks) {
      Pending p = pending.peekLast();
      if (p == null || p.risks != null) return;
      p.eventId = ev.getEventId();
      p.risks = risks;
      p.image = ev.getUnmapped().get("dockerd.form.image");
    }

    private static String line(EvidenceEvent ev) {
      return ev.getMessage() != null ? ev.getMessage()
          : ev.getHttpRequest().getMethod() + " " + ev.getHttpRequest().getUrl();
    }
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
