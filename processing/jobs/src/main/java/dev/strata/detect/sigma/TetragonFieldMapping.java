package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.schema.event.EvidenceEvent;
import java.util.List;
import java.util.Set;

/**
 * Tetragon events ({@code tetragon_event}, Tetragon's {@code GetEventsResponse} JSON: {@code process_exec},
 * {@code process_kprobe} / {@code process_lsm}, the legacy {@code process_connect}) in the Sigma taxonomy.
 *
 * <pre>
 * process_exec                                         -> process_creation
 * process_kprobe/lsm tcp_connect, tcp_v4_connect, tcp_v6_connect, security_socket_connect (with a destination),
 *   legacy process_connect                             -> network_connection (Initiated true)
 * process_kprobe/lsm on a file written: security_file_permission with MAY_WRITE (0x2) in its int_arg mask,
 *   security_file_truncate, security_path_truncate, __x64_/__arm64_sys_write, _pwrite64, _writev, vfs_write,
 *   security_inode_create, security_path_mknod         -> file_event
 * process_kprobe/lsm security_path_unlink, security_inode_unlink, security_path_rmdir -> file_delete
 * anything else (process_exit, reads, tracepoints ...) -> none
 * </pre>
 *
 * Fields (Tetragon's process proto: binary, arguments as one string, cwd, uid, auid, process_credentials, user.name
 * with --username-metadata; parent the same): see docs/incidents.md. {@code ParentImage} is the parent's full
 * binary, which the normalized event keeps only as a basename: it is read from the original record.
 */
final class TetragonFieldMapping extends TaxonomyTable {
  static final String FORMAT = "tetragon_event";
  private static final ObjectMapper JSON = new ObjectMapper();

  static final Set<String> CONNECT = Set.of("tcp_connect", "tcp_v4_connect", "tcp_v6_connect", "security_socket_connect");
  static final Set<String> WRITE = Set.of("security_file_truncate", "security_path_truncate", "__x64_sys_write",
      "__arm64_sys_write", "__x64_sys_pwrite64", "__arm64_sys_pwrite64", "__x64_sys_writev", "__arm64_sys_writev",
      "vfs_write", "security_inode_create", "security_path_mknod");
  static final String PERMISSION = "security_file_permission";
  static final int MAY_WRITE = 0x2;
  static final Set<String> DELETE = Set.of("security_path_unlink", "security_inode_unlink", "security_path_rmdir");

  static final Getter USER = e -> first(e.unmapped("process.user.name"), TaxonomyTable.USER.apply(e));
  static final Getter CURRENT_DIRECTORY = e -> e.unmapped("process.cwd");
  static final Getter LOGON_ID = e -> e.unmapped("process.auid");
  static final Getter PARENT_IMAGE = e -> e.raw(eventKey(e) + ".parent.binary");
  static final Getter PARENT_COMMAND_LINE =
      e -> joined(e.raw(eventKey(e) + ".parent.binary"), e.unmapped("parent.arguments"));
  static final Getter PARENT_USER = e -> first(e.unmapped("parent.user.name"), e.unmapped("parent.uid"));
  static final Getter INITIATED = e -> Boolean.TRUE;
  /** sock_arg's protocol ({@code IPPROTO_TCP}) as Sysmon names it ({@code tcp}). */
  static final Getter PROTOCOL = e -> {
    Object p = TaxonomyTable.PROTOCOL.apply(e);
    if (p == null) return null;
    String s = p.toString();
    return (s.startsWith("IPPROTO_") ? s.substring("IPPROTO_".length()) : s).toLowerCase(java.util.Locale.ROOT);
  };
  /** The file's path as the kernel hook saw it; Tetragon writes some without the leading slash. */
  static final Getter TARGET_FILENAME = e -> {
    Object p = TaxonomyTable.TARGET_FILENAME.apply(e);
    String path = p != null ? p.toString() : pathArg(e.unmapped("args"));
    return path == null || path.startsWith("/") ? path : "/" + path;
  };

  TetragonFieldMapping() {
    super(FORMAT);
    category("process_creation", fields(
        "Image", IMAGE, "CommandLine", COMMAND_LINE, "CurrentDirectory", CURRENT_DIRECTORY, "User", USER,
        "LogonId", LOGON_ID, "ProcessId", PROCESS_ID, "ParentImage", PARENT_IMAGE,
        "ParentCommandLine", PARENT_COMMAND_LINE, "ParentProcessId", PARENT_PROCESS_ID, "ParentUser", PARENT_USER));
    category("network_connection", fields(
        "Image", IMAGE, "CommandLine", COMMAND_LINE, "User", USER, "ProcessId", PROCESS_ID,
        "Initiated", INITIATED, "Protocol", PROTOCOL, "SourceIp", SOURCE_IP, "SourcePort", SOURCE_PORT,
        "SourceIsIpv6", SOURCE_IS_IPV6, "DestinationIp", DESTINATION_IP, "DestinationPort", DESTINATION_PORT,
        "DestinationIsIpv6", DESTINATION_IS_IPV6));
    category("file_event", fileFields(USER, TARGET_FILENAME));
    category("file_delete", fileFields(USER, TARGET_FILENAME));
  }

  @Override
  public List<String> categoriesOf(EvidenceEvent e) {
    String type = e.getUnmapped() == null ? null : e.getUnmapped().get("event_type");
    if (type == null) return List.of();
    switch (type) {
      case "process_exec":
        return List.of("process_creation");
      case "process_connect":
        return e.getDstEndpoint() != null ? List.of("network_connection") : List.of();
      case "process_kprobe", "process_lsm":
        break;
      default:
        return List.of();
    }
    String fn = activity(e);
    if (CONNECT.contains(fn)) return e.getDstEndpoint() != null ? List.of("network_connection") : List.of();
    boolean hasPath = e.getFile() != null || e.getUnmapped().containsKey("args");
    if (!hasPath) return List.of();
    if (WRITE.contains(fn) || (PERMISSION.equals(fn) && writes(e.getUnmapped().get("args")))) {
      return List.of("file_event");
    }
    if (DELETE.contains(fn)) return List.of("file_delete");
    return List.of();
  }

  /** The event key of the original record ({@code process_exec}, ...), for paths into it. */
  private static String eventKey(EventFields e) {
    String t = e.unmapped("event_type");
    return t == null ? "process_exec" : t;
  }

  /** security_file_permission's mask (its int_arg) asks for MAY_WRITE. */
  static boolean writes(String args) {
    JsonNode a = tree(args);
    if (a == null) return false;
    for (JsonNode arg : a) {
      JsonNode mask = arg.get("int_arg");
      if (mask != null && mask.canConvertToInt()) return (mask.asInt() & MAY_WRITE) != 0;
    }
    return false;
  }

  /** The first path_arg / file_arg path of an args list (JSON text), or null. */
  static String pathArg(String args) {
    JsonNode a = tree(args);
    if (a == null) return null;
    for (JsonNode arg : a) {
      for (String k : new String[] {"path_arg", "file_arg"}) {
        JsonNode p = arg.path(k).get("path");
        if (p != null && p.isTextual() && !p.asText().isEmpty()) return p.asText();
      }
    }
    return null;
  }

  private static JsonNode tree(String json) {
    if (json == null || json.isEmpty()) return null;
    try {
      JsonNode n = JSON.readTree(json);
      return n != null && n.isArray() ? n : null;
    } catch (Exception ex) {
      return null;
    }
  }

  private static Object first(Object a, Object b) {
    return a != null ? a : b;
  }
}
