package dev.strata.sink;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Small helpers for config records: validation with the full key in the message, environment parsing. */
public final class Config {
  private Config() {}

  /** Throws {@link IllegalArgumentException} "{@code key}: {@code problem}" unless {@code ok}. */
  public static void require(boolean ok, String key, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(key + ": " + problem);
    }
  }

  public static String requireText(String value, String key) {
    require(value != null && !value.isBlank(), key, "must be set");
    return value;
  }

  public static String env(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  public static int envInt(Map<String, String> env, String name, String key, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " (" + name + "): not an integer: " + v);
    }
  }

  public static Duration envMillis(Map<String, String> env, String name, String key, Duration fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Duration.ofMillis(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " (" + name + "): not a number of milliseconds: " + v);
    }
  }

  public static URI uri(String value, String key) {
    try {
      URI uri = URI.create(value.trim());
      require(uri.getScheme() != null && uri.getHost() != null, key, "not an absolute URL: " + value);
      return uri;
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(key)) {
        throw e;
      }
      throw new IllegalArgumentException(key + ": not a URL: " + value, e);
    }
  }
}
