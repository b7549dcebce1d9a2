package dev.strata.ingest.libpod;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ingest.overlay.BoltFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Podman's own state database (libpod's {@code State}), read into one JSON line per object, the artifact format
 * {@code libpod_state} that its parser reads. Two engines, as libpod writes them:
 *
 * <ul>
 *   <li><b>SQLite</b> ({@code db.sql} in the storage graph root: {@code /var/lib/containers/storage/db.sql},
 *       {@code ~/.local/share/containers/storage/db.sql}; Podman 4.8+ optional, the default of new Podman 5
 *       installations; libpod/sqlite_state.go): tables {@code ContainerConfig(ID, Name, PodID, JSON)}, {@code
 *       ContainerState(ID, State, ExitCode, JSON)}, {@code PodConfig(ID, Name, JSON)}, {@code PodState(ID,
 *       InfraContainerID, JSON)}, {@code ContainerExitCode(ID, Timestamp, ExitCode)}, {@code DBConfig(..., StaticDir,
 *       TmpDir, GraphRoot, RunRoot, GraphDriver, VolumeDir)}; read by {@link SqliteFile}.
 *   <li><b>BoltDB</b> ({@code bolt_state.db} in the libpod static dir: {@code <graph root>/libpod/bolt_state.db};
 *       the default before Podman 5; libpod/boltdb_state.go): bucket {@code ctr} with one bucket per container id
 *       holding {@code config} and {@code state} (JSON) and {@code pod-id}; {@code all-ctrs} id -> name; {@code pod}
 *       with one bucket per pod id ({@code config}, {@code state}); {@code exit-code} / {@code exit-code-time-stamp}
 *       (id -> code, id -> time text: kept for {@code podman wait}); {@code runtime-config} ({@code static-dir},
 *       {@code graph-root}, ...); read by {@link BoltFile}.
 * </ul>
 *
 * Each line: {@code {"libpod_state":"sqlite"|"bolt","object":"container"|"pod"|"exit_code"|"error", "id", "name",
 * "pod_id", "config":{...}, "state":{...}, "state_code", "exit_code", "timestamp", "db":{"graph_root", "static_dir",
 * "run_root", "tmp_dir", "graph_driver", "volume_dir"}, "source":{"table", "rowid", "page"} | {"bucket"}}}. The
 * documents are copied as libpod stored them (a document that is not a JSON object is kept as text, {@code
 * config_text} / {@code state_text}). A database that cannot be read, wholly or from some page on, ends with one
 * {@code "object":"error"} line naming why and how many objects were read before: the parser dead-letters it, and the
 * objects before it still flow. Deterministic: the same file gives the same lines (table / key order).
 */
public final class LibpodState {
  /** The artifact format of the derived lines. */
  public static final String FORMAT = "libpod_state";
  /** {@code derived_from.method} of the derived artifact. */
  public static final String METHOD = "libpod_state_objects";

  /**
   * The error of a database that is readable but not libpod's (an SQLite file without ContainerConfig, a bbolt file
   * without the ctr bucket: another program's {@code db.sql}): no error line is written (nothing to dead-letter), the
   * collector reports it.
   */
  public static final String NOT_LIBPOD = "not libpod's state database";

  /** A database larger than this is not read (libpod's are a few MiB). */
  public static final long MAX_BYTES = 256L << 20;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private LibpodState() {}

  /** What a read gave: the engine, objects per kind, and the error that stopped it (null when complete). */
  public record Result(String engine, int containers, int pods, int exitCodes, String error) {}

  /** Reads the database in {@code db} (SQLite or bbolt, by its magic) and writes its objects to {@code out}. */
  public static Result derive(byte[] db, OutputStream out) throws IOException {
    return derive(db, null, null, out);
  }

