package dev.strata.job.correlate;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A binding routed to one of its lookup keys; {@code primary} on its first key only (that instance reports the
 * binding as accepted, so it is written once).
 */
public record KeyedBinding(String key, boolean primary, EntityBinding binding) {
  public static final TypeInformation<KeyedBinding> TYPE =
      new CodecTypeInfo<>(KeyedBinding.class, new KeyedBindingCodec());

  /** Codec of {@link KeyedBinding}: key, flag, the binding in the Avro wire format. */
  public static final class KeyedBindingCodec implements Codec<KeyedBinding> {
    private static final long serialVersionUID = 1L;
    private transient AvroCodec<EntityBinding> avro;

    @Override
    public void write(KeyedBinding k, DataOutputView out) throws IOException {
      out.writeUTF(k.key);
      out.writeBoolean(k.primary);
      byte[] b = avro().encode(k.binding);
      out.writeInt(b.length);
      out.write(b);
    }

    @Override
    public KeyedBinding read(DataInputView in) throws IOException {
      String key = in.readUTF();
      boolean primary = in.readBoolean();
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      return new KeyedBinding(key, primary, avro().decode(b));
    }

    private AvroCodec<EntityBinding> avro() {
      if (avro == null) avro = AvroCodec.of(EntityBinding.class);
      return avro;
    }
  }
}
