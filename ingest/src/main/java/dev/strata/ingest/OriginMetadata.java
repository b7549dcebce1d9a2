package dev.strata.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metadata of an artifact's origin that does not travel in its bytes: S3 user metadata (keys without
 * {@code x-amz-meta-}, lower case), e.g. a CloudTrail digest's {@code signature}. The S3 puller has it from the
 * GetObject response; for an offline copy it is read from sidecar files next to the artifact, first found wins per key:
 *
 * <ol>
 *   <li>{@code <file>.sig}: the hex {@code signature} (whitespace ignored);
 *   <li>{@code <file>.metadata.json} or {@code <file>.head.json}: the JSON printed by {@code aws s3api head-object}
 *       (its {@code Metadata} object); top-level {@code signature} / {@code x-amz-meta-signature} are accepted too.
 * </ol>
 * Sidecars are read without following symlinks, at most 64 KiB each; an unreadable sidecar is ignored.
 */
public final class OriginMetadata {
  /** Suffixes of the sidecar files (they are metadata of their artifact, not artifacts of their own). */
  public static final List<String> SIDECAR_SUFFIXES = List.of(".sig", ".metadata.json", ".head.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SIDECAR_BYTES = 64 * 1024;
  private static final String META_PREFIX = "x-amz-meta-";

  private OriginMetadata() {}

  /** The metadata the sidecars of {@code file} hold (empty when there are none). */
  public static Map<String, String> sidecars(Path file) {
    Map<String, String> out = new TreeMap<>();
    String name = file.getFileName().toString();
    byte[] sig = read(file.resolveSibling(name + ".sig"));
    if (sig != null) {
      String hex = new String(sig, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
      if (!hex.isEmpty()) out.put("signature", hex);
    }
    for (String suffix : List.of(".metadata.json", ".head.json")) {
      byte[] b = read(file.resolveSibling(name + suffix));
      if (b == null) continue;
      try {
        JsonNode n = JSON.readTree(b);
        if (n == null || !n.isObject()) continue;
        n.path("Metadata").fields().forEachRemaining(e -> {
          if (e.getValue().isValueNode()) out.putIfAbsent(key(e.getKey()), e.getValue().asText().strip());
        });
        for (String k : List.of("signature", "x-amz-meta-signature")) {
          JsonNode v = n.get(k);
          if (v != null && v.isTextual() && !v.asText().isBlank()) out.putIfAbsent("signature", v.asText().strip());
        }
      } catch (IOException e) {
        // not JSON: no metadata from this sidecar
      }
    }
    out.values().removeIf(String::isEmpty);
    return out;
  }

  private static String key(String k) {
    String l = k.toLowerCase(Locale.ROOT);
    return l.startsWith(META_PREFIX) ? l.substring(META_PREFIX.length()) : l;
  }

  private static byte[] read(Path p) {
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return null;
    try (InputStream in = Files.newInputStream(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      return in.readNBytes(MAX_SIDECAR_BYTES);
    } catch (IOException e) {
      return null;
    }
  }
}
