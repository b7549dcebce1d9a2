package dev.strata.parse.formats.k8sevent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Kubernetes Event (core {@code v1} or {@code events.k8s.io/v1}; the latter's names in brackets) to OCSF 0 Base
 * Event (category 0): OCSF 1.3.0 has no class for cluster object lifecycle notices, so the event keeps its own words.
 *
 * <pre>
 * reason               -> activity_id 99 Other, activity_name = reason (no reason: 0 Unknown)
 * message [note]       -> message
 * type                 -> severity_id: Warning 3 Medium, anything else (Normal) 1 Informational; type -> unmapped
 * time                 -> eventTime, else lastTimestamp [deprecatedLastTimestamp], else firstTimestamp
 *                         [deprecatedFirstTimestamp], else metadata.creationTimestamp (warning), else observed time
 *                         (warning). eventTime first: it is the (MicroTime) time the reporter set; core/v1 events from
 *                         older reporters have eventTime null and only the second-resolution timestamps.
 * start_time, end_time -> a repeated event's interval: firstTimestamp (else eventTime) to series.lastObservedTime
 *                         (else lastTimestamp), when the end is after the start
 * involvedObject [regarding] -> resources[0] (type = kind, name, uid, namespace, api_group from apiVersion)
 *                         kubernetes.namespace (else metadata.namespace); kind Pod: kubernetes.pod_name, pod_uid,
 *                         container_name from fieldPath spec.containers{name}; kind Node: kubernetes.node_name
 * source.host [deprecatedSource.host] -> kubernetes.node_name; else reportingInstance when the reporter is the
 *                         kubelet (other reporters' instance names are not nodes)
 * unmapped             -> count [series.count, deprecatedCount], reportingComponent [reportingController],
 *                         reportingInstance, source.component, fieldPath, firstTimestamp, lastTimestamp, eventTime,
 *                         type, action, series.*, related.*, metadata.*, involvedObject.* not mapped, apiVersion, kind,
 *                         anything else
 * </pre>
 */
final class K8sEventMapper implements JsonRecordStream.RecordMapper {

  static final int MAX_VALUE_BYTES = 64 * 1024;
  private static final Pattern CONTAINER = Pattern.compile("spec\\.(?:initContainers|containers|ephemeralContainers)\\{([^}]+)\\}");

  private final ChunkContext ctx;

  private final Map<String, String> obj = new LinkedHashMap<>();
  private boolean objSeen;
  private final Map<String, String> f = new LinkedHashMap<>(); // scalars and flattened objects, dotted keys
  private final Map<String, String> other = new LinkedHashMap<>();

  K8sEventMapper(ChunkContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void begin() {
    obj.clear();
    objSeen = false;
    f.clear();
    other.clear();
  }

  @Override
  public void field(String name, JsonParser p, Source src) throws IOException {
    JsonToken t = p.currentToken();
    switch (name) {
      case "involvedObject", "regarding" -> {
        if (t == JsonToken.START_OBJECT && !objSeen) {
          objSeen = true;
          src.flatten(p, "", obj, MAX_VALUE_BYTES);
        } else {
          keep(name, p, src);
        }
      }
      case "metadata", "source", "deprecatedSource", "series", "related" -> {
        if (t == JsonToken.START_OBJECT) {
          src.flatten(p, name, f, MAX_VALUE_BYTES);
        } else {
          keep(name, p, src);
        }
      }
      default -> {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          keep(name, p, src);
        } else {
          String v = Json.scalarText(p);
          if (v != null) f.put(name, v);
        }
      }
    }
  }

  private void keep(String name, JsonParser p, Source src) throws IOException {
    String v = src.valueText(p, MAX_VALUE_BYTES);
    if (v != null) other.put(name, v);
  }

  @Override
  public EvidenceEvent end(RecordSpan span) throws RecordException {
    if (f.containsKey("auditID")) {
      throw new RecordException(RejectReason.MISSING_FIELD, "a Kubernetes audit Event, not a cluster Event");
    }
    String reason = f.remove("reason");
    if (!objSeen && reason == null) {
      throw new RecordException(
          RejectReason.MISSING_FIELD, "not a Kubernetes Event: no involvedObject/regarding and no reason");
    }
    int activity = reason == null ? OcsfClass.ACTIVITY_UNKNOWN : OcsfClass.ACTIVITY_OTHER;
    EvidenceEvent e =
        ctx.newEvent(
            OcsfClass.BASE_EVENT, activity, reason == null ? "Unknown" : reason, span.start(), span.end(),
            span.line(), span.ordinal(), 0, new HashMap<>(32));
    Map<String, String> u = e.getUnmapped();

    String type = f.remove("type");
    boolean warning = "Warning".equalsIgnoreCase(type);
    e.setSeverityId(warning ? 3 : 1);
    e.setSeverity(warning ? "Medium" : "Informational");
    if (type != null) u.put("type", type);

    String message = f.remove("message");
    String note = f.remove("note");
    e.setMessage(message != null ? message : note);
    if (message != null && note != null) u.put("note", note);

    // time
    String eventTime = f.remove("eventTime");
    String last = first(f.remove("lastTimestamp"), f.remove("deprecatedLastTimestamp"));
    String firstTs = first(f.remove("firstTimestamp"), f.remove("deprecatedFirstTimestamp"));
    String created = f.get("metadata.creationTimestamp");
    if (eventTime != null) {
      ctx.applyTime(e, eventTime, "eventTime");
    } else if (last != null) {
      ctx.applyTime(e, last, "lastTimestamp");
    } else if (firstTs != null) {
      ctx.applyTime(e, firstTs, "firstTimestamp");
    } else if (created != null) {
      ctx.applyTime(e, created, "metadata.creationTimestamp");
      dev.strata.parse.Events.warn(e, "no event timestamp; time = metadata.creationTimestamp");
    } else {
      ctx.applyTime(e, null, "eventTime");
    }
    putIf(u, "eventTime", eventTime);
    putIf(u, "lastTimestamp", last);
    putIf(u, "firstTimestamp", firstTs);
    // the interval a repeated event covers: its first occurrence to its last (events.k8s.io/v1: eventTime to
    // series.lastObservedTime; core/v1: firstTimestamp, or eventTime, to lastTimestamp or series.lastObservedTime)
    java.time.Instant from = instant(firstTs != null ? firstTs : eventTime);
    java.time.Instant to = instant(first(f.get("series.lastObservedTime"), last));
    if (from != null && to != null && to.isAfter(from)) {
      e.setStartTime(from);
      e.setEndTime(to);
    }

    // involved object
    String kind = obj.remove("kind");
    String name = obj.remove("name");
    String uid = obj.remove("uid");
    String ns = obj.remove("namespace");
    String apiVersion = obj.remove("apiVersion");
    String fieldPath = obj.remove("fieldPath");
    if (objSeen) {
      String group = apiVersion != null && apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : null;
      e.getResources().add(new Resource(kind, name, uid, ns, null, group));
      putIf(u, "involvedObject.apiVersion", apiVersion);
      for (Map.Entry<String, String> x : obj.entrySet()) u.put("involvedObject." + x.getKey(), x.getValue());
    }
    putIf(u, "fieldPath", fieldPath);

    // kubernetes
    if (ns == null) ns = f.get("metadata.namespace");
    String host = first(f.remove("source.host"), f.remove("deprecatedSource.host"));
    String component = first(f.remove("source.component"), f.remove("deprecatedSource.component"));
    String reporting = first(f.remove("reportingComponent"), f.remove("reportingController"));
    String instance = f.remove("reportingInstance");
    String node = host;
    if (node == null && instance != null && ("kubelet".equals(reporting) || "kubelet".equals(component))) {
      node = instance;
    }
    if (node == null && "Node".equals(kind)) node = name;
    boolean pod = "Pod".equals(kind);
    if (ns != null || pod || node != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setNamespace(ns);
      if (pod) {
        k.setPodName(name);
        k.setPodUid(uid);
        if (fieldPath != null) {
          Matcher m = CONTAINER.matcher(fieldPath);
          if (m.find()) k.setContainerName(m.group(1));
        }
      }
      k.setNodeName(node);
    }
    putIf(u, "source.host", host);
    putIf(u, "source.component", component);
    putIf(u, "reportingComponent", reporting);
    putIf(u, "reportingInstance", instance);

    // count
    String count = first(f.remove("count"), first(f.get("series.count"), f.remove("deprecatedCount")));
    putIf(u, "count", count);

    u.putAll(f);
    u.putAll(other);
    e.setRawData(ctx.rawText(span.start(), span.end()));
    return e;
  }

  private static java.time.Instant instant(String text) {
    if (text == null) return null;
    long m = dev.strata.parse.Timestamps.toMicros(text);
    return m == dev.strata.parse.Timestamps.INVALID ? null : dev.strata.parse.Timestamps.toInstant(m);
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static void putIf(Map<String, String> m, String k, String v) {
    if (v != null) m.put(k, v);
  }
}
