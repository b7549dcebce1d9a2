package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code crictl_inspect}: crictl's JSON exports of the CRI — {@code crictl inspect} / {@code inspectp} (an object
 * with {@code status} and {@code info}, several concatenated or in an array), {@code crictl ps -a -o json}
 * ({@code {"containers":[...]}}) and {@code crictl pods -o json} ({@code {"items":[...]}}). Framing WHOLE (one
 * document per file; the parser tells the shapes apart).
 *
 * <p>Path: {@code **}{@code /crictl[-_]*.json} (e.g. {@code crictl-inspect-<id>.json}, {@code crictl_ps.json}).
 * Content: an object (or an array whose first element is one) with {@code status} and {@code info} objects: STRONG;
 * {@code status} alone: WEAK; {@code containers} with a {@code podSandboxId} or a {@code CONTAINER_} state in the
 * sample: STRONG; {@code items} with a {@code SANDBOX_} state in the sample: STRONG.
 */
public final class CrictlInspectRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "crictl_inspect";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)crictl[-_][^/]*\\.json");

  public CrictlInspectRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    JsonSniff.Obj o;
    if (b[start] == '{') {
      o = JsonSniff.object(b, start, b.length - start);
    } else if (b[start] == '[') {
      try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
        p.nextToken();
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return ContentMatch.none("not a JSON array of objects");
        }
        o = JsonSniff.readObject(p, start);
      } catch (IOException e) {
        return ContentMatch.none("not JSON");
      }
    } else {
      return ContentMatch.none("not JSON");
    }
    if (!o.valid()) {
      return ContentMatch.none("not a JSON object");
    }
    boolean status = JsonSniff.NESTED.equals(o.fields().get("status"));
    if (status && JsonSniff.NESTED.equals(o.fields().get("info"))) {
      return ContentMatch.strong(Framing.WHOLE, "crictl inspect / inspectp output (status, info)");
    }
    String text = new String(b, start, b.length - start, StandardCharsets.ISO_8859_1);
    if (status && (text.contains("\"CONTAINER_") || text.contains("\"SANDBOX_"))) {
      return ContentMatch.strong(Framing.WHOLE, "crictl inspect output (status with a CRI state)");
    }
    if (JsonSniff.NESTED.equals(o.fields().get("containers"))
        && (text.contains("\"podSandboxId\"") || text.contains("\"CONTAINER_"))) {
      return ContentMatch.strong(Framing.WHOLE, "crictl ps -o json output (containers)");
    }
    if (JsonSniff.NESTED.equals(o.fields().get("items")) && text.contains("\"SANDBOX_")) {
      return ContentMatch.strong(Framing.WHOLE, "crictl pods -o json output (items with SANDBOX_ states)");
    }
    if (status && !o.complete()) {
      return ContentMatch.weak(Framing.WHOLE, "an object with status, longer than the sample");
    }
    return ContentMatch.none("not a crictl export (status+info, containers, items of pod sandboxes)");
  }
}
