package dev.strata.parse.formats.dockerevents;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.AttributeList;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.ImageRefs;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordMapper;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Docker {@code EventMessage} ({@code Type}, {@code Action}, {@code Actor{ID, Attributes}}, {@code scope},
 * {@code time}, {@code timeNano}; the deprecated {@code status}, {@code id}, {@code from} of API &lt; 1.22 and of
 * old daemons that sent only them, where Type is container) to an event:
 *
 * <pre>
 * container exec_create / exec_start -> OCSF 1007 Process Activity, 1 Launch: process.cmd_line = the Action text after
 *                                      "exec_start: " (exec_create: ...), unmapped exec.id = Attributes.execID
 * container exec_die                 -> 1007, 2 Terminate: status_code = Attributes.exitCode
 * everything else                    -> OCSF 0 Base Event, 99 Other, activity_name = the action (text before ':'):
 *                                      create, start, die (status_code = exitCode, Success/Failure), kill
 *                                      (unmapped attributes.signal), attach, oom (severity 3), health_status
 *                                      (status_detail = healthy/unhealthy/starting), pull, push, tag, connect, mount,
 *                                      reload, ...
 * every event: message "&lt;Type&gt; &lt;name or short id&gt; &lt;Action&gt;"; resources[0] = {type: Type, uid: Actor.ID,
 *   name: Attributes.name}; container: Type container -> uid = Actor.ID, name, image_name = Attributes.image (or
 *   from); Type image -> image_name = Actor.ID (image_uid when it is sha256:...); network / volume events with a
 *   container attribute -> container.uid; io.kubernetes.pod.name / .pod.namespace / .pod.uid / .container.name
 *   labels -> kubernetes.*; daemon events: Attributes.name -> device.hostname; every attribute (labels included)
 *   -> unmapped attributes.&lt;key&gt;; scope, status, from -> unmapped.
 * time: timeNano (epoch ns), else time (epoch s); time_original = that number as written (nanosecond precision);
 *   neither: observed time, warned.
 * </pre>
 *
 * The text that {@code docker events} prints without {@code --format} ({@link #text}) maps the same way: its time is
 * RFC 3339 with nanoseconds and the local zone (time_original as written), Type, Action (an exec's command
 * included), Actor.ID and the attributes in parentheses.
 *
 * No Action and no status: missing_field.
 */
final class DockerEventsMapper implements RecordMapper {

  private static final int MAX = 64 * 1024;
  private final ChunkContext ctx;

  private String type;
  private String action;
  private String status;
  private String id;
  private String from;
  private String actorId;
  private String scope;
  private String time;
  private String timeNano;
  private String timeText; // the text output's RFC 3339 time
  private final Map<String, String> attrs = new LinkedHashMap<>();
  private final Map<String, String> other = new LinkedHashMap<>();

  DockerEventsMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    type = action = status = id = from = actorId = scope = time = timeNano = timeText = null;
    attrs.clear();
    other.clear();
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    switch (name) {
      case "Type" -> type = scalar(name, p, src);
      case "Action" -> action = scalar(name, p, src);
      case "status" -> status = scalar(name, p, src);
      case "id" -> id = scalar(name, p, src);
      case "from" -> from = scalar(name, p, src);
      case "scope" -> scope = scalar(name, p, src);
      case "time" -> time = scalar(name, p, src);
      case "timeNano" -> timeNano = scalar(name, p, src);
      case "Actor" -> {
        if (p.currentToken() != JsonToken.START_OBJECT) {
          keep(name, p, src);
          return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          p.nextToken();
          if (k.equals("ID")) {
            actorId = scalar("Actor.ID", p, src);
          } else if (k.equals("Attributes") && p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String a = p.currentName();
              p.nextToken();
              String v = src.valueText(p, MAX);
              if (v != null) attrs.put(a, cut(v));
            }
          } else {
            String v = src.valueText(p, MAX);
            if (v != null) other.put("actor." + k, cut(v));
          }
        }
      }
      default -> keep(name, p, src);
    }
  }

  private String scalar(String name, JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      keep(name, p, src);
      return null;
    }
    return Json.scalarText(p);
  }

  private void keep(String name, JsonParser p, Source src) throws IOException {
    String v = src.valueText(p, MAX);
    if (v != null) other.put(name, cut(v));
  }

  private static String cut(String v) {
    return v.length() > MAX ? v.substring(0, MAX) : v;
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    String act = action != null && !action.isEmpty() ? action : status;
    if (act == null || act.isEmpty()) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a Docker event: no Action (or status)");
    }
    String objType = type != null && !type.isEmpty() ? type : "container"; // API < 1.22: container events only
    String oid = actorId != null && !actorId.isEmpty() ? actorId : id;
    int colon = act.indexOf(':');
    String verb = (colon >= 0 ? act.substring(0, colon) : act).trim();
    String detail = colon >= 0 ? act.substring(colon + 1).trim() : null;
    boolean container = objType.equals("container");

    EvidenceEvent e;
    if (container && (verb.equals("exec_create") || verb.equals("exec_start"))) {
      e = ctx.newEvent(OcsfClass.PROCESS_ACTIVITY, 1, "Launch", span.start(), span.end(), span.line(),
          span.ordinal(), 0, new HashMap<>(16 + attrs.size()));
      Process proc = new Process();
      proc.setCmdLine(detail == null || detail.isEmpty() ? null : detail);
      if (detail != null && !detail.isEmpty()) {
        String exe = detail.split("\\s+", 2)[0];
        proc.setExecutable(exe);
        int slash = exe.lastIndexOf('/');
        proc.setName(slash >= 0 && slash < exe.length() - 1 ? exe.substring(slash + 1) : exe);
      }
      proc.setUid(attrs.get("execID"));
      e.setProcess(proc);
    } else if (container && verb.equals("exec_die")) {
      e = ctx.newEvent(OcsfClass.PROCESS_ACTIVITY, 2, "Terminate", span.start(), span.end(), span.line(),
          span.ordinal(), 0, new HashMap<>(16 + attrs.size()));
      Process proc = new Process();
      proc.setUid(attrs.get("execID"));
      e.setProcess(proc);
    } else {
      e = ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, verb, span.start(), span.end(), span.line(),
          span.ordinal(), 0, new HashMap<>(16 + attrs.size()));
    }
    Map<String, String> u = e.getUnmapped();

    // time
    if (timeText != null) {
      ctx.applyTime(e, timeText, "time");
    } else if (isDigits(timeNano) && timeNano.length() <= 19) {
      e.setTimeOriginal(timeNano);
      e.setTime(Timestamps.toInstant(Long.parseLong(timeNano) / 1000L));
    } else if (isDigits(time) && time.length() <= 12) {
      e.setTimeOriginal(time);
      e.setTime(Timestamps.toInstant(Long.parseLong(time) * 1_000_000L));
      if (timeNano != null) Events.warn(e, "bad timeNano '" + Events.excerpt(timeNano, 32) + "'; time from time");
    } else {
      if (time != null || timeNano != null) {
        e.setTimeOriginal(timeNano != null ? timeNano : time);
        Events.warn(e, "bad time/timeNano; time = observed_time");
      } else {
        Events.warn(e, "no time or timeNano; time = observed_time");
      }
    }

    // the object
    String name = attrs.get("name");
    e.getResources().add(new Resource(objType, name, blank(oid), null, null, null));
    String img = attrs.get("image");
    if (img == null) img = from;
    if (container) {
      e.setContainer(container(blank(oid), name, img, null));
    } else if (objType.equals("image")) {
      boolean digest = oid != null && oid.startsWith("sha256:");
      e.setContainer(container(null, null, digest ? name : blank(oid), digest ? oid : null));
    } else if ((objType.equals("network") || objType.equals("volume")) && attrs.get("container") != null) {
      e.setContainer(container(attrs.get("container"), null, null, null));
    } else if (objType.equals("daemon") && name != null) {
      Device d = e.getDevice();
      if (d == null) e.setDevice(new Device(name, null, null));
      else if (!name.equals(d.getHostname())) {
        u.put("context.host", d.getHostname());
        d.setHostname(name);
      }
    }

    // kubernetes from the labels
    String pod = attrs.get("io.kubernetes.pod.name");
    String ns = attrs.get("io.kubernetes.pod.namespace");
    String podUid = attrs.get("io.kubernetes.pod.uid");
    String kc = attrs.get("io.kubernetes.container.name");
    if (pod != null || ns != null || podUid != null || kc != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setPodName(pod);
      k.setNamespace(ns);
      k.setPodUid(podUid);
      k.setContainerName(kc);
    }

    // outcome and details
    String exit = attrs.get("exitCode");
    if (exit != null && (verb.equals("die") || verb.equals("exec_die"))) {
      e.setStatusCode(exit);
      e.setStatus("0".equals(exit) ? "Success" : "Failure");
    }
    if (detail != null && !detail.isEmpty() && e.getClassUid() == 0) e.setStatusDetail(detail);
    int sev = verb.equals("oom") ? 3 : 1;
    e.setSeverityId(sev);
    e.setSeverity(sev == 3 ? "Medium" : "Informational");
    if (attrs.get("execID") != null) u.put("exec.id", attrs.get("execID"));

    for (var a : attrs.entrySet()) u.put("attributes." + a.getKey(), a.getValue());
    u.putAll(other);
    if (scope != null) u.put("scope", scope);
    if (status != null && !status.equals(action)) u.put("status", status);
    if (from != null) u.put("from", from);

    String who = name != null ? name : shortId(oid);
    e.setMessage(objType + " " + (who == null ? "?" : who) + " " + act);
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  /**
   * One line of {@code docker events} text output (docker CLI: {@code <time RFC3339Nano> <Type> <Action> <Actor.ID>
   * [(<attributes sorted, k=v, ...>)]}), mapped as the JSON message with those fields, or null when the line is not
   * one.
   */
  EvidenceEvent text(String line, RecordSpan span) {
    Matcher m = TEXT.matcher(line);
    if (!m.matches()) return null;
    begin();
    timeText = m.group(1);
    type = m.group(2);
    String rest = m.group(3);
    int attrsAt = -1;
    if (rest.endsWith(")")) {
      for (int p = rest.indexOf(" ("); p >= 0; p = rest.indexOf(" (", p + 1)) {
        if (AttributeList.startsLikeOne(rest.subSequence(p + 2, rest.length()))) {
          attrsAt = p;
          break;
        }
      }
    }
    String head = attrsAt >= 0 ? rest.substring(0, attrsAt) : rest;
    if (attrsAt >= 0) AttributeList.parse(rest.substring(attrsAt + 2, rest.length() - 1), attrs);
    int space = head.lastIndexOf(' ');
    action = space >= 0 ? head.substring(0, space) : head;
    actorId = space >= 0 ? head.substring(space + 1) : null;
    try {
      return end(span);
    } catch (RecordException e) {
      return null;
    }
  }

  /** The docker CLI's text line: time (RFC3339NanoFixed, local zone), object type, then action, actor id, attributes. */
  static final Pattern TEXT = Pattern.compile(
      "(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})) ([a-z]+) (\\S.*)");

  private static Container container(String uid, String name, String image, String imageUid) {
    Container c = new Container();
    c.setUid(uid);
    c.setName(name);
    c.setImageName(image);
    c.setImageUid(imageUid);
    c.setImageDigest(ImageRefs.pinnedDigest(image));
    c.setRuntime("docker");
    return c;
  }

  private static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String shortId(String id) {
    if (id == null) return null;
    String s = id.startsWith("sha256:") ? id.substring(7) : id;
    return s.length() > 12 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? s.substring(0, 12) : id;
  }

  private static boolean isDigits(String s) {
    if (s == null || s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
}
