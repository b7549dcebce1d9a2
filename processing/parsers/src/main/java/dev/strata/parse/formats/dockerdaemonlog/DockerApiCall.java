package dev.strata.parse.formats.dockerdaemonlog;

import dev.strata.parse.OcsfClass;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Docker Engine API request as dockerd logs it at debug level: {@code Calling <METHOD> /v<version>/<route>}
 * (the version segment is optional). The route names the operation the way the Engine API reference does
 * ({@code ContainerCreate}, {@code ContainerStart}, {@code ContainerExec}, {@code ExecStart}, {@code ImageCreate},
 * ...): resource from the first segment, then the action segment (or Inspect / Delete / List by method).
 *
 * @param method HTTP method
 * @param url path and query as logged
 * @param version API version without 'v' (null if the path has none)
 * @param operation Engine API operation name
 * @param activityId OCSF API Activity id: create routes 1, GET/HEAD 2, update/rename/tag/... 3, DELETE and prune 4,
 *     other actions (start, kill, exec start, attach, wait, ...) 99
 * @param resourceType container, image, exec, network, volume, plugin, service, node, secret, config, task, swarm,
 *     system
 * @param resourceId the id or name in the path, decoded (null if the route has none)
 * @param imageName for ImageCreate, {@code fromImage[:tag]}; for image routes, the image name from the path
 */
