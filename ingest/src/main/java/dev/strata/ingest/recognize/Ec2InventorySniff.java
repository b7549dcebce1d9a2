package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.List;

/**
 * What the two EC2 inventory recognizers share ({@link AwsEc2InstancesRecognizer}, {@link
 * AwsEc2NetworkInterfacesRecognizer}): the first record of the document, wherever the CLI puts it: the first element
 * of the top-level array {@code field} ({@code Reservations}, {@code NetworkInterfaces}: the CLI's JSON output), of a
 * root array ({@code --query 'Reservations[].Instances[]'}), or the object on the first line (JSON lines).
 */
final class Ec2InventorySniff {
  private Ec2InventorySniff() {}

  /** The first record and the framing its document is cut with, or null {@code first} with why not. */
  record Head(JsonSniff.Obj first, Framing framing, String notFound) {}

  static Head head(ContentSample sample, String field) {
    int start = sample.firstSignificant();
    if (start < 0) return new Head(null, null, "no content");
    byte[] b = sample.bytes();
    if (b[start] == '[') return rootArray(b, start);
    if (b[start] != '{') return new Head(null, null, "not JSON");
    JsonSniff.ListHead object = JsonSniff.arrayHead(sample, field);
    if (object.first() != null) return new Head(object.first(), Framing.JSON_RECORDS, null);
    if (object.notFound().endsWith("is not an array of objects")) return new Head(null, null, object.notFound());
    // not one document with that array: JSON lines?
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 1);
    if (!lines.isEmpty() && lines.get(0).complete()) {
      JsonSniff.Obj o = JsonSniff.object(b, lines.get(0).offset(), lines.get(0).length());
      if (o.valid() && o.complete()) return new Head(o, Framing.LINES, null);
    }
    return new Head(null, null, "no " + field + " array");
  }

  private static Head rootArray(byte[] b, int start) {
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // [
      if (p.nextToken() != JsonToken.START_OBJECT) return new Head(null, null, "a root array of no objects");
      return new Head(JsonSniff.readObject(p, start), Framing.JSON_RECORDS, null);
    } catch (IOException e) {
      return new Head(null, null, "not a JSON array");
    }
  }

  /** Whether {@code o} has at least one of {@code keys}. */
  static boolean hasAny(JsonSniff.Obj o, String... keys) {
    for (String k : keys) {
      if (o.has(k)) return true;
    }
    return false;
  }
}