  /**
   * As {@link #derive(byte[], OutputStream)}, an SQLite database seen through its write-ahead log {@code wal} (its
   * {@code -wal} file, or null) as SQLite would ({@link SqliteWal}): each line then says which log frame its row's
   * page came from ({@code source.wal_frame}), and every line's {@code db} the log's SHA-256 ({@code wal_sha256}, the
   * preserved {@code -wal} artifact) and its commits applied ({@code wal_commits}, {@code wal_stop} when it ended early).
   */
  public static Result derive(byte[] db, byte[] wal, String walSha256, OutputStream out) throws IOException {
    Writer w = new Writer(out, SqliteFile.hasMagic(db) ? "sqlite" : BoltFile.hasMagic(db) ? "bolt" : "unknown");
    try {
      if (w.engine.equals("sqlite") && wal != null) {
        SqliteWal.Applied a = SqliteWal.apply(db, wal);
        put(w.db, "wal_sha256", walSha256);
        w.db.put("wal_commits", Integer.toString(a.commits()));
        put(w.db, "wal_stop", a.stop());
        w.walPages = a.pages();
        db = a.image();
      }
      if (w.engine.equals("sqlite")) sqlite(new SqliteFile(db), w);
      else if (w.engine.equals("bolt")) bolt(new BoltFile(db), w);
      else throw new IOException("neither an SQLite 3 nor a bbolt database");
    } catch (IOException | RuntimeException e) {
      w.error(e instanceof IOException ? e.getMessage() : e.toString());
    }
    out.flush();
    return new Result(w.engine, w.containers, w.pods, w.exitCodes, w.error);
  }

  // ------------------------------------------------------------------------------------------------------ SQLite

  private static void sqlite(SqliteFile f, Writer w) throws IOException {
    Map<String, SqliteFile.Table> tables = f.tables();
    SqliteFile.Table config = tables.get("ContainerConfig");
    if (config == null) throw new IOException(NOT_LIBPOD + " (no ContainerConfig table)");
    SqliteFile.Table dbc = tables.get("DBConfig");
    if (dbc != null) {
      for (SqliteFile.Row r : f.rows(dbc.rootPage())) {
        put(w.db, "static_dir", col(r, dbc, "StaticDir"));
        put(w.db, "tmp_dir", col(r, dbc, "TmpDir"));
        put(w.db, "graph_root", col(r, dbc, "GraphRoot"));
        put(w.db, "run_root", col(r, dbc, "RunRoot"));
        put(w.db, "graph_driver", col(r, dbc, "GraphDriver"));
        put(w.db, "volume_dir", col(r, dbc, "VolumeDir"));
        put(w.db, "os", col(r, dbc, "OS"));
        put(w.db, "schema_version", col(r, dbc, "SchemaVersion"));
      }
    }
    // the states first (a container's line carries both), then the configs in their table's order
    Map<String, SqliteFile.Row> states = new LinkedHashMap<>();
    SqliteFile.Table state = tables.get("ContainerState");
    List<SqliteFile.Row> rows = new ArrayList<>();
    IOException stateError = null;
    if (state != null) {
      try {
        f.rows(state.rootPage(), rows);
      } catch (IOException e) {
        stateError = e;
      }
      for (SqliteFile.Row r : rows) states.put(col(r, state, "ID"), r);
    }
    rows = new ArrayList<>();
    IOException configError = null;
    try {
      f.rows(config.rootPage(), rows);
    } catch (IOException e) {
      configError = e;
    }
    for (SqliteFile.Row r : rows) {
      String id = col(r, config, "ID");
      SqliteFile.Row s = states.get(id);
      w.begin("container", id, col(r, config, "Name"));
      w.text("pod_id", col(r, config, "PodID"));
      w.document("config", col(r, config, "JSON"));
      if (s != null) {
        w.document("state", col(s, state, "JSON"));
        w.number("state_code", s.integer(state.column("State")));
        w.number("exit_code", s.integer(state.column("ExitCode")));
      }
      w.end(s == null ? Map.of("table", "ContainerConfig", "rowid", r.rowid(), "page", r.page())
          : Map.of("table", "ContainerConfig", "rowid", r.rowid(), "page", r.page(), "state_page", s.page()));
      w.containers++;
    }
    if (configError != null) throw new IOException("ContainerConfig: " + configError.getMessage(), configError);
    if (stateError != null) throw new IOException("ContainerState: " + stateError.getMessage(), stateError);
    SqliteFile.Table pods = tables.get("PodConfig");
    SqliteFile.Table podStates = tables.get("PodState");
    if (pods != null) {
      Map<String, SqliteFile.Row> ps = new LinkedHashMap<>();
      if (podStates != null) for (SqliteFile.Row r : f.rows(podStates.rootPage())) ps.put(col(r, podStates, "ID"), r);
      for (SqliteFile.Row r : f.rows(pods.rootPage())) {
        String id = col(r, pods, "ID");
        w.begin("pod", id, col(r, pods, "Name"));
        w.document("config", col(r, pods, "JSON"));
        SqliteFile.Row s = ps.get(id);
        if (s != null) {
          w.text("infra_container_id", col(s, podStates, "InfraContainerID"));
          w.document("state", col(s, podStates, "JSON"));
        }
        w.end(Map.of("table", "PodConfig", "rowid", r.rowid(), "page", r.page()));
        w.pods++;
      }
    }
    SqliteFile.Table exits = tables.get("ContainerExitCode");
    if (exits != null) {
      for (SqliteFile.Row r : f.rows(exits.rootPage())) {
        w.begin("exit_code", col(r, exits, "ID"), null);
        w.number("exit_code", r.integer(exits.column("ExitCode")));
        w.number("timestamp", r.integer(exits.column("Timestamp")));
        w.end(Map.of("table", "ContainerExitCode", "rowid", r.rowid(), "page", r.page()));
        w.exitCodes++;
      }
    }
  }

