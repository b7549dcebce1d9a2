package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.HexFormat;
import java.util.Map;

/** Binding record -> compact {@link KeyState.Entry}. */
public final class Statements {
  private static final HexFormat HEX = HexFormat.of();

  private Statements() {}

  /** The entry a binding adds to its keys' state, or null for an unknown kind. */
  public static KeyState.Entry entry(EntityBinding b) {
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind == null) return null;
    boolean end = BindingExtractor.isClosing(b);
    long from = BindingExtractor.micros(b.getValidFrom());
    long to = end || b.getValidTo() == null ? KeyState.OPEN : BindingExtractor.micros(b.getValidTo());
    byte[] id = idBytes(b.getBindingId());
    String[] attrs = new String[Attr.ALL.size()];
    for (Map.Entry<String, String> a : b.getAttributes().entrySet()) {
      int c = Attr.code(a.getKey());
      if (c >= 0) attrs[c] = a.getValue();
    }
    return new KeyState.Entry(kind, end, from, to, id, b.getObject().getKey(), attrs);
  }

  static byte[] idBytes(String hex) {
    byte[] out = new byte[32];
    if (hex != null && hex.length() == 64) {
      return HEX.parseHex(hex);
    }
    // not one of ours: fold whatever it is into 32 bytes
    byte[] raw = hex == null ? new byte[0] : hex.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) out[i % 32] ^= raw[i];
    return out;
  }
}
