package dev.strata.ingest.recognize;

import dev.strata.ingest.libpod.SqliteFile;
import dev.strata.ingest.overlay.BoltFile;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code libpod_state_db}: Podman's own state database, as libpod writes it in its storage graph root (rootful {@code
 * /var/lib/containers/storage/}, rootless {@code ~/.local/share/containers/storage/}): {@code db.sql} (SQLite, Podman
 * 4.8+ optional and the default of new Podman 5 installations) or {@code libpod/bolt_state.db} (bbolt, the default
 * before). The collector preserves the file itself (its manifest, no chunks: no parser reads the binary form) and
 * derives from it one {@code libpod_state} artifact, a JSON line per container, pod and exit code ({@code
 * dev.strata.ingest.libpod.LibpodState}).
 *
 * <p>Content decides: an SQLite 3 file whose schema (on its first pages) creates libpod's tables ({@code
 * ContainerConfig}, {@code IDNamespace}), or a bbolt file whose first pages hold libpod's bucket names ({@code
 * id-registry}, {@code all-ctrs}): STRONG wherever it lies. The magic alone (the schema or the buckets further in
 * the file) is WEAK: the path decides ({@code **}{@code /db.sql}, {@code **}{@code /bolt_state.db}).
 */
public final class LibpodStateRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "libpod_state_db";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:db\\.sql|bolt_state\\.db)");

  public LibpodStateRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    byte[] b = sample.bytes();
    if (SqliteFile.hasMagic(b)) {
      if (contains(b, "ContainerConfig") && contains(b, "IDNamespace")) {
        return ContentMatch.strong(Framing.WHOLE, "SQLite database with libpod's tables (ContainerConfig, IDNamespace)");
      }
      return ContentMatch.weak(Framing.WHOLE, "SQLite database; libpod's tables not in the first pages");
    }
    if (BoltFile.hasMagic(b)) {
      if (contains(b, "id-registry") && contains(b, "all-ctrs")) {
        return ContentMatch.strong(Framing.WHOLE, "bbolt database with libpod's buckets (id-registry, all-ctrs)");
      }
      return ContentMatch.weak(Framing.WHOLE, "bbolt database; libpod's buckets not in the first pages");
    }
    return ContentMatch.none("neither an SQLite 3 nor a bbolt database");
  }

  private static boolean contains(byte[] hay, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + n.length <= hay.length; i++) {
      for (int j = 0; j < n.length; j++) if (hay[i + j] != n[j]) continue outer;
      return true;
    }
    return false;
  }
}