  private static String col(SqliteFile.Row r, SqliteFile.Table t, String name) {
    int i = t.column(name);
    return i < 0 ? null : r.text(i);
  }

  // ------------------------------------------------------------------------------------------------------ BoltDB

  private static void bolt(BoltFile f, Writer w) throws IOException {
    BoltFile.Bucket root = f.root();
    BoltFile.Bucket ctrs = root.bucket("ctr");
    if (ctrs == null) throw new IOException(NOT_LIBPOD + " (no ctr bucket)");
    BoltFile.Bucket rc = root.bucket("runtime-config");
    if (rc != null) {
      put(w.db, "static_dir", utf8(rc.get("static-dir")));
      put(w.db, "tmp_dir", utf8(rc.get("tmp-dir")));
      put(w.db, "graph_root", utf8(rc.get("graph-root")));
      put(w.db, "run_root", utf8(rc.get("run-root")));
      put(w.db, "graph_driver", utf8(rc.get("graph-driver-name")));
      put(w.db, "volume_dir", utf8(rc.get("volume-path")));
      put(w.db, "os", utf8(rc.get("os")));
    }
    Map<String, String> names = new LinkedHashMap<>();
    BoltFile.Bucket all = root.bucket("all-ctrs");
    if (all != null) for (BoltFile.Entry e : all.entries()) if (e.value() != null) names.put(e.key(), utf8(e.value()));
    for (BoltFile.Entry e : ctrs.entries()) {
      if (e.bucket() == null) continue;
      BoltFile.Bucket c = e.bucket();
      byte[] config = c.get("config");
      byte[] state = c.get("state");
      w.begin("container", e.key(), names.get(e.key()));
      w.text("pod_id", utf8(c.get("pod-id")));
      w.document("config", utf8(config));
      w.document("state", utf8(state));
      JsonNode s = w.last("state");
      if (s != null && s.path("state").isIntegralNumber()) w.number("state_code", s.path("state").asLong());
      if (s != null && s.path("exitCode").isIntegralNumber()) w.number("exit_code", s.path("exitCode").asLong());
      w.end(Map.of("bucket", "ctr/" + e.key()));
      w.containers++;
    }
    // the exit codes libpod keeps for `podman wait` (Podman 4.x): id -> decimal code, id -> time.MarshalText
    BoltFile.Bucket exits = root.bucket("exit-code");
    BoltFile.Bucket stamps = root.bucket("exit-code-time-stamp");
    if (exits != null) {
      for (BoltFile.Entry e : exits.entries()) {
        if (e.value() == null) continue;
        w.begin("exit_code", e.key(), null);
        String code = utf8(e.value()).trim();
        w.number("exit_code", code.matches("-?\\d{1,3}") ? Long.valueOf(code) : null);
        w.text("time", stamps == null ? null : utf8(stamps.get(e.key())));
        w.end(Map.of("bucket", "exit-code/" + e.key()));
        w.exitCodes++;
      }
    }
    BoltFile.Bucket pods = root.bucket("pod");
    if (pods != null) {
      Map<String, String> podNames = new LinkedHashMap<>();
      BoltFile.Bucket allPods = root.bucket("allPods");
      if (allPods != null) {
        for (BoltFile.Entry e : allPods.entries()) if (e.value() != null) podNames.put(e.key(), utf8(e.value()));
      }
      for (BoltFile.Entry e : pods.entries()) {
        if (e.bucket() == null) continue;
        w.begin("pod", e.key(), podNames.get(e.key()));
        w.document("config", utf8(e.bucket().get("config")));
        w.document("state", utf8(e.bucket().get("state")));
        w.end(Map.of("bucket", "pod/" + e.key()));
        w.pods++;
      }
    }
  }

