package dev.strata.infra.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The classpath of the broker's child JVM: every jar of the broker runtime, then the jar holding
 * {@link BrokerLauncher}. Refuses a runtime holding two versions of one artifact (a build copies jars but never
 * removes stale ones, and {@code kafka/*} would load both).
 */
final class BrokerClasspath {
  /** {@code name-1.2.3.jar} → name; versions start with a digit. */
  private static final Pattern JAR = Pattern.compile("(.+?)-(\\d[^-]*(?:-.*)?)\\.jar");

  private BrokerClasspath() {}

  /** The {@code -cp} value for a broker runtime in {@code libDir} and the launcher in {@code launcherJar}. */
  static String of(Path libDir, Path launcherJar) {
    List<String> jars;
    try (Stream<Path> files = Files.list(libDir)) {
      jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the Kafka broker jars in " + libDir, e);
    }
    if (jars.stream().noneMatch(n -> n.startsWith("kafka_"))) {
      throw new IllegalStateException(
          "No Kafka broker jar (kafka_2.13-*.jar) in " + libDir + ". Run ./mvnw -DskipTests install first.");
    }
    Map<String, List<String>> duplicates = duplicates(jars);
    if (!duplicates.isEmpty()) {
      throw new IllegalStateException(
          "Stale jars in "
              + libDir
              + ", more than one version of "
              + duplicates
              + ". Delete that directory and run ./mvnw -DskipTests install (module infra/kafka-runtime).");
    }
    return libDir.toAbsolutePath() + File.separator + "*" + File.pathSeparator + launcherJar.toAbsolutePath();
  }

  /** Artifacts present in more than one version, with their jar names. */
  static Map<String, List<String>> duplicates(List<String> jarNames) {
    Map<String, List<String>> byArtifact =
        jarNames.stream().collect(Collectors.groupingBy(BrokerClasspath::artifact, TreeMap::new, Collectors.toList()));
    byArtifact.values().removeIf(names -> names.size() < 2);
    return byArtifact;
  }

  private static String artifact(String jarName) {
    Matcher m = JAR.matcher(jarName);
    return m.matches() ? m.group(1) : jarName;
  }
}
