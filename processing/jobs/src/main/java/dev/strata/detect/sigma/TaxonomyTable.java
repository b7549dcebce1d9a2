package dev.strata.detect.sigma;

import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.event.Process;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link SigmaFieldMapping} written as a table: per category, taxonomy field -> how the event answers it. The
 * getters every format shares (the OCSF fields a parser fills the same way for every source) are here, so a format's
 * mapping lists only where it differs.
 */
abstract class TaxonomyTable implements SigmaFieldMapping {
  /** How one taxonomy field is read from an event. */
  @FunctionalInterface
  interface Getter extends Function<EventFields, Object> {}

  // the OCSF fields every parser fills the same way
  static final Getter IMAGE = e -> process(e, Process::getExecutable);
  static final Getter COMMAND_LINE = e -> process(e, Process::getCmdLine);
  static final Getter PROCESS_ID = e -> process(e, Process::getPid);
  static final Getter PARENT_PROCESS_ID = e -> process(e, Process::getParentPid);
  static final Getter USER = e -> process(e, Process::getUser);
  static final Getter DESTINATION_IP = e -> endpoint(e.event().getDstEndpoint(), Endpoint::getIp);
  static final Getter DESTINATION_PORT = e -> endpoint(e.event().getDstEndpoint(), Endpoint::getPort);
  static final Getter SOURCE_IP = e -> endpoint(e.event().getSrcEndpoint(), Endpoint::getIp);
  static final Getter SOURCE_PORT = e -> endpoint(e.event().getSrcEndpoint(), Endpoint::getPort);
  static final Getter PROTOCOL = e -> e.event().getNetwork() == null ? null : blank(e.event().getNetwork().getProtocol());
  static final Getter TARGET_FILENAME = e -> {
    File f = e.event().getFile();
    return f == null ? null : blank(f.getPath());
  };
  /** Whether an IP is IPv6 (Sysmon's DestinationIsIpv6 / SourceIsIpv6), from the endpoint's address. */
  static final Getter DESTINATION_IS_IPV6 = e -> isIpv6(DESTINATION_IP.apply(e));
  static final Getter SOURCE_IS_IPV6 = e -> isIpv6(SOURCE_IP.apply(e));

  private final String format;
  private final Map<String, Map<String, Getter>> table = new LinkedHashMap<>();

  TaxonomyTable(String format) {
    this.format = format;
  }

  /** Declares the fields of one category (in the order the docs list them). */
  final void category(String category, Map<String, Getter> fields) {
    table.put(category, Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
  }

  /** The fields of a process's file event: who (Image, CommandLine, User, ProcessId) and TargetFilename. */
  static Map<String, Getter> fileFields(Getter user, Getter targetFilename) {
    return fields("Image", IMAGE, "CommandLine", COMMAND_LINE, "User", user, "ProcessId", PROCESS_ID,
        "TargetFilename", targetFilename);
  }

  /** An insertion-ordered field map: name, getter, name, getter, ... */
  static Map<String, Getter> fields(Object... nameGetter) {
    Map<String, Getter> m = new LinkedHashMap<>();
    for (int i = 0; i < nameGetter.length; i += 2) m.put((String) nameGetter[i], (Getter) nameGetter[i + 1]);
    return m;
  }

  @Override
  public final String format() {
    return format;
  }

  @Override
  public final Set<String> categories() {
    return Collections.unmodifiableSet(table.keySet());
  }

  @Override
  public final Set<String> fields(String category) {
    Map<String, Getter> f = table.get(category);
    return f == null ? Set.of() : f.keySet();
  }

  @Override
  public final Object value(String category, String field, EventFields e) {
    Map<String, Getter> f = table.get(category);
    Getter g = f == null ? null : f.get(field);
    return g == null ? null : g.apply(e);
  }

  static <T> T process(EventFields e, Function<Process, T> get) {
    Process p = e.event().getProcess();
    T v = p == null ? null : get.apply(p);
    return v instanceof String s && s.isEmpty() ? null : v;
  }

  static <T> T endpoint(Endpoint ep, Function<Endpoint, T> get) {
    T v = ep == null ? null : get.apply(ep);
    return v instanceof String s && s.isEmpty() ? null : v;
  }

  static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  static Boolean isIpv6(Object ip) {
    return ip == null ? null : ip.toString().indexOf(':') >= 0;
  }

  /** {@code a + " " + b}, or the one present, or null. */
  static String joined(String a, String b) {
    if (a == null) return b;
    return b == null ? a : a + " " + b;
  }

  static String activity(EvidenceEvent e) {
    return e.getActivityName() == null ? "" : e.getActivityName();
  }
}