  private static String utf8(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null && !v.isEmpty()) m.put(k, v);
  }

  /** Writes the lines; remembers the database's configuration to repeat it on every line (each line stands alone). */
  private static final class Writer {
    final OutputStream out;
    final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    JsonGenerator g;
    final String engine;
    final Map<String, String> db = new LinkedHashMap<>();
    final Map<String, JsonNode> docs = new LinkedHashMap<>();
    Map<Integer, Integer> walPages = Map.of();
    int containers;
    int pods;
    int exitCodes;
    String error;

    Writer(OutputStream out, String engine) {
      this.out = out;
      this.engine = engine;
    }

    /** Starts an object's line; it reaches {@code out} whole at {@link #end}, or not at all (a read failed). */
    void begin(String object, String id, String name) throws IOException {
      docs.clear();
      line.reset();
      g = MAPPER.getFactory().createGenerator(line, JsonEncoding.UTF8);
      g.writeStartObject();
      g.writeStringField("libpod_state", engine);
      g.writeStringField("object", object);
      text("id", id);
      text("name", name);
    }

    void text(String k, String v) throws IOException {
      if (v != null) g.writeStringField(k, v);
    }

    void number(String k, Long v) throws IOException {
      if (v != null) g.writeNumberField(k, v);
    }

    /** A stored JSON document: as the object it is, else as text under {@code <k>_text}. */
    void document(String k, String json) throws IOException {
      if (json == null) return;
      JsonNode n = null;
      try {
        n = MAPPER.readTree(json);
      } catch (IOException bad) {
        // kept as text below: the parser says it is not JSON
      }
      if (n != null && n.isObject()) {
        g.writeFieldName(k);
        g.writeTree(n);
        docs.put(k, n);
      } else {
        g.writeStringField(k + "_text", json);
      }
    }

    JsonNode last(String k) {
      return docs.get(k);
    }

    void end(Map<String, Object> source) throws IOException {
      if (!db.isEmpty()) {
        g.writeObjectFieldStart("db");
        for (Map.Entry<String, String> e : db.entrySet()) g.writeStringField(e.getKey(), e.getValue());
        g.writeEndObject();
      }
      g.writeObjectFieldStart("source");
      Map<String, Object> src = new java.util.TreeMap<>(source);
      Integer frame = source.get("page") instanceof Integer p ? walPages.get(p) : null;
      if (frame != null) src.put("wal_frame", frame);
      Integer stateFrame = source.get("state_page") instanceof Integer p ? walPages.get(p) : null;
      if (stateFrame != null) src.put("state_wal_frame", stateFrame);
      for (Map.Entry<String, Object> e : src.entrySet()) {
        if (e.getValue() instanceof Number n) g.writeNumberField(e.getKey(), n.longValue());
        else g.writeStringField(e.getKey(), String.valueOf(e.getValue()));
      }
      g.writeEndObject();
      g.writeEndObject();
      g.close();
      g = null;
      line.write('\n');
      line.writeTo(out);
    }

    void error(String message) throws IOException {
      error = message == null ? "unreadable" : message;
      g = null; // an object whose read failed half-way is not written
      if (error.startsWith(NOT_LIBPOD) && containers + pods + exitCodes == 0) return; // another program's database
      line.reset();
      try (JsonGenerator e = MAPPER.getFactory().createGenerator(line, JsonEncoding.UTF8)) {
        e.writeStartObject();
        e.writeStringField("libpod_state", engine);
        e.writeStringField("object", "error");
        e.writeStringField("error", error);
        e.writeNumberField("containers_read", containers);
        e.writeNumberField("pods_read", pods);
        e.writeEndObject();
      }
      line.write('\n');
      line.writeTo(out);
    }
  }
}
