package dev.strata.ingest.walk;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A regular file inside the evidence root, reached without following any symlink.
 *
 * @param path absolute path (every component a real directory, inside the root)
 * @param relPath path relative to the evidence root with '/' separators (the artifact's origin)
 * @param size size in bytes at walk time
 * @param mtime last-modified time at walk time
 */
public record EvidenceFile(Path path, String relPath, long size, Instant mtime) {}
