package dev.strata.detect.sigma;

import dev.strata.schema.event.EvidenceEvent;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Falco alerts ({@code falco_alert}) in the Sigma taxonomy: the syscall the alert fired on ({@code evt.type} in its
 * output fields; Falco's default rules print it as {@code evt_type=%evt.type}) names the category, the output fields
 * (Falco's field names: proc.exepath, proc.cmdline, proc.cwd, proc.pexepath, proc.pcmdline, user.name,
 * user.loginuid, fd.name, fd.sip, fd.sport, fd.l4proto ...) the values. An alert without evt.type answers no
 * category (which syscall fired is not stated).
 *
 * <pre>
 * execve, execveat                                   -> process_creation
 * connect                                            -> network_connection (Initiated true)
 * creat; open, openat, openat2 opening for writing (evt.is_open_write true, or evt.arg.flags with O_WRONLY,
 *   O_RDWR, O_CREAT or O_TRUNC)                      -> file_event
 * unlink, unlinkat                                   -> file_delete
 * </pre>
 */
final class FalcoFieldMapping extends TaxonomyTable {
  static final String FORMAT = "falco_alert";
  static final String OUT = "output_fields.";

  static Getter out(String falcoField) {
    return e -> e.unmapped(OUT + falcoField);
  }

  /** fd.name when it is a path (the normalized file.path), else the syscall's path argument. */
  static final Getter TARGET_FILENAME = e -> {
    Object p = TaxonomyTable.TARGET_FILENAME.apply(e);
    if (p != null) return p;
    for (String f : new String[] {"fs.path.name", "evt.arg.name", "evt.arg.path", "evt.arg.pathname"}) {
      String v = e.unmapped(OUT + f);
      if (v != null && v.startsWith("/")) return v;
    }
    return null;
  };

  FalcoFieldMapping() {
    super(FORMAT);
    category("process_creation", fields(
        "Image", IMAGE, "CommandLine", COMMAND_LINE, "CurrentDirectory", out("proc.cwd"), "User", USER,
        "LogonId", out("user.loginuid"), "ProcessId", PROCESS_ID, "ParentImage", out("proc.pexepath"),
        "ParentCommandLine", out("proc.pcmdline"), "ParentProcessId", PARENT_PROCESS_ID));
    category("network_connection", fields(
        "Image", IMAGE, "CommandLine", COMMAND_LINE, "User", USER, "ProcessId", PROCESS_ID,
        "Initiated", (Getter) e -> Boolean.TRUE, "Protocol", out("fd.l4proto"), "SourceIp", SOURCE_IP,
        "SourcePort", SOURCE_PORT, "SourceIsIpv6", SOURCE_IS_IPV6, "DestinationIp", DESTINATION_IP,
        "DestinationPort", DESTINATION_PORT, "DestinationIsIpv6", DESTINATION_IS_IPV6,
        "DestinationHostname", out("fd.sip.name")));
    category("file_event", fileFields(USER, TARGET_FILENAME));
    category("file_delete", fileFields(USER, TARGET_FILENAME));
  }

  static final Set<String> OPEN = Set.of("open", "openat", "openat2");

  @Override
  public List<String> categoriesOf(EvidenceEvent e) {
    String type = e.getUnmapped() == null ? null : e.getUnmapped().get(OUT + "evt.type");
    if (type == null) return List.of();
    return switch (type) {
      case "execve", "execveat" -> List.of("process_creation");
      case "connect" -> e.getDstEndpoint() != null ? List.of("network_connection") : List.of();
      case "creat" -> List.of("file_event");
      case "unlink", "unlinkat" -> List.of("file_delete");
      default -> OPEN.contains(type) && opensForWriting(e) ? List.of("file_event") : List.of();
    };
  }

  private static boolean opensForWriting(EvidenceEvent e) {
    String w = e.getUnmapped().get(OUT + "evt.is_open_write");
    if ("true".equalsIgnoreCase(w)) return true;
    String flags = e.getUnmapped().get(OUT + "evt.arg.flags");
    if (flags == null) return false;
    String f = flags.toUpperCase(Locale.ROOT);
    return f.contains("O_WRONLY") || f.contains("O_RDWR") || f.contains("O_CREAT") || f.contains("O_TRUNC");
  }
}