record DockerApiCall(
    String method,
    String url,
    String version,
    String operation,
    int activityId,
    String resourceType,
    String resourceId,
    String imageName) {

  static final Pattern CALLING = Pattern.compile("^Calling ([A-Z]+) (/\\S*)");
  private static final Pattern VERSION = Pattern.compile("^/v(\\d+(?:\\.\\d+)*)(/.*)?$");
  private static final Set<String> CREATE_ACTIONS = Set.of("create", "exec", "load", "build", "init", "join");
  private static final Set<String> UPDATE_ACTIONS =
      Set.of("update", "rename", "tag", "push", "enable", "disable", "upgrade", "set", "unlock", "leave", "connect",
          "disconnect", "resize", "pause", "unpause", "commit", "archive");
  private static final Set<String> IMAGE_SUFFIXES = Set.of("json", "history", "push", "tag", "get");

  /** The call in a dockerd message, or null if the message is not an API call line. */
  static DockerApiCall parse(String msg) {
    if (msg == null || !msg.startsWith("Calling ")) return null;
    Matcher m = CALLING.matcher(msg);
    if (!m.find()) return null;
    String method = m.group(1);
    String url = m.group(2);
    int q = url.indexOf('?');
    String path = q >= 0 ? url.substring(0, q) : url;
    String query = q >= 0 ? url.substring(q + 1) : "";
    String version = null;
    Matcher v = VERSION.matcher(path);
    if (v.matches()) {
      version = v.group(1);
      path = v.group(2) == null ? "/" : v.group(2);
    }
    List<String> seg = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) seg.add(s);
    }
    if (seg.isEmpty()) return new DockerApiCall(method, url, version, "Unknown", activity(method, null), "system",
        null, null);
    String first = seg.get(0);
    String type;
    String op;
    String id = null;
    String action = null;
    String image = null;
    switch (first) {
      case "_ping" -> {
        return simple(method, url, version, "SystemPing");
      }
      case "version" -> {
        return simple(method, url, version, "SystemVersion");
      }
      case "info" -> {
        return simple(method, url, version, "SystemInfo");
      }
      case "events" -> {
        return simple(method, url, version, "SystemEvents");
      }
      case "auth" -> {
        return simple(method, url, version, "SystemAuth");
      }
      case "session" -> {
        return simple(method, url, version, "Session");
      }
      case "grpc" -> {
        return simple(method, url, version, "Grpc");
      }
      case "build" -> {
        String sub = seg.size() > 1 ? seg.get(1) : null;
        String name = sub == null ? "ImageBuild" : "Build" + cap(sub);
        return new DockerApiCall(method, url, version, name, sub == null ? OcsfClass.ACTIVITY_CREATE
            : activity(method, sub), "image", null, param(query, "t"));
      }
      case "commit" -> {
        return new DockerApiCall(method, url, version, "ImageCommit", OcsfClass.ACTIVITY_CREATE, "image",
            param(query, "container"), repoTag(param(query, "repo"), param(query, "tag")));
      }
      case "system" -> {
        String sub = seg.size() > 1 ? seg.get(1) : "";
        return simple(method, url, version, "df".equals(sub) ? "SystemDataUsage" : "System" + cap(sub));
      }
      case "distribution" -> {
        String name = String.join("/", seg.subList(1, Math.max(1, seg.size() - 1)));
        return new DockerApiCall(method, url, version, "DistributionInspect", OcsfClass.ACTIVITY_READ, "image",
            decode(name), decode(name));
      }
      default -> {}
    }
    type = singular(first);
    String prefix = cap(type);
    if (type.equals("image") && seg.size() >= 2) {
      // image names contain '/': /images/{name}/json, /images/{name}/push, /images/{name} (DELETE)
      String last = seg.get(seg.size() - 1);
      if (seg.size() == 2 && Set.of("json", "create", "load", "prune", "search", "get").contains(seg.get(1))) {
        action = seg.get(1);
      } else if (seg.size() >= 3 && IMAGE_SUFFIXES.contains(last)) {
        action = last;
        id = decode(String.join("/", seg.subList(1, seg.size() - 1)));
      } else {
        id = decode(String.join("/", seg.subList(1, seg.size())));
      }
      if ("create".equals(action)) {
        image = repoTag(param(query, "fromImage"), param(query, "tag"));
        if (image == null && param(query, "fromSrc") != null) image = repoTag(param(query, "repo"), param(query, "tag"));
      } else if (id != null) {
        image = id;
      }
    } else if (seg.size() >= 2) {
      String s1 = seg.get(1);
      boolean collection = seg.size() == 2 && Set.of("create", "json", "prune", "load", "init", "join", "leave",
          "update", "unlock", "unlockkey", "pull", "privileges").contains(s1);
      if (collection) {
        action = s1;
      } else {
        id = decode(s1);
        if (seg.size() >= 3) action = String.join("/", seg.subList(2, seg.size()));
      }
    }
    int activity;
    if (action == null) {
      if (id == null) {
        op = prefix + (method.equals("GET") || method.equals("HEAD") ? "List" : cap(method.toLowerCase(Locale.ROOT)));
      } else {
        op = prefix + switch (method) {
          case "GET", "HEAD" -> "Inspect";
          case "DELETE" -> "Delete";
          default -> cap(method.toLowerCase(Locale.ROOT));
        };
      }
      activity = activity(method, null);
    } else if (action.equals("json")) {
      op = prefix + (id == null ? "List" : "Inspect");
      activity = OcsfClass.ACTIVITY_READ;
    } else {
      String a = action.contains("/") ? action.substring(0, action.indexOf('/')) : action;
      op = prefix + cap(a);
      activity = activity(method, a);
    }
    return new DockerApiCall(method, url, version, op, activity, type, id, image);
  }

  private static DockerApiCall simple(String method, String url, String version, String op) {
    return new DockerApiCall(method, url, version, op, activity(method, null), "system", null, null);
  }

  static int activity(String method, String action) {
    if (method.equals("DELETE") || "prune".equals(action)) return OcsfClass.ACTIVITY_DELETE;
    if (method.equals("GET") || method.equals("HEAD")) return OcsfClass.ACTIVITY_READ;
    if (action != null && CREATE_ACTIONS.contains(action)) return OcsfClass.ACTIVITY_CREATE;
    if (action != null && UPDATE_ACTIONS.contains(action)) return OcsfClass.ACTIVITY_UPDATE;
    if (method.equals("PUT")) return OcsfClass.ACTIVITY_UPDATE;
    return OcsfClass.ACTIVITY_OTHER;
  }

  private static String singular(String s) {
    return switch (s) {
      case "containers" -> "container";
      case "images" -> "image";
      case "exec" -> "exec";
      case "networks" -> "network";
      case "volumes" -> "volume";
      case "plugins" -> "plugin";
      case "services" -> "service";
      case "nodes" -> "node";
      case "secrets" -> "secret";
      case "configs" -> "config";
      case "tasks" -> "task";
      case "swarm" -> "swarm";
      default -> s.endsWith("s") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    };
  }

  private static String cap(String s) {
    if (s == null || s.isEmpty()) return "";
    StringBuilder b = new StringBuilder(s.length());
    boolean up = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '_' || c == '-' || c == '/') {
        up = true;
        continue;
      }
      b.append(up ? Character.toUpperCase(c) : c);
      up = false;
    }
    return b.toString();
  }

  static String param(String query, String name) {
    if (query == null || query.isEmpty()) return null;
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      String k = eq < 0 ? kv : kv.substring(0, eq);
      if (k.equals(name)) {
        String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
        return v == null || v.isEmpty() ? null : v;
      }
    }
    return null;
  }

  private static String repoTag(String repo, String tag) {
    if (repo == null) return null;
    if (tag == null || repo.contains("@")) return repo;
    int slash = repo.lastIndexOf('/');
    return repo.indexOf(':', slash + 1) >= 0 ? repo : repo + ":" + tag;
  }

  private static String decode(String s) {
    if (s == null) return null;
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
