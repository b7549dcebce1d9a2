package dev.strata.infra.opensearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** User-id checks and the hand-over of the OpenSearch dirs to user {@code nobody} (used only when root). */
final class Privileges {
  private static final String USER = "nobody";

  private Privileges() {}

  /** Whether this process runs with effective uid 0 (the owner of {@code /proc/self} is the effective uid). */
  static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** The command prefix that runs the rest of a command line as {@code nobody}. */
  static List<String> setprivAsNobody() {
    return List.of("setpriv", "--reuid=" + USER, "--regid=" + group(), "--clear-groups");
  }

  /**
   * Makes {@code nobody} the owner of {@code dir} (not recursively) and of everything under {@code writableDirs}.
   *
   * @return why that was not possible, or empty
   */
  static Optional<String> handOverToNobody(Path dir, List<Path> writableDirs) {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    try {
      UserPrincipal user = lookup.lookupPrincipalByName(USER);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(group());
      chown(dir, user, group);
      for (Path writable : writableDirs) {
        try (Stream<Path> tree = Files.walk(writable)) {
          for (Path path : (Iterable<Path>) tree::iterator) {
            chown(path, user, group);
          }
        }
      }
      return Optional.empty();
    } catch (UserPrincipalNotFoundException e) {
      return Optional.of("no user or group '" + e.getName() + "' on this machine");
    } catch (IOException | UncheckedIOException e) {
      return Optional.of("cannot give " + dir + " to " + USER + ": " + e.getMessage());
    }
  }

  /**
   * Checks, as {@code nobody} through setpriv, that the JVM and the distribution can be run and the node's dirs
   * written.
   *
   * @return why not, or empty when all is well
   */
  static Optional<String> nobodyCannotRun(Path home, Path java, Path dir) {
    List<String> probe = new ArrayList<>(setprivAsNobody());
    probe.add("test");
    for (Path executable : List.of(java, home.resolve("bin").resolve("opensearch"), home.resolve("lib"))) {
      probe.addAll(List.of("-x", executable.toString(), "-a"));
    }
    probe.addAll(List.of("-r", anyJar(home.resolve("lib")).toString(), "-a"));
    probe.addAll(List.of("-w", dir.resolve("data").toString(), "-a", "-w", dir.resolve("config").toString()));
    try {
      Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes()).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of("the setpriv probe did not finish in 10 s");
      }
      if (process.exitValue() != 0) {
        return Optional.of(
            "user nobody cannot run "
                + home
                + " with "
                + java
                + " or write to "
                + dir
                + " (a parent directory is closed to it?)"
                + (output.isEmpty() ? "" : ": " + output));
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("setpriv is not available (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while probing setpriv");
    }
  }

  private static Path anyJar(Path lib) {
    try (Stream<Path> jars = Files.list(lib)) {
      return jars.filter(p -> p.toString().endsWith(".jar")).sorted().findFirst().orElse(lib);
    } catch (IOException e) {
      return lib;
    }
  }

  /** Debian names nobody's group {@code nogroup}, Red Hat {@code nobody}. */
  private static String group() {
    try {
      FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup");
      return "nogroup";
    } catch (IOException e) {
      return USER;
    }
  }

  private static void chown(Path path, UserPrincipal user, GroupPrincipal group) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    view.setOwner(user);
    view.setGroup(group);
  }
}
