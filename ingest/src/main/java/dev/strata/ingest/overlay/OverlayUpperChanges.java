package dev.strata.ingest.overlay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.ingest.walk.EvidenceFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offline {@code docker diff}: finds each container's writable overlay layer (its "upper dir") in an evidence
 * root and lists what the container changed, as JSON lines ({@code overlay_upper_changes}).
 *
 * <p>Where the writable layers are (found from marker files the collector's name search reports):
 *
 * <ul>
 *   <li>Docker: {@code <root>/image/overlay2/layerdb/mounts/<container id>/mount-id} holds the mount id; the upper
 *       dir is {@code <root>/overlay2/<mount id>/diff}, its lower layers the {@code l/<short>} links listed in
 *       {@code <root>/overlay2/<mount id>/lower} ({@code l/<short>} -> {@code ../<layer>/diff});
 *   <li>Podman / CRI-O (containers/storage): {@code <storage>/overlay-containers/containers.json} (and
 *       {@code volatile-containers.json}) binds each container id to its layer; the upper dir is
 *       {@code <storage>/overlay/<layer>/diff}, lower layers from {@code <storage>/overlay/<layer>/lower} likewise;
 *   <li>containerd: {@code <root>/io.containerd.snapshotter.v1.overlayfs/metadata.db}, the overlayfs snapshotter's
 *       bbolt database ({@link BoltFile}; containerd snapshots/storage/bolt.go: {@code v1/snapshots/<key>} with
 *       {@code id} (uvarint: the directory {@code snapshots/<id>}), {@code kind}, {@code parent}), names each
 *       snapshot: an active snapshot named after a container ({@link #containerOf}: {@code k8s.io/<n>/<container
 *       id>} of the CRI plugin, nerdctl's, Docker Engine's with the containerd image store {@code moby/<n>/<id>}, a
 *       {@code ctr run} container's name) is that container's upper dir {@code snapshots/<id>/fs}, its
 *       lower layers the parent chain's {@code fs} dirs; committed snapshots (image layers) and views are not
 *       writable layers and are not listed. When the database is empty, unreadable or names no snapshot of a
 *       directory, each {@code snapshots/<n>/fs} is listed with its snapshot id only, without lower layers, as
 *       before (a warning says why).
 * </ul>
 *
 * Every path is checked component by component with lstat semantics: a layer directory reached through a symlink
 * is refused (a link in the evidence can never make the collector read outside the root), ids read from the
 * evidence must look like ids (no {@code ../}). The walk never follows a symlink, never opens anything but regular
 * files (to hash them, at most {@code maxHashBytes} each, opened with O_NOFOLLOW), and never writes into the
 * evidence. Memory: one directory listing at a time plus the stack of pending directories; records are streamed.
 *
 * <p>One record per entry of the upper dir: {@code runtime, container_id, snapshot_id, layer, upper_dir,
 * evidence_path, path} (inside the container), {@code kind} (added | changed | deleted | added_or_changed when the
 * lower layers are unknown), {@code type} (file, dir, symlink, char, block, fifo, socket, whiteout), {@code size,
 * mode} (octal), {@code uid, gid, mtime} (RFC 3339), {@code sha256} (or {@code sha256_skipped} with the reason),
 * {@code link_target} (symlinks, read, never followed), {@code opaque} (a directory that hides its lower contents:
 * {@code .wh..wh..opq}, or the {@code user.overlay.opaque} / {@code user.fuseoverlayfs.opaque} xattr; the
 * {@code trusted.overlay.opaque} xattr is not readable from the JVM and not reported). Whiteouts (a 0/0 character
 * device, or an aufs-style {@code .wh.<name>} file) are "deleted" records for {@code <name>}. A directory is in the
 * upper dir whenever anything below it changed (overlayfs copies the parents up, and a change below sets its mtime):
 * {@code children_only: true} says that nothing shows a change of its own -- it has entries below it, is not
 * opaque, and is not new: in the lower layers with the same mode, uid and gid, or the lower layers are unknown (a
 * directory the container created then reads as one whose children changed: its entries still name it). A
 * directory whose mode or owner differ from the lower layer's states them as {@code lower_mode, lower_uid,
 * lower_gid}.
 */
public final class OverlayUpperChanges {

  public static final String SOURCE_TYPE = "overlay_upper_changes";
  /** File names the collector's name search must report to this class. */
  public static final Set<String> MARKER_NAMES =
      Set.of("mount-id", "containers.json", "volatile-containers.json", "metadata.db");
  public static final long DEFAULT_MAX_HASH_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_MAX_ENTRIES = 2_000_000;

  private static final Pattern DOCKER_MOUNT =
      Pattern.compile("(.*/)?image/overlay2/layerdb/mounts/([0-9a-f]{64})/mount-id");
  private static final Pattern PODMAN_CONTAINERS =
      Pattern.compile("(.*/)?overlay-containers/(?:volatile-)?containers\\.json");
  private static final Pattern CONTAINERD_META =
      Pattern.compile("(.*/)?io\\.containerd\\.snapshotter\\.v1\\.overlayfs/metadata\\.db");
  private static final Pattern LAYER_ID = Pattern.compile("[0-9a-f]{64}(?:-init)?");
  private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");
  /** containerd's snapshotter database is read whole: a node's is kilobytes to a few megabytes. */
  static final long MAX_SNAPSHOTTER_DB = 256L * 1024 * 1024;
  private static final Pattern SHORT_LINK = Pattern.compile("l/[A-Za-z0-9]{1,64}");
  private static final Pattern LINK_TARGET = Pattern.compile("\\.\\./([0-9a-f]{64}(?:-init)?)/diff/?");
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final HexFormat HEX = HexFormat.of();

  /** One writable layer to list. {@code lowerRels} null: the lower layers are unknown. */
  public record Upper(
      String runtime, String containerId, String snapshotId, String layer, String upperRel, List<String> lowerRels) {}

  private final Path realRoot;
  private final long maxHashBytes;
  private final long maxEntries;
  private final BiConsumer<String, String> warn;

  /**
   * @param realRoot the evidence root as a real path
   * @param warn receives (path, message) for anything worth a warning in the collection report
   */
  public OverlayUpperChanges(Path realRoot, long maxHashBytes, long maxEntries, BiConsumer<String, String> warn) {
    this.realRoot = realRoot;
    this.maxHashBytes = maxHashBytes;
    this.maxEntries = maxEntries;
    this.warn = warn;
  }

  // ---- locating the writable layers ---------------------------------------------------------------------------

  /** The writable layers named by the marker files (as found by the walker: real files inside the root). */
  public List<Upper> locate(List<EvidenceFile> markers) {
    List<Upper> out = new ArrayList<>();
    for (EvidenceFile f : markers) {
      String rel = f.relPath();
      try {
        Matcher m = DOCKER_MOUNT.matcher(rel);
        if (m.matches()) {
          docker(m.group(1) == null ? "" : m.group(1), m.group(2), f, out);
          continue;
        }
        m = PODMAN_CONTAINERS.matcher(rel);
        if (m.matches()) {
          podman(m.group(1) == null ? "" : m.group(1), f, out);
          continue;
        }
        m = CONTAINERD_META.matcher(rel);
        if (m.matches()) containerd(m.group(1) == null ? "" : m.group(1), f, out);
      } catch (IOException | RuntimeException e) {
        warn.accept(rel, "cannot resolve container writable layers: " + e);
      }
    }
    return out;
  }

  private void docker(String dataRoot, String containerId, EvidenceFile f, List<Upper> out) throws IOException {
    String mountId = readSmall(f.path()).strip();
    if (!LAYER_ID.matcher(mountId).matches()) {
      warn.accept(f.relPath(), "mount-id is not a layer id; container " + containerId + " skipped");
      return;
    }
    String layerDir = dataRoot + "overlay2/" + mountId;
    String upper = layerDir + "/diff";
    if (!isRealDir(upper)) {
      warn.accept(upper, "writable layer of container " + containerId + " not found (or reached through a link)");
      return;
    }
    out.add(new Upper("docker", containerId, null, mountId, upper, lowers(dataRoot + "overlay2/", layerDir)));
  }

  private void podman(String storageRoot, EvidenceFile f, List<Upper> out) throws IOException {
    byte[] json = Files.readAllBytes(f.path());
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        warn.accept(f.relPath(), "containers.json is not a JSON array");
        return;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String id = null;
        String layer = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          JsonToken t = p.nextToken();
          if (t == JsonToken.VALUE_STRING && k.equals("id")) id = p.getText();
          else if (t == JsonToken.VALUE_STRING && k.equals("layer")) layer = p.getText();
          else p.skipChildren();
        }
        if (id == null || layer == null || !LAYER_ID.matcher(layer).matches()) {
          warn.accept(f.relPath(), "container " + id + " without a valid layer id skipped");
          continue;
        }
        String layerDir = storageRoot + "overlay/" + layer;
        String upper = layerDir + "/diff";
        if (!isRealDir(upper)) {
          warn.accept(upper, "writable layer of container " + id + " not found (or reached through a link)");
          continue;
        }
        out.add(new Upper(storageRoot.contains("cri-o") ? "cri-o" : "podman", id, null, layer, upper,
            lowers(storageRoot + "overlay/", layerDir)));
      }
    }
  }

  private void containerd(String snapRoot, EvidenceFile f, List<Upper> out) throws IOException {
    String snaps = snapRoot + "io.containerd.snapshotter.v1.overlayfs/snapshots";
    if (!isRealDir(snaps)) return;
    Map<String, BoltFile.Snapshot> meta = snapshotterMetadata(f);
    Map<String, String> idOfKey = new HashMap<>();
    if (meta != null) meta.forEach((id, s) -> idOfKey.put(s.key(), id));
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(realRoot.resolve(snaps))) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.matches("[0-9]{1,18}")) ids.add(n);
      }
    }
    ids.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    for (String n : ids) {
      String fs = snaps + "/" + n + "/fs";
      if (!isRealDir(fs)) continue;
      BoltFile.Snapshot s = meta == null ? null : meta.get(n);
      if (meta != null && s == null) warn.accept(fs, "snapshot " + n + " is not in the snapshotter's metadata.db");
      if (s != null && s.kind() != BoltFile.Snapshot.ACTIVE) continue; // an image layer or a view
      String container = s == null ? null : containerOf(s);
      String runtime = container != null && "moby".equals(s.namespace()) ? "docker" : "containerd";
      out.add(new Upper(runtime, container, n, null, fs, s == null ? null : parentChain(snaps, s, meta, idOfKey)));
    }
  }

  /** containerd's key of an unpack in progress ({@code core/snapshots} UnpackKeyPrefix: "extract-<unique> <chain id>"). */
  private static final String UNPACK_PREFIX = "extract-";
  /** moby's init layer while it is prepared ({@code <container id>-init-key}, committed as {@code <id>-init}). */
  private static final Pattern MOBY_INIT_KEY = Pattern.compile("([0-9a-f]{64})-init-key");
  /** containerd's identifiers ({@code pkg/identifiers}: alphanumerics joined by '.', '_' or '-', at most 76). */
  private static final Pattern CONTAINERD_ID = Pattern.compile("[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*");

  /**
   * The container whose writable layer an active snapshot is, from its key ({@code <namespace>/<n>/<name>}), or null:
   * <ul>
   *   <li>a 64-hex name: the container id. The CRI plugin (namespace {@code k8s.io}: kubelet, k3s, rke2), nerdctl
   *       ({@code default} or its own namespace) and Docker Engine with the containerd image store (namespace
   *       {@code moby}: moby's daemon/containerd {@code createLayer} prepares the writable layer under the container
   *       id, on top of {@code <id>-init}) all name it so;
   *   <li>{@code <container id>-init-key}: moby's init layer while it is being prepared (active; committed as
   *       {@code <id>-init}, a parent, once dockerd wrote /etc/hosts and the like into it): that container's;
   *   <li>in any other namespace than {@code k8s.io}, {@code moby} and {@code buildkit}, a containerd identifier: a
   *       container created through containerd's client ({@code ctr run IMAGE ID}, {@code WithNewSnapshot(id, ...)}),
   *       whose snapshot key is its container id as the user named it;
   *   <li>an unpack in progress ({@code extract-...}), BuildKit's snapshots, anything else: none.
   * </ul>
   */
  static String containerOf(BoltFile.Snapshot s) {
    String name = s.name();
    if (CONTAINER_ID.matcher(name).matches()) return name;
    java.util.regex.Matcher init = MOBY_INIT_KEY.matcher(name);
    if (init.matches()) return init.group(1);
    String ns = s.namespace();
    if (name.startsWith(UNPACK_PREFIX) || ns == null || ns.equals("k8s.io") || ns.equals("moby")
        || ns.equals("buildkit")) {
      return null;
    }
    return name.length() <= 76 && CONTAINERD_ID.matcher(name).matches() ? name : null;
  }

  /** The snapshotter's metadata (snapshot id -> snapshot), or null (empty, unreadable, too large: warned). */
  private Map<String, BoltFile.Snapshot> snapshotterMetadata(EvidenceFile f) {
    try {
      BasicFileAttributes a = Files.readAttributes(f.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile() || a.size() == 0) return null;
      if (a.size() > MAX_SNAPSHOTTER_DB) {
        warn.accept(f.relPath(), "metadata.db larger than " + MAX_SNAPSHOTTER_DB + " bytes: snapshots listed without container ids");
        return null;
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(f.path(), LinkOption.NOFOLLOW_LINKS)) {
        bytes = in.readNBytes((int) MAX_SNAPSHOTTER_DB);
      }
      Map<String, BoltFile.Snapshot> m = BoltFile.containerdSnapshots(bytes);
      return m.isEmpty() ? null : m;
    } catch (IOException | RuntimeException e) {
      warn.accept(f.relPath(), "cannot read the snapshotter's metadata.db (" + e.getMessage()
          + "): snapshots listed without container ids");
      return null;
    }
  }

  /** The fs dirs of a snapshot's parents, nearest first, or null when one is missing (lower layers unknown). */
  private List<String> parentChain(String snaps, BoltFile.Snapshot s, Map<String, BoltFile.Snapshot> meta,
      Map<String, String> idOfKey) {
    List<String> out = new ArrayList<>();
    for (String parent = s.parent(); parent != null && !parent.isEmpty(); ) {
      String id = idOfKey.get(parent);
      String dir = id == null ? null : snaps + "/" + id + "/fs";
      if (dir == null || !isRealDir(dir) || out.size() > 512) return null;
      out.add(dir);
      parent = meta.get(id).parent();
    }
    return out;
  }

  /**
   * The lower layer dirs of a container's overlay2 / containers-storage writable layer, or null when they cannot be
   * resolved (no lower file included).
   */
  private List<String> lowers(String driverDir, String layerDir) {
    Path lowerFile = realRoot.resolve(layerDir + "/lower");
    try {
      BasicFileAttributes a = Files.readAttributes(lowerFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) return null;
    } catch (IOException e) {
      // a container's writable layer always has layers below it (Docker's <id>-init and the image's, the image's
      // for containers/storage): without its lower file the evidence lacks them, and nothing can be said to be
      // added rather than changed (until session 11 such a listing called every entry "added")
      return null;
    }
    List<String> out = new ArrayList<>();
    try {
      for (String l : readSmall(lowerFile).strip().split(":")) {
        if (l.isEmpty()) continue;
        if (!SHORT_LINK.matcher(l).matches()) {
          warn.accept(layerDir + "/lower", "unexpected lower entry '" + l + "'; lower layers not used");
          return null;
        }
        Path link = realRoot.resolve(driverDir + l);
        if (!Files.isSymbolicLink(link) || !isRealDir(driverDir + "l")) {
          warn.accept(driverDir + l, "lower link missing; lower layers not used");
          return null;
        }
        Matcher t = LINK_TARGET.matcher(Files.readSymbolicLink(link).toString());
        if (!t.matches() || !isRealDir(driverDir + t.group(1) + "/diff")) {
          warn.accept(driverDir + l, "lower link does not name a layer diff inside the root; lower layers not used");
          return null;
        }
        out.add(driverDir + t.group(1) + "/diff");
      }
    } catch (IOException e) {
      warn.accept(layerDir + "/lower", "unreadable: " + e + "; lower layers not used");
      return null;
    }
    return out;
  }

  /** Every component of {@code rel} is a directory that is not a symlink. */
  boolean isRealDir(String rel) {
    Path p = realRoot;
    for (String c : rel.split("/")) {
      if (c.isEmpty() || c.equals(".")) continue;
      if (c.equals("..")) return false;
      p = p.resolve(c);
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || a.isSymbolicLink()) return false;
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static String readSmall(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
    }
  }

  // ---- listing one upper dir ----------------------------------------------------------------------------------

  private record Frame(String rel, boolean[] lowerHas) {}

  /** Writes the records of one upper dir to {@code out}; returns how many were written. */
  public long write(Upper u, OutputStream out) throws IOException {
    int nl = u.lowerRels() == null ? 0 : u.lowerRels().size();
    Path upper = realRoot.resolve(u.upperRel());
    long n = 0;
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.setRootValueSeparator(null);
      Deque<Frame> stack = new ArrayDeque<>();
      boolean[] all = new boolean[nl];
      java.util.Arrays.fill(all, true);
      stack.push(new Frame("", all));
      while (!stack.isEmpty()) {
        Frame fr = stack.pop();
        Path dir = fr.rel.isEmpty() ? upper : upper.resolve(fr.rel);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path p : ds) names.add(p.getFileName().toString());
        } catch (IOException e) {
          warn.accept(u.upperRel() + "/" + fr.rel, "cannot list directory: " + e);
          continue;
        }
        names.sort(null);
        List<Frame> subdirs = new ArrayList<>();
        for (String name : names) {
          if (name.equals(".wh..wh..opq")) continue; // reported as the directory's opaque flag
          if (n >= maxEntries) {
            warn.accept(u.upperRel(), "more than " + maxEntries + " entries; listing cut");
            g.flush();
            return n;
          }
          String rel = fr.rel.isEmpty() ? name : fr.rel + "/" + name;
          Frame sub = entry(u, g, upper, rel, name, fr, nl);
          n++;
          if (sub != null) subdirs.add(sub);
        }
        for (int i = subdirs.size() - 1; i >= 0; i--) stack.push(subdirs.get(i));
      }
      g.flush();
    }
    return n;
  }

  /** Writes one record; returns the frame to descend into for a real directory. */
  private Frame entry(Upper u, JsonGenerator g, Path upper, String rel, String name, Frame parent, int nl)
      throws IOException {
    Path p = upper.resolve(rel);
    Map<String, Object> a;
    try {
      a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,rdev", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | UnsupportedOperationException e) {
      a = null;
    }
    g.writeStartObject();
    g.writeStringField("runtime", u.runtime());
    if (u.containerId() != null) g.writeStringField("container_id", u.containerId());
    if (u.snapshotId() != null) g.writeStringField("snapshot_id", u.snapshotId());
    if (u.layer() != null) g.writeStringField("layer", u.layer());
    g.writeStringField("upper_dir", u.upperRel());
    g.writeStringField("evidence_path", u.upperRel() + "/" + rel);
    Frame sub = null;
    if (a == null) {
      g.writeStringField("path", "/" + rel);
      g.writeStringField("kind", u.lowerRels() == null ? "added_or_changed" : "added");
      g.writeStringField("error", "attributes unreadable");
      g.writeEndObject();
      g.writeRaw('\n');
      return null;
    }
    int mode = (Integer) a.get("mode");
    int fmt = mode & 0170000;
    String type = switch (fmt) {
      case 0100000 -> "file";
      case 0040000 -> "dir";
      case 0120000 -> "symlink";
      case 0020000 -> "char";
      case 0060000 -> "block";
      case 0010000 -> "fifo";
      case 0140000 -> "socket";
      default -> "other";
    };
    long rdev = a.get("rdev") instanceof Long r ? r : -1;
    boolean whiteoutDev = fmt == 0020000 && rdev == 0;
    boolean whiteoutFile = name.startsWith(".wh.") && !name.equals(".wh..wh..opq") && fmt == 0100000;
    String dirRel = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/')) : "";
    String shown = whiteoutFile ? (dirRel.isEmpty() ? "" : dirRel + "/") + name.substring(4) : rel;
    String kind;
    boolean[] childHas = null;
    if (whiteoutDev || whiteoutFile) {
      kind = "deleted";
      type = "whiteout";
    } else if (u.lowerRels() == null) {
      kind = "added_or_changed";
    } else {
      boolean inLower = false;
      boolean[] has = new boolean[nl];
      for (int i = 0; i < nl; i++) {
        if (!parent.lowerHas[i]) continue;
        Path lp = realRoot.resolve(u.lowerRels().get(i)).resolve(rel);
        try {
          BasicFileAttributes la = Files.readAttributes(lp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          inLower = true;
          has[i] = la.isDirectory() && !la.isSymbolicLink();
        } catch (IOException e) {
          // not in this layer
        }
      }
      kind = inLower ? "changed" : "added";
      childHas = has;
    }
    g.writeStringField("path", "/" + shown);
    g.writeStringField("kind", kind);
    g.writeStringField("type", type);
    g.writeNumberField("size", ((Number) a.get("size")).longValue());
    g.writeStringField("mode", String.format("%04o", mode & 07777));
    g.writeNumberField("uid", ((Number) a.get("uid")).longValue());
    g.writeNumberField("gid", ((Number) a.get("gid")).longValue());
    Instant mtime = ((FileTime) a.get("lastModifiedTime")).toInstant();
    g.writeStringField("mtime", mtime.toString());
    if (fmt == 0020000 || fmt == 0060000) g.writeNumberField("rdev", rdev);
    if (fmt == 0120000) {
      try {
        g.writeStringField("link_target", Files.readSymbolicLink(p).toString());
      } catch (IOException e) {
        g.writeStringField("error", "link unreadable: " + e.getMessage());
      }
    }
    if (fmt == 0100000 && !whiteoutFile) hash(g, p, ((Number) a.get("size")).longValue());
    if (fmt == 0040000) {
      boolean opaque = Files.exists(p.resolve(".wh..wh..opq"), LinkOption.NOFOLLOW_LINKS) || userOpaque(p);
      if (opaque) {
        g.writeBooleanField("opaque", true);
        if (childHas != null) childHas = new boolean[nl]; // the lower contents are hidden
      }
      boolean sameAsLower = true;
      if (kind.equals("changed")) {
        Map<String, Object> la = lowerAttributes(u, parent, rel, nl);
        if (la != null && !(la.get("isDirectory") instanceof Boolean d && d)) {
          sameAsLower = false; // a file or link below became a directory
        } else if (la != null && (((Integer) la.get("mode") & 07777) != (mode & 07777)
            || ((Number) la.get("uid")).longValue() != ((Number) a.get("uid")).longValue()
            || ((Number) la.get("gid")).longValue() != ((Number) a.get("gid")).longValue())) {
          sameAsLower = false;
          g.writeStringField("lower_mode", String.format("%04o", (Integer) la.get("mode") & 07777));
          g.writeNumberField("lower_uid", ((Number) la.get("uid")).longValue());
          g.writeNumberField("lower_gid", ((Number) la.get("gid")).longValue());
        }
      }
      if (!opaque && sameAsLower && !kind.equals("added") && hasEntries(p)) {
        g.writeBooleanField("children_only", true);
      }
      sub = new Frame(rel, childHas == null ? new boolean[nl] : childHas);
    }
    g.writeEndObject();
    g.writeRaw('\n');
    return sub;
  }

  /** The attributes of {@code rel} in the topmost lower layer that has it (mode, uid, gid, isDirectory), or null. */
  private Map<String, Object> lowerAttributes(Upper u, Frame parent, String rel, int nl) {
    for (int i = 0; i < nl; i++) {
      if (!parent.lowerHas[i]) continue;
      Path lp = realRoot.resolve(u.lowerRels().get(i)).resolve(rel);
      try {
        Map<String, Object> la = new HashMap<>(
            Files.readAttributes(lp, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS));
        la.put("isDirectory", Files.isDirectory(lp, LinkOption.NOFOLLOW_LINKS));
        return la;
      } catch (IOException | UnsupportedOperationException e) {
        // not in this layer
      }
    }
    return null;
  }

  /** True when the directory holds an entry (its opaque marker aside). */
  private static boolean hasEntries(Path dir) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path c : ds) {
        if (!c.getFileName().toString().equals(".wh..wh..opq")) return true;
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private void hash(JsonGenerator g, Path p, long size) throws IOException {
    if (size > maxHashBytes) {
      g.writeStringField("sha256_skipped", "larger than " + maxHashBytes + " bytes");
      return;
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int k;
      while ((k = in.read(buf)) > 0) {
        total += k;
        if (total > maxHashBytes) {
          g.writeStringField("sha256_skipped", "grew past " + maxHashBytes + " bytes while hashed");
          return;
        }
        md.update(buf, 0, k);
      }
      g.writeStringField("sha256", HEX.formatHex(md.digest()));
    } catch (IOException e) {
      g.writeStringField("sha256_skipped", "unreadable: " + e.getMessage());
    }
  }

  /** overlayfs with userxattr (rootless) and fuse-overlayfs mark opaque directories with user xattrs. */
  private static boolean userOpaque(Path dir) {
    try {
      UserDefinedFileAttributeView v =
          Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      if (v == null) return false;
      List<String> names = v.list();
      for (String n : new String[] {"overlay.opaque", "fuseoverlayfs.opaque"}) {
        if (!names.contains(n)) continue;
        ByteBuffer b = ByteBuffer.allocate(16);
        v.read(n, b);
        b.flip();
        if (b.hasRemaining() && b.get(0) == 'y') return true;
      }
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
    return false;
  }
}
