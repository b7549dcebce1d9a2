package dev.strata.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The released versions of every schema, kept under {@code schemas/compat/v<N>/} and packaged as resources at
 * {@code strata/schema-history/v<N>/}. The build checks that each current schema can read data written with every
 * released version (backward compatibility), and {@link AvroCodec} registers them so old records stay readable.
 */
public final class SchemaHistory {
  /** Released versions, oldest first. Add a line here when a new version is released. */
  public static final List<String> RELEASES = List.of("v1", "v2", "v3", "v4", "v5", "v6", "v7");

  /** Files of one release, in dependency order (named types before their users). */
  public static final List<String> FILES =
      List.of(
          "common/EvidenceContext.avsc",
          "common/CollectorInfo.avsc",
          "common/Compression.avsc",
          "common/Framing.avsc",
          "RawArtifactChunk.avsc",
          "ArtifactManifest.avsc",
          "DeadLetter.avsc",
          "EvidenceEvent.avsc",
          "EntityBinding.avsc",
          "Incident.avsc");

  private SchemaHistory() {}

  /** The top-level record schemas of one release, parsed together so shared named types resolve. */
  public static List<Schema> release(String version) {
    Schema.Parser parser = new Schema.Parser();
    List<Schema> out = new ArrayList<>();
    for (String file : FILES) {
      String resource = "strata/schema-history/" + version + "/" + file;
      try (InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          continue; // a schema added after this release
        }
        Schema schema = parser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        if (!file.startsWith("common/")) {
          out.add(schema); // shared types are checked as part of the records that use them
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
    }
    return out;
  }

  /** Every released version of the named schema, oldest first. */
  public static List<Schema> releasedVersionsOf(String fullName) {
    List<Schema> out = new ArrayList<>();
    for (String version : RELEASES) {
      for (Schema s : release(version)) {
        if (s.getFullName().equals(fullName)) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
