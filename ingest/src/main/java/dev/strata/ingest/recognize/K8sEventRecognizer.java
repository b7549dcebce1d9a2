package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code k8s_event}: Kubernetes Events (core {@code v1} and {@code events.k8s.io/v1}), not audit events.
 *
 * <p>Path: {@code **}{@code /events*.json*}, {@code **}{@code /k8s-events*.json*}, {@code **}{@code /kube-events*.json*}
 * (backs only a probe the sample could not prove). Content: a {@code List}/{@code EventList} document whose first
 * {@code items} element is an Event ({@code involvedObject} or {@code regarding}, kind Event or none, no
 * {@code auditID}: audit EventLists are left to {@code k8s_audit}) — framing JSON_RECORDS (the chunker cuts after
 * each complete {@code items} element); JSON lines of such Events — LINES; a single pretty-printed Event — WHOLE.
 */
public final class K8sEventRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "k8s_event";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:k8s[-_]|kube[-_]|kubernetes[-_])?events[^/]*\\.json[^/]*");

  public K8sEventRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    if (b[start] != '{') {
      return ContentMatch.none("not a JSON object");
    }
    // a List document: look for a top-level "items" array
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // {
      JsonToken t = p.nextToken();
      while (t == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null) {
          break;
        }
        if (name.equals("items") && v == JsonToken.START_ARRAY) {
          JsonToken e = p.nextToken();
          if (e == JsonToken.END_ARRAY) {
            return ContentMatch.weak(Framing.JSON_RECORDS, "a List without items");
          }
          if (e != JsonToken.START_OBJECT) {
            return ContentMatch.none("items is not an array of objects");
          }
          JsonSniff.Obj first = JsonSniff.readObject(p, start);
          return switch (verdict(first)) {
            case YES -> ContentMatch.strong(Framing.JSON_RECORDS, "a List of Kubernetes Events");
            case MAYBE -> ContentMatch.weak(Framing.JSON_RECORDS, "a List whose first item is longer than the sample");
            case NO -> ContentMatch.none("a List whose first item is not a Kubernetes Event");
          };
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        }
        t = p.nextToken();
      }
    } catch (IOException e) {
      // fall through: JSON lines or a single object
    }
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 1);
    JsonSniff.Line l = lines.get(0);
    JsonSniff.Obj line = JsonSniff.object(b, l.offset(), l.length());
    if (line.valid() && line.complete()) {
      return verdict(line) == Verdict.YES
          ? ContentMatch.strong(Framing.LINES, "JSON lines of Kubernetes Events")
          : ContentMatch.none("first line is not a Kubernetes Event");
    }
    if (line.valid() && l.length() < b.length - l.offset()) {
      JsonSniff.Obj whole = JsonSniff.object(b, start, b.length - start);
      Verdict v = verdict(whole);
      if (v == Verdict.YES) {
        return whole.complete()
            ? ContentMatch.strong(Framing.WHOLE, "a single Kubernetes Event")
            : ContentMatch.weak(Framing.WHOLE, "a single Kubernetes Event longer than the sample");
      }
      return v == Verdict.MAYBE
          ? ContentMatch.weak(Framing.WHOLE, "a JSON object longer than the sample, consistent with an Event")
          : ContentMatch.none("not a Kubernetes Event");
    }
    if (line.valid() && verdict(line) != Verdict.NO) {
      return ContentMatch.weak(Framing.LINES, "first line longer than the sample, consistent with an Event");
    }
    return ContentMatch.none("not a Kubernetes Event document");
  }

  private enum Verdict {
    YES,
    NO,
    MAYBE
  }

  private static Verdict verdict(JsonSniff.Obj o) {
    if (!o.valid() || o.has("auditID") || o.has("verb") || o.has("stage")) {
      return Verdict.NO;
    }
    String kind = o.get("kind");
    if (kind != null && !kind.equals("Event")) {
      return Verdict.NO;
    }
    String api = o.get("apiVersion");
    if (api != null && !api.equals("v1") && !api.startsWith("events.k8s.io/")) {
      return Verdict.NO;
    }
    if (o.has("involvedObject") || o.has("regarding")) {
      return Verdict.YES;
    }
    return o.complete() ? Verdict.NO : Verdict.MAYBE;
  }
}
