package dev.strata.infra;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How long the stack took to start.
 *
 * @param components time from the start of the stack until each component was ready (they start in parallel)
 * @param total time until all components were ready
 */
public record StartupTimes(Map<StackComponent, Duration> components, Duration total) {
  /** Copies the map. */
  public StartupTimes {
    components = Map.copyOf(components);
  }

  /** One line, e.g. {@code kafka 3.1 s, opensearch 4.2 s, s3 0.4 s; total 4.2 s}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (StackComponent component : StackComponent.values()) {
      Duration d = components.get(component);
      if (d != null) {
        out.append(component.id()).append(' ').append(seconds(d)).append(", ");
      }
    }
    if (out.length() > 0) {
      out.setLength(out.length() - 2);
      out.append("; ");
    }
    return out.append("total ").append(seconds(total)).toString();
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
