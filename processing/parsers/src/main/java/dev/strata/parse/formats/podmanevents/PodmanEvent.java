package dev.strata.parse.formats.podmanevents;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.ImageRefs;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Process;
import dev.strata.schema.event.Resource;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Podman event as read from any of its three forms (events.log JSON, journald export, human text), before it
 * becomes an {@link EvidenceEvent}. Mutable, one per record.
 */
final class PodmanEvent {
  String form; // file | journald | text
  String type;
  String status;
  String id;
  String name;
  String image;
  String exitCode;
  String podId;
  String network;
  String error;
  String time; // RFC 3339 text to normalize
  String timeOriginal; // as written (text form: Go's time.String())
  String timeField;
  String healthStatus; // HealthStatus / PODMAN_HEALTH_STATUS / health_status=: healthy, unhealthy, starting
  Instant timeInstant; // journald __REALTIME_TIMESTAMP when there is no PODMAN_TIME
  final Map<String, String> attributes = new LinkedHashMap<>();
  final Map<String, String> extra = new LinkedHashMap<>();
  // journald: the podman process that wrote the event
  Long pid;
  String comm;
  String exe;
  String cmdline;
  String uid;

  static final int MAX = 64 * 1024;

  EvidenceEvent toEvent(ChunkContext ctx, int start, int end, long line, long ordinal) {
    Map<String, String> u = new HashMap<>(16 + attributes.size() * 2 + extra.size() * 2);
    boolean exec = "container".equals(type) && ("exec".equals(status) || "exec_died".equals(status));
    EvidenceEvent e = exec
        ? ctx.newEvent(OcsfClass.PROCESS_ACTIVITY, "exec".equals(status) ? 1 : 2,
            "exec".equals(status) ? "Launch" : "Terminate", start, end, line, ordinal, 0, u)
        : ctx.newEvent(OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, status, start, end, line, ordinal, 0, u);
    if (timeInstant != null) {
      e.setTime(timeInstant);
      e.setTimeOriginal(timeOriginal);
    } else {
      ctx.applyTime(e, time, timeField);
      if (timeOriginal != null) e.setTimeOriginal(timeOriginal);
    }
    u.put("podman.type", type);
    u.put("podman.form", form);
    put(u, "podman.pod_id", podId);
    put(u, "podman.network", network);
    for (Map.Entry<String, String> a : attributes.entrySet()) put(u, "attributes." + a.getKey(), a.getValue());
    for (Map.Entry<String, String> x : extra.entrySet()) put(u, x.getKey(), x.getValue());

    String shortId = id == null ? null : id.length() > 12 && isHex(id) ? id.substring(0, 12) : id;
    switch (type) {
      case "container" -> {
        e.setContainer(new Container(blank(id), blank(name), blank(image), null, "podman",
            ImageRefs.pinnedDigest(blank(image))));
        if (blank(podId) != null) e.getResources().add(new Resource("pod", null, podId, null, null, null));
      }
      case "pod" -> e.getResources().add(new Resource("pod", blank(name), blank(id), null, null, null));
      case "image" -> e.getResources().add(new Resource("image", blank(name), blank(id), null, null, null));
      case "volume" -> e.getResources().add(new Resource("volume", blank(name), blank(id), null, null, null));
      case "network" -> {
        e.getResources().add(new Resource("network", blank(network != null ? network : name), null, null, null,
            null));
        // connect / disconnect name the container in ID
        if (blank(id) != null && !"create".equals(status) && !"remove".equals(status)) {
          e.setContainer(new Container(id, null, null, null, "podman", null));
        }
      }
      default -> {
        if (blank(id) != null || blank(name) != null) {
          e.getResources().add(new Resource(type, blank(name), blank(id), null, null, null));
        }
      }
    }
    // Kubernetes labels (podman play kube, CRI-style labels) as Docker's parsers read them
    String pod = blank(attributes.get("io.kubernetes.pod.name"));
    String ns = blank(attributes.get("io.kubernetes.pod.namespace"));
    String podUid = blank(attributes.get("io.kubernetes.pod.uid"));
    String kc = blank(attributes.get("io.kubernetes.container.name"));
    if (pod != null || ns != null || podUid != null || kc != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setNamespace(ns);
      k.setPodName(pod);
      k.setPodUid(podUid);
      k.setContainerName(kc);
    }
    if (exitCode != null) {
      e.setStatusCode(exitCode);
      e.setStatus("0".equals(exitCode) ? "Success" : "Failure");
    }
    if (blank(error) != null) {
      e.setStatus("Failure");
      e.setStatusDetail(cut(error));
    }
    if (pid != null || cmdline != null || comm != null || exe != null) {
      e.setProcess(new Process(pid, comm, cmdline, exe, uid, null, null, null, null, null, null));
    }
    if (exec) {
      // the exec session (libpod: exec / exec_died container events, Attributes execID); journald's writer process
      // (podman exec ...) stays the process, the session id its uid
      if (e.getProcess() == null) e.setProcess(new Process());
      e.getProcess().setUid(blank(attributes.get("execID")));
      e.setActivityName(status);
    }
    String health = blank(healthStatus);
    if (health != null && "health_status".equals(status)) e.setStatusDetail(health);
    StringBuilder m = new StringBuilder(64).append(type).append(' ').append(status);
    String who = blank(name) != null ? name : shortId;
    if (type.equals("network") && network != null) who = network;
    if (who != null) m.append(' ').append(who);
    if (blank(image) != null && !type.equals("image")) m.append(" (image ").append(image).append(')');
    if (exitCode != null) m.append(" exit code ").append(exitCode);
    e.setMessage(m.toString());
    return e;
  }

  /** Go's time.Time.String() ("2019-03-02 10:33:42.312377447 -0600 CST [m=+0.1]") as RFC 3339, or null. */
  static String goTimeToRfc3339(String date, String clock, String offset) {
    if (offset.length() != 5 || (offset.charAt(0) != '+' && offset.charAt(0) != '-')) return null;
    String s = date + "T" + clock + offset.substring(0, 3) + ":" + offset.substring(3);
    return Timestamps.toMicros(s) == Timestamps.INVALID ? null : s;
  }

  private static void put(Map<String, String> u, String k, String v) {
    if (v != null && !v.isEmpty()) u.put(k, cut(v));
  }

  static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  static boolean isDigits(String s, int max) {
    if (s.isEmpty() || s.length() > max) return false;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    return true;
  }

  static String cut(String s) {
    return s != null && s.length() > MAX ? s.substring(0, MAX) : s;
  }

  static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  static void warnIf(EvidenceEvent e, String w) {
    if (w != null) Events.warn(e, w);
  }
}
