package dev.strata.infra.s3;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps S3Proxy (and its shaded Jetty, under {@code org.gaul}) at WARN: it logs every request at DEBUG/INFO.
 *
 * <p>slf4j cannot set levels, so this acts only when the binding is log4j2 (what strata ships) and only lowers
 * verbosity: a logger already at WARN or quieter is left alone. With another binding, configure {@code org.gaul} at
 * WARN in its config file.
 */
final class S3Logging {
  private static final List<String> LOGGERS = List.of("org.gaul");

  private S3Logging() {}

  static void quiet() {
    for (String name : LOGGERS) {
      if (LoggerFactory.getLogger(name).isInfoEnabled()) {
        setLog4jLevelToWarn(name);
      }
    }
  }

  private static void setLog4jLevelToWarn(String name) {
    try {
      Class<?> level = Class.forName("org.apache.logging.log4j.Level");
      Object warn = level.getField("WARN").get(null);
      Class.forName("org.apache.logging.log4j.core.config.Configurator")
          .getMethod("setLevel", String.class, level)
          .invoke(null, name, warn);
    } catch (ReflectiveOperationException | LinkageError e) {
      LoggerFactory.getLogger(S3Logging.class)
          .debug("Cannot set logger {} to WARN (no log4j-core): {}", name, e.toString());
    }
  }
}
