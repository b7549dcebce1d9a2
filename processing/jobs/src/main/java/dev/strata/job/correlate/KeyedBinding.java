package dev.strata.job.correlate;

import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.correlate.Statements;
import dev.strata.schema.correlate.EntityBinding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A binding routed to one of its state keys ({@link LookupKeys#stateKey}), as the statement the lookup stores
 * ({@code entry}: the binding's {@link KeyState.Entry}, with the scopes of its lookup keys under that state key,
 * encoded as a one-entry {@link KeyState}, so the first binding of a key is stored as it comes, without a decode or an
 * encode); {@code primary} on its first key only (that instance reports the binding as accepted, so it is counted
 * once). The binding record itself does not travel: it is converted once, where it is routed, instead of once per
 * lookup key after an Avro round trip.
 *
 * @param scopes the scopes {@code entry} is stated for ({@link LookupKeys#stateScope} of its lookup keys under {@code
 *     key}; one null for a key no scope shares): the only scopes whose answers the entry can change, which is how the
 *     lookup finds, without the events, the hop-1 registrations it may re-answer ({@link LookupFunction}); null: not
 *     known (every registration at or after the entry's start is then re-read)
 */
public record KeyedBinding(String key, boolean primary, byte[] entry, List<String> scopes) {
  public static final TypeInformation<KeyedBinding> TYPE =
      new CodecTypeInfo<>(KeyedBinding.class, new KeyedBindingCodec());

  /** A binding whose entry's scopes are not known. */
  public KeyedBinding(String key, boolean primary, byte[] entry) {
    this(key, primary, entry, null);
  }

  /**
   * {@code b} routed to lookup key {@code key}: to its state key, stated for its scope ({@link LookupKeys#stateKey},
   * {@link LookupKeys#stateScope}); null when its kind is unknown (nothing to store).
   */
  public static KeyedBinding of(String key, boolean primary, EntityBinding b) {
    KeyState.Entry e = Statements.entry(b);
    String scope = LookupKeys.stateScope(key);
    return e == null ? null : new KeyedBinding(LookupKeys.stateKey(key), primary,
        KeyState.encode(scope == null ? e : e.inScopes(List.of(scope))), Collections.singletonList(scope));
  }

  /** Codec of {@link KeyedBinding}: key, flag, the entry bytes, the scopes (-1: not known; each nullable). */
  public static final class KeyedBindingCodec implements Codec<KeyedBinding> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(KeyedBinding k, DataOutputView out) throws IOException {
      Codec.writeString(k.key, out);
      out.writeBoolean(k.primary);
      out.writeInt(k.entry.length);
      out.write(k.entry);
      out.writeShort(k.scopes == null ? -1 : k.scopes.size());
      if (k.scopes != null) for (String scope : k.scopes) Codec.writeNullable(scope, out);
    }

    @Override
    public KeyedBinding read(DataInputView in) throws IOException {
      String key = Codec.readString(in);
      boolean primary = in.readBoolean();
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      int n = in.readShort();
      List<String> scopes = null;
      if (n >= 0) {
        scopes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) scopes.add(Codec.readNullable(in));
      }
      return new KeyedBinding(key, primary, b, scopes);
    }
  }
}
