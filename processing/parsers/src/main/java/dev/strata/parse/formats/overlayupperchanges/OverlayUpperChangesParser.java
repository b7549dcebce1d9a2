package dev.strata.parse.formats.overlayupperchanges;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordsParser;
import dev.strata.parse.JsonTreeMapper;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The collector's synthesized listing of a container's writable overlay layer (the offline {@code docker diff},
 * see ingest's {@code OverlayUpperChanges}): JSON lines, one per entry of the upper dir, to OCSF 1001 File System
 * Activity.
 *
 * <pre>
 * kind added -> 1 Create, changed -> 3 Update, deleted -> 4 Delete, added_or_changed (lower layers unknown) -> 99
 *      Other "Create or Update"; a record without path or kind: missing_field
 * path -> file.path, its last segment -> file.name; type -> file.type; size, mode, sha256 -> file.*;
 * mtime -> file.modified_time and time (the last change the layer recorded; time_original = mtime as written);
 *      no mtime (whiteouts keep theirs): observed time, warned
 * container_id -> container.uid, runtime -> container.runtime (a containerd snapshot without container id: the
 *      snapshot id is in unmapped snapshot_id)
 * uid, gid, link_target, opaque, rdev, layer, snapshot_id, upper_dir, evidence_path, sha256_skipped, error,
 *      lower_mode, lower_uid, lower_gid -> unmapped (evidence_path: where the entry is in the evidence root)
 * a directory with children_only (in the listing for the entries below it only: copied up, same mode and owner as
 *      below, not opaque) -> no event: its entries are the changes, its mtime is theirs
 * </pre>
 */
public final class OverlayUpperChangesParser extends JsonRecordsParser {

  public static final String FORMAT = "overlay_upper_changes";

  public OverlayUpperChangesParser() {
    super(FORMAT, Set.of(), Mapper::new);
  }

  private static final class Mapper extends JsonTreeMapper {
    private final ChunkContext ctx;

    Mapper(ChunkContext ctx) {
      this.ctx = ctx;
    }

    @Override
    protected EvidenceEvent map(ObjectNode r, RecordSpan span) throws RecordException {
      String path = Json.text(r, "path");
      String kind = Json.text(r, "kind");
      if (path == null || kind == null || !r.path("path").isTextual()) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not an overlay upper dir entry: no path or kind");
      }
      if (r.path("children_only").asBoolean(false) && "dir".equals(Json.text(r, "type"))) {
        return null; // a directory in the listing for its entries only: they are the changes (no row of its own)
      }
      int activity;
      String name;
      switch (kind) {
        case "added" -> {
          activity = OcsfClass.ACTIVITY_CREATE;
          name = "Create";
        }
        case "changed" -> {
          activity = OcsfClass.ACTIVITY_UPDATE;
          name = "Update";
        }
        case "deleted" -> {
          activity = OcsfClass.ACTIVITY_DELETE;
          name = "Delete";
        }
        case "added_or_changed" -> {
          activity = OcsfClass.ACTIVITY_OTHER;
          name = "Create or Update";
        }
        default -> throw new RecordException(RejectReason.MISSING_FIELD, "unknown kind '" + kind + "'");
      }
      EvidenceEvent e = ctx.newEvent(OcsfClass.FILE_SYSTEM_ACTIVITY, activity, name, span.start(), span.end(),
          span.line(), span.ordinal(), 0, new HashMap<>(16));
      Map<String, String> u = e.getUnmapped();
      e.setSeverityId(1);
      e.setSeverity("Informational");
      File f = new File();
      f.setPath(path);
      String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
      f.setName(trimmed.substring(trimmed.lastIndexOf('/') + 1));
      f.setType(Json.text(r, "type"));
      JsonNode size = r.get("size");
      if (size != null && size.canConvertToLong()) f.setSize(size.asLong());
      f.setMode(Json.text(r, "mode"));
      f.setSha256(Json.text(r, "sha256"));
      String mtime = Json.text(r, "mtime");
      ctx.applyTime(e, mtime, "mtime");
      if (mtime != null) {
        long micros = Timestamps.toMicros(mtime);
        if (micros != Timestamps.INVALID) f.setModifiedTime(Timestamps.toInstant(micros));
      }
      e.setFile(f);
      String cid = Json.text(r, "container_id");
      String runtime = Json.text(r, "runtime");
      if (cid != null || runtime != null) {
        Container c = new Container();
        c.setUid(cid);
        c.setRuntime(runtime);
        e.setContainer(c);
      }
      u.put("kind", kind);
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        var fld = it.next();
        switch (fld.getKey()) {
          case "path", "kind", "type", "size", "mode", "sha256", "mtime", "container_id", "runtime" -> {}
          default -> {
            String v = Json.text(fld.getValue());
            if (v != null) u.put(fld.getKey(), v.length() > 4096 ? v.substring(0, 4096) : v);
          }
        }
      }
      String who = cid != null ? " in container " + (cid.length() > 12 ? cid.substring(0, 12) : cid)
          : u.containsKey("snapshot_id") ? " in snapshot " + u.get("snapshot_id") : "";
      e.setMessage(kind.replace('_', ' ') + " " + path + who);
      e.setRawData(ctx.rawText(span.start(), span.end()));
      return e;
    }
  }
}
