package dev.strata.sink.opensearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/** Checkpoint format of buffered {@link DocWriteRequest}s (version 1: index, id, attempt, source). */
public final class DocWriteRequestSerializer extends AsyncSinkWriterStateSerializer<DocWriteRequest> {

  @Override
  protected void serializeRequestToStream(DocWriteRequest r, DataOutputStream out) throws IOException {
    out.writeUTF(r.index());
    out.writeUTF(r.id());
    out.writeInt(r.attempt());
    out.writeInt(r.source().length);
    out.write(r.source());
  }

  @Override
  protected DocWriteRequest deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
    String index = in.readUTF();
    String id = in.readUTF();
    in.readInt(); // the attempt: a restored document starts its retry budget afresh (the job restarted)
    byte[] source = new byte[in.readInt()];
    in.readFully(source);
    return new DocWriteRequest(index, id, source, 1);
  }

  @Override
  public int getVersion() {
    return 1;
  }
}
