package dev.strata.job.correlate;

import dev.strata.correlate.KeyState;
import dev.strata.correlate.Statements;
import dev.strata.schema.correlate.EntityBinding;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A binding routed to one of its lookup keys, as the statement the lookup stores ({@code entry}: the binding's
 * {@link KeyState.Entry} encoded as a one-entry {@link KeyState}, so the first binding of a key is stored as it comes,
 * without a decode or an encode); {@code primary} on its first key only (that instance reports the binding as
 * accepted, so it is counted once). The binding record itself does not travel: it is converted once, where it is
 * routed, instead of once per lookup key after an Avro round trip.
 */
public record KeyedBinding(String key, boolean primary, byte[] entry) {
  public static final TypeInformation<KeyedBinding> TYPE =
      new CodecTypeInfo<>(KeyedBinding.class, new KeyedBindingCodec());

  /** {@code b} routed to {@code key}; null when its kind is unknown (nothing to store). */
  public static KeyedBinding of(String key, boolean primary, EntityBinding b) {
    KeyState.Entry e = Statements.entry(b);
    return e == null ? null : new KeyedBinding(key, primary, KeyState.encode(e));
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
