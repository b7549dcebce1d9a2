package dev.strata.job.correlate;

import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.correlate.Statements;
import dev.strata.schema.correlate.EntityBinding;
import java.io.IOException;
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
 */
public record KeyedBinding(String key, boolean primary, byte[] entry) {
  public static final TypeInformation<KeyedBinding> TYPE =
      new CodecTypeInfo<>(KeyedBinding.class, new KeyedBindingCodec());

  /**
   * {@code b} routed to lookup key {@code key}: to its state key, stated for its scope ({@link LookupKeys#stateKey},
   * {@link LookupKeys#stateScope}); null when its kind is unknown (nothing to store).
   */
  public static KeyedBinding of(String key, boolean primary, EntityBinding b) {
    KeyState.Entry e = Statements.entry(b);
    String scope = LookupKeys.stateScope(key);
    return e == null ? null : new KeyedBinding(LookupKeys.stateKey(key), primary,
        KeyState.encode(scope == null ? e : e.inScopes(List.of(scope))));
  }

  /** Codec of {@link KeyedBinding}: key, flag, the entry bytes. */
  public static final class KeyedBindingCodec implements Codec<KeyedBinding> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(KeyedBinding k, DataOutputView out) throws IOException {
      Codec.writeString(k.key, out);
      out.writeBoolean(k.primary);
      out.writeInt(k.entry.length);
      out.write(k.entry);
    }

    @Override
    public KeyedBinding read(DataInputView in) throws IOException {
      String key = Codec.readString(in);
      boolean primary = in.readBoolean();
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      return new KeyedBinding(key, primary, b);
    }
  }
}
