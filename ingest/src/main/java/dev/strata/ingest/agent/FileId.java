package dev.strata.ingest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * A file's identity on its node: device + inode ({@code unix:dev}, {@code unix:ino}). A rename keeps it; a new file
 * at the same path has another one. Inode reuse after a delete is caught by the fingerprint kept in the checkpoint.
 */
public record FileId(long dev, long ino) {

  /** The checkpoint source key: {@code inode:<dev>:<ino>}. */
  public String key() {
    return "inode:" + dev + ":" + ino;
  }

  /** The identity of the (non-link) file at {@code path}. */
  public static FileId of(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
    return new FileId(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
  }
}
