package dev.strata.correlate;

import java.io.Serializable;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The organisation's own public ranges ({@code incident.known_cidrs}: its NAT gateways, VPN egress, offices): an
 * address inside them is not "outside" for the correlation job's rules either (the IMDS join ties no call from such
 * an address to a pod, {@link ImdsCredentials#decide}; an ECS task role's secret read at its start from such an address
 * is inside, {@link EcsCredentials}). The same setting the incident job reads: one list, parsed the same way (an IPv4
 * or IPv6 block; a bare address is a /32 or /128). Immutable, serializable (it travels with the job's operators).
 */
public final class KnownCidrs implements Serializable {
  private static final long serialVersionUID = 1L;

  /** None: every public address is outside (the default). */
  public static final KnownCidrs NONE = new KnownCidrs(List.of());

  private final List<Block> blocks;

  private KnownCidrs(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /**
   * The blocks of {@code cidrs} (each trimmed; blank entries ignored); a value that is no block fails naming the
   * setting ({@code incident.known_cidrs: not a CIDR block: ...}).
   */
  public static KnownCidrs parse(Collection<String> cidrs) {
    if (cidrs == null || cidrs.isEmpty()) return NONE;
    List<Block> out = new ArrayList<>();
    for (String s : cidrs) {
      if (s == null || s.isBlank()) continue;
      out.add(Block.parse(s));
    }
    return out.isEmpty() ? NONE : new KnownCidrs(out);
  }

  /** A comma-separated list (as the environment and {@code StrataSettings} carry it); null or blank = none. */
  public static KnownCidrs parse(String commaSeparated) {
    return commaSeparated == null || commaSeparated.isBlank() ? NONE : parse(List.of(commaSeparated.split(",")));
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /** Whether {@code ip} (an address literal) lies in one of the blocks; false for anything that is no literal. */
  public boolean contains(String ip) {
    if (blocks.isEmpty() || ip == null || !LookupKeys.isIpLiteral(ip)) return false;
    byte[] a;
    try {
      a = InetAddress.getByName(ip).getAddress(); // a literal: no name lookup
    } catch (Exception e) {
      return false;
    }
    for (Block b : blocks) if (b.contains(a)) return true;
    return false;
  }

  /** The blocks as written (normalised), e.g. for a log line. */
  public List<String> blocks() {
    return blocks.stream().map(Block::text).toList();
  }

  @Override
  public String toString() {
    return blocks().toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KnownCidrs k && blocks().equals(k.blocks());
  }

  @Override
  public int hashCode() {
    return blocks().hashCode();
  }

  private record Block(byte[] net, int bits, String text) implements Serializable {
    static Block parse(String s) {
      String[] p = s.trim().split("/", 2);
      try {
        if (!LookupKeys.isIpLiteral(p[0])) throw new IllegalArgumentException();
        byte[] a = InetAddress.getByName(p[0]).getAddress();
        int bits = p.length == 2 ? Integer.parseInt(p[1].trim()) : a.length * 8;
        if (bits < 0 || bits > a.length * 8) throw new IllegalArgumentException();
        return new Block(a, bits, s.trim());
      } catch (Exception e) {
        throw new IllegalArgumentException("incident.known_cidrs: not a CIDR block: " + s);
      }
    }

    boolean contains(byte[] a) {
      if (a.length != net.length) return false;
      for (int i = 0; i < bits; i++) {
        int bit = 7 - (i % 8);
        if (((a[i / 8] >> bit) & 1) != ((net[i / 8] >> bit) & 1)) return false;
      }
      return true;
    }
  }
}
