package dev.strata.ingest.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local copy of a collector's positions: a JSON file written atomically (temp file in the same directory, fsync,
 * rename). It is a cache and a way to inspect an agent offline; the checkpoint topic is authoritative.
 *
 * <pre>{"v":1,"collector_id":"node-a","written_at":"...","positions":{"/var/log/x.log":{"offset":42}}}</pre>
 */
public final class CheckpointFile {
  private CheckpointFile() {}

  public static void write(Path file, String collectorId, Map<String, Position> positions) throws IOException {
    ObjectNode root = CheckpointRecord.json().createObjectNode();
    root.put("v", 1);
    root.put("collector_id", collectorId);
    root.put("written_at", Instant.now().toString());
    ObjectNode ps = root.putObject("positions");
    new TreeMap<>(positions).forEach((k, p) -> ps.set(k, CheckpointRecord.toJson(p)));
    byte[] bytes = CheckpointRecord.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The positions in {@code file}; empty when the file does not exist. */
  public static Map<String, Position> read(Path file) throws IOException {
    Map<String, Position> out = new TreeMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    JsonNode root = CheckpointRecord.json().readTree(file.toFile());
    JsonNode ps = root == null ? null : root.get("positions");
    if (ps == null || !ps.isObject()) {
      throw new IOException(file + ": not a strata checkpoint file (no 'positions' object)");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), CheckpointRecord.fromJson(e.getValue()));
    }
    return out;
  }
}
