package dev.strata.infra.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launcher jar and the class-data-sharing (AppCDS) archive of the broker JVM, kept next to the broker jars in
 * {@code runtime/kafka-cds/}. The first broker started with a given JVM and set of jars writes the archive when it
 * exits; every later one maps it and starts in about half the CPU time. When that directory is not writable, the
 * launcher jar goes to the data dir and no archive is used. A stale or foreign archive is ignored by the JVM.
 */
final class BrokerClassData {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerClassData.class);
  private static final String LAUNCHER_CLASS_FILE = BrokerLauncher.class.getSimpleName() + ".class";
  private static final FileAttribute<Set<PosixFilePermission>> READABLE_BY_ALL =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

  private final Path launcherJar;
  private final Optional<Path> archive;
  private final Optional<Path> dump;

  private BrokerClassData(Path launcherJar, Optional<Path> archive, Optional<Path> dump) {
    this.launcherJar = launcherJar;
    this.archive = archive;
    this.dump = dump;
  }

  /** Writes the launcher jar if needed and decides whether this start uses the archive or writes it. */
  static BrokerClassData prepare(Path kafkaLibDir, Path dataDir) throws IOException {
    byte[] launcherClass = launcherClassBytes();
    Path cacheDir = kafkaLibDir.toAbsolutePath().resolveSibling("kafka-cds");
    try {
      Files.createDirectories(cacheDir);
    } catch (IOException e) {
      LOG.debug("No class-data cache in {}: {}", cacheDir, e.toString());
    }
    if (!Files.isWritable(cacheDir)) {
      Path jar = dataDir.resolve("strata-broker-launcher.jar");
      writeJar(launcherClass, jar);
      return new BrokerClassData(jar, Optional.empty(), Optional.empty());
    }
    Path jar = cacheDir.resolve("strata-broker-launcher-" + sha256(launcherClass).substring(0, 12) + ".jar");
    if (!Files.exists(jar)) {
      Path part = Files.createTempFile(cacheDir, ".launcher-", ".part", READABLE_BY_ALL);
      writeJar(launcherClass, part);
      publish(part, jar);
    }
    Path archive = cacheDir.resolve("broker-" + key(kafkaLibDir, jar) + ".jsa");
    return Files.isReadable(archive)
        ? new BrokerClassData(jar, Optional.of(archive), Optional.empty())
        : new BrokerClassData(jar, Optional.empty(), Optional.of(dataDir.resolve(archive.getFileName() + ".part")));
  }

  /** The jar holding {@link BrokerLauncher}, last on the broker's classpath. */
  Path launcherJar() {
    return launcherJar;
  }

  /** JVM options that use or write the archive (CDS warnings silenced: they are harmless here). */
  List<String> jvmOptions() {
    if (archive.isPresent()) {
      return List.of("-XX:SharedArchiveFile=" + archive.get(), "-Xlog:cds*=error");
    }
    return dump.map(part -> List.of("-XX:ArchiveClassesAtExit=" + part, "-Xlog:cds*=error")).orElse(List.of());
  }

  /** Whether this broker writes the archive when it exits. */
  boolean writesArchive() {
    return dump.isPresent();
  }

  /** After a broker JVM that was killed: drops what it may have half written. */
  void discardDump() {
    dump.ifPresent(
        part -> {
          try {
            Files.deleteIfExists(part);
          } catch (IOException e) {
            LOG.debug("Cannot delete {}: {}", part, e.toString());
          }
        });
  }

  /** After the broker JVM ended normally: moves the archive it wrote into the cache for the next starts. */
  void publishDump() {
    dump.filter(Files::isRegularFile)
        .ifPresent(
            part -> {
              Path target = archiveTarget(part);
              try {
                Path staged = Files.createTempFile(target.getParent(), ".broker-", ".part", READABLE_BY_ALL);
                Files.copy(part, staged, StandardCopyOption.REPLACE_EXISTING);
                publish(staged, target);
              } catch (IOException e) {
                LOG.debug("Cannot keep the class-data archive {}: {}", part, e.toString());
              } finally {
                discardDump();
              }
            });
  }

  private Path archiveTarget(Path part) {
    String name = part.getFileName().toString();
    return launcherJar.resolveSibling(name.substring(0, name.length() - ".part".length()));
  }

  /** Same JVM, same jars (name, size, time), same launcher: same archive. */
  private static String key(Path kafkaLibDir, Path launcherJar) throws IOException {
    StringBuilder identity =
        new StringBuilder()
            .append(System.getProperty("java.home"))
            .append('|')
            .append(System.getProperty("java.vm.version"))
            .append('|')
            .append(launcherJar.getFileName());
    List<Path> jars;
    try (Stream<Path> files = Files.list(kafkaLibDir)) {
      jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    for (Path jar : jars) {
      identity
          .append('|')
          .append(jar.getFileName())
          .append(':')
          .append(Files.size(jar))
          .append(':')
          .append(Files.getLastModifiedTime(jar).toMillis());
    }
    return sha256(identity.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }

  private static void publish(Path staged, Path target) throws IOException {
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeJar(byte[] launcherClass, Path jar) throws IOException {
    String entry = BrokerLauncher.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      JarEntry jarEntry = new JarEntry(entry);
      jarEntry.setTime(0);
      out.putNextEntry(jarEntry);
      out.write(launcherClass);
      out.closeEntry();
    }
  }

  private static byte[] launcherClassBytes() throws IOException {
    try (InputStream in = BrokerLauncher.class.getResourceAsStream(LAUNCHER_CLASS_FILE)) {
      if (in == null) {
        throw new IllegalStateException("Class file " + LAUNCHER_CLASS_FILE + " not found on the classpath");
      }
      return in.readAllBytes();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
