package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.function.Predicate;

/**
 * The content probe shared by formats that are one JSON object per line, or a single pretty-printed object: the
 * first line decides LINES; an object that runs over several lines decides WHOLE; an object longer than the sample
 * is a weak match when nothing seen so far contradicts the format.
 *
 * @param what the format's record, for the reasons ("Falco alert", "Tetragon event")
 * @param isRecord true when the (possibly partial) object has the fields that make it one of the format's records
 * @param contradicts true when the object has a field the format's records never have
 */
record JsonObjectLinesProbe(String what, Predicate<JsonSniff.Obj> isRecord, Predicate<JsonSniff.Obj> contradicts) {

  ContentMatch probe(ContentSample sample) {
    JsonSniff.FirstLine first = JsonSniff.firstLineObject(sample);
    if (first.none() != null) {
      return first.none();
    }
    byte[] b = sample.bytes();
    JsonSniff.Line l = first.line();
    JsonSniff.Obj o = first.obj();
    if (isRecord.test(o)) {
      return ContentMatch.strong(Framing.LINES, "JSON lines of " + what + "s");
    }
    if (o.complete()) {
      return ContentMatch.none("first line is not a " + what);
    }
    if (l.complete() && l.length() < b.length - l.offset()) {
      // the object runs over several lines: one pretty-printed record (e.g. an HTTP body)
      JsonSniff.Obj whole = JsonSniff.object(b, l.offset(), b.length - l.offset());
      if (whole.valid() && isRecord.test(whole)) {
        return whole.complete()
            ? ContentMatch.strong(Framing.WHOLE, "a single pretty-printed " + what)
            : ContentMatch.weak(Framing.WHOLE, "a single " + what + " longer than the sample");
      }
      if (whole.valid() && !whole.complete() && !contradicts.test(whole)) {
        return ContentMatch.weak(Framing.WHOLE, "a JSON object longer than the sample, consistent with a " + what);
      }
      return ContentMatch.none("not a " + what);
    }
    if (!contradicts.test(o)) {
      return ContentMatch.weak(Framing.LINES, "first line longer than the sample, consistent with a " + what);
    }
    return ContentMatch.none("first line is not a " + what);
  }
}
