package dev.strata.parse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Compares an Avro record with a partial JSON document of expected ("golden") fields. */
public final class Golden {
  private static final ObjectMapper M = new ObjectMapper();

  private Golden() {}

  /** The record as a JSON tree (Avro's JSON rendering; timestamps as ISO-8601 instants). */
  public static JsonNode json(SpecificRecord r) {
    try {
      return M.readTree(r.toString());
    } catch (Exception e) {
      throw new AssertionError("record does not render as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Every field of {@code expected} must be present in {@code actual} with the same value; objects are compared
   * field by field (extra actual fields are fine), arrays element by element (same length), scalars exactly. A field expected as JSON null must
   * be null or absent.
   */
  public static void assertMatches(String what, JsonNode expected, JsonNode actual) {
    match(what, expected, actual);
  }

  private static void match(String path, JsonNode exp, JsonNode act) {
    if (exp.isObject()) {
      if (act == null || !act.isObject()) fail("%s: expected an object %s but was %s", path, exp, act);
      Iterator<Map.Entry<String, JsonNode>> it = exp.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode a = act.get(e.getKey());
        if (e.getValue().isNull()) {
          assertThat(a == null || a.isNull()).as("%s.%s should be null but was %s", path, e.getKey(), a).isTrue();
        } else {
          if (a == null) fail("%s.%s missing; expected %s", path, e.getKey(), e.getValue());
          match(path + "." + e.getKey(), e.getValue(), a);
        }
      }
    } else if (exp.isArray() && act != null && act.isArray()) {
      assertThat(act.size()).as("%s: size of %s", path, act).isEqualTo(exp.size());
      for (int i = 0; i < exp.size(); i++) match(path + "[" + i + "]", exp.get(i), act.get(i));
    } else if (exp.isNumber() && act != null && act.isNumber()) {
      assertThat(act.decimalValue().compareTo(exp.decimalValue())).as("%s: %s vs %s", path, act, exp).isZero();
    } else {
      assertThat(act).as(path).isEqualTo(exp);
    }
  }
}
