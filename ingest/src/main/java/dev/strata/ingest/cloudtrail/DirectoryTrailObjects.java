package dev.strata.ingest.cloudtrail;

import dev.strata.ingest.OriginMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trail copied to a directory (an evidence bundle, {@code aws s3 sync}). S3 object metadata does not survive such a
 * copy, so each digest's signature (and signature algorithm) is read from a sidecar next to it, first found wins:
 *
 * <ol>
 *   <li>{@code <digest file>.sig}: the hex signature (the value of {@code x-amz-meta-signature}), whitespace ignored;
 *   <li>{@code <digest file>.metadata.json} or {@code <digest file>.head.json}: the JSON printed by
 *       {@code aws s3api head-object --bucket B --key K} (its {@code Metadata.signature}); a JSON object with a
 *       top-level {@code signature} or {@code x-amz-meta-signature} is accepted too; its {@code Metadata.signature-algorithm} is the
 *       algorithm S3 recorded.
 * </ol>
 * (see {@link OriginMetadata}). Files are opened read-only without following symlinks; symlinked files and directories are not listed.
 */
public final class DirectoryTrailObjects implements TrailObjects {
  public static final List<String> SIDECAR_SUFFIXES = OriginMetadata.SIDECAR_SUFFIXES;

  private final Path root;

  public DirectoryTrailObjects(Path root) {
    this.root = root;
  }

  @Override
  public List<String> ids() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + " is not a directory");
    }
    List<String> out = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          out.add(root.relativize(file).toString().replace(java.io.File.separatorChar, '/'));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) {
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

  @Override
  public InputStream open(String id) throws IOException {
    return Files.newInputStream(root.resolve(id), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public Map<String, String> originMetadata(String id) {
    return OriginMetadata.sidecars(root.resolve(id));
  }

  @Override
  public String describe(String id) {
    return root.resolve(id).toString();
  }
}
