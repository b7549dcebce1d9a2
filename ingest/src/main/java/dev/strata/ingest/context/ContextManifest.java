package dev.strata.ingest.context;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A context manifest: a YAML (or JSON) list of entries {@code {path, host, cluster, cloud_provider, cloud_account,
 * cloud_region, cloud_instance}}, each applying to {@code <manifest dir>/<path>} and below. Parsed strictly: unknown or duplicate
 * keys, nested values, absolute paths or {@code ..} are errors naming the file, entry and line. Scalars are taken as
 * written (an unquoted {@code 012345678901} stays that string).
 */
public final class ContextManifest {
  public static final Set<String> FILE_NAMES =
      Set.of("strata-context.yaml", "strata-context.yml", "strata-context.json");
  static final List<String> KEYS =
      List.of("path", "host", "cluster", "cloud_provider", "cloud_account", "cloud_region", "cloud_instance");
  private static final long MAX_BYTES = 1024 * 1024;

  /**
   * One entry, its prefix made relative to the evidence root.
   *
   * @param prefix path relative to the evidence root ('/' separators, "" = the whole root)
   * @param values the context it sets
   * @param source manifest path relative to the root and entry number, for messages
   */
  public record Entry(String prefix, ContextValues values, String source) {
    public boolean covers(String relPath) {
      return prefix.isEmpty() || relPath.equals(prefix) || relPath.startsWith(prefix + "/");
    }
  }

  private ContextManifest() {}

  /**
   * @param file the manifest (a real file inside the root)
   * @param relPath its path relative to the evidence root
   */
  public static List<Entry> read(Path file, String relPath) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes((int) MAX_BYTES + 1);
    } catch (IOException e) {
      throw new ContextManifestException(relPath + ": cannot read context manifest: " + e, e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new ContextManifestException(relPath + ": context manifest larger than " + MAX_BYTES + " bytes");
    }
    int slash = relPath.lastIndexOf('/');
    String dir = slash < 0 ? "" : relPath.substring(0, slash);
    JsonFactory factory = relPath.endsWith(".json") ? new JsonFactory() : new YAMLFactory();
    try (JsonParser p = factory.createParser(bytes)) {
      return parse(p, relPath, dir);
    } catch (ContextManifestException e) {
      throw e;
    } catch (IOException e) {
      throw new ContextManifestException(relPath + ": not valid " + (relPath.endsWith(".json") ? "JSON" : "YAML")
          + ": " + e.getMessage(), e);
    }
  }

  private static List<Entry> parse(JsonParser p, String file, String dir) throws IOException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.START_ARRAY) {
      throw error(file, p, "must be a list of entries like '- path: node1/\\n  host: node1' (found "
          + (t == null ? "nothing" : t.asString() == null ? t.name() : t.asString()) + ")");
    }
    List<Entry> entries = new ArrayList<>();
    int n = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      n++;
      if (t != JsonToken.START_OBJECT) {
        throw error(file, p, "entry " + n + ": must be a mapping of " + KEYS);
      }
      Map<String, String> values = new HashMap<>();
      Set<String> seen = new LinkedHashSet<>();
      while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
        String key = p.currentName();
        if (!KEYS.contains(key)) {
          throw error(file, p, "entry " + n + ": unknown key '" + key + "' (allowed: " + String.join(", ", KEYS) + ")");
        }
        if (!seen.add(key)) {
          throw error(file, p, "entry " + n + ": duplicate key '" + key + "'");
        }
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_NULL) {
          continue;
        }
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
          throw error(file, p, "entry " + n + ": key '" + key + "' must be a string");
        }
        values.put(key, p.getText());
      }
      String path = normalize(file, p, n, values.getOrDefault("path", ""));
      ContextValues cv = new ContextValues(values.get("host"), values.get("cluster"), values.get("cloud_provider"),
          values.get("cloud_account"), values.get("cloud_region"), values.get("cloud_instance"));
      if (cv.isEmpty()) {
        throw error(file, p, "entry " + n + ": sets no context (give at least one of host, cluster, cloud_provider,"
            + " cloud_account, cloud_region, cloud_instance)");
      }
      String prefix = dir.isEmpty() ? path : path.isEmpty() ? dir : dir + "/" + path;
      entries.add(new Entry(prefix, cv, file + " entry " + n));
    }
    if (p.nextToken() != null) {
      throw error(file, p, "unexpected content after the list");
    }
    return entries;
  }

  private static String normalize(String file, JsonParser p, int n, String path) {
    String s = path.strip();
    if (s.startsWith("/")) {
      throw error(file, p, "entry " + n + ": path '" + path + "' must be relative to the manifest's directory");
    }
    List<String> comps = new ArrayList<>();
    for (String c : s.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw error(file, p, "entry " + n + ": path '" + path + "' must not contain '..' (a manifest only applies to"
            + " its directory and below)");
      }
      comps.add(c);
    }
    return String.join("/", comps);
  }

  private static ContextManifestException error(String file, JsonParser p, String message) {
    return new ContextManifestException(file + ":" + p.currentLocation().getLineNr() + ": " + message);
  }
}
