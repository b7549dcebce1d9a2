package dev.strata.infra.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;

/**
 * Entry point of the Kafka child JVM; never called in the application JVM.
 *
 * <p>{@link EmbeddedKafka} packs this one class into a jar ({@link BrokerClassData}) and puts it on the child's
 * classpath after the Kafka 4.4 jars, so the child holds none of our other classes or dependencies. It formats the storage
 * when asked (saving a JVM start), stops the broker when the parent JVM dies (its stdin, a pipe from the parent,
 * reaches end of file), then runs {@code kafka.Kafka}. Only JDK classes and reflection are used here.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id or "-" when the storage is formatted already>}.
 */
public final class BrokerLauncher {
  /** Exit code when formatting the storage failed. */
  static final int FORMAT_FAILED = 3;

  private BrokerLauncher() {}

  /** Formats if asked, then runs the broker until SIGTERM or until the parent JVM goes away. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: BrokerLauncher <server.properties> <cluster-id|->");
      System.exit(2);
    }
    String properties = args[0];
    String clusterId = args[1];
    if (!"-".equals(clusterId)) {
      int code = format(properties, clusterId);
      if (code != 0) {
        System.err.println("kafka storage format failed with code " + code);
        System.exit(FORMAT_FAILED);
      }
    }
    Thread watchdog = new Thread(BrokerLauncher::exitWhenParentGoesAway, "strata-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) new String[] {properties});
  }

  private static int format(String properties, String clusterId)
      throws ReflectiveOperationException {
    String[] formatArgs = {"format", "--cluster-id", clusterId, "--config", properties, "--ignore-formatted"};
    try {
      Object code =
          Class.forName("kafka.tools.StorageTool")
              .getMethod("execute", String[].class, PrintStream.class)
              .invoke(null, formatArgs, System.out);
      return (Integer) code;
    } catch (InvocationTargetException e) {
      e.getCause().printStackTrace();
      return 1;
    }
  }

  private static void exitWhenParentGoesAway() {
    InputStream in = System.in;
    byte[] buffer = new byte[64];
    try {
      while (in.read(buffer) >= 0) {
        // the parent never writes; reading just waits for end of file
      }
    } catch (IOException e) {
      // a broken pipe means the same as end of file
    }
    System.err.println("strata: parent JVM is gone; stopping the broker");
    System.exit(0);
  }
}
