package dev.strata.sink.opensearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Checkpoint format of buffered {@link DocWriteRequest}s (version 1: index, id, attempt, source). A versioned
 * document writes -1 in place of the attempt, then its version; a delete -2, then its version (attempts are >= 1,
 * so older checkpoints read the same).
 */
public final class DocWriteRequestSerializer extends AsyncSinkWriterStateSerializer<DocWriteRequest> {

  @Override
  protected void serializeRequestToStream(DocWriteRequest r, DataOutputStream out) throws IOException {
    out.writeUTF(r.index());
    out.writeUTF(r.id());
    if (r.delete()) {
      out.writeInt(-2);
      out.writeLong(r.version());
    } else if (r.versioned()) {
      out.writeInt(-1);
      out.writeLong(r.version());
    } else {
      out.writeInt(r.attempt());
    }
    out.writeInt(r.source().length);
    out.write(r.source());
  }

  @Override
  protected DocWriteRequest deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
    String index = in.readUTF();
    String id = in.readUTF();
    // the attempt: a restored document starts its retry budget afresh (the job restarted)
    int mark = in.readInt();
    long version = mark < 0 ? in.readLong() : DocWriteRequest.NO_VERSION;
    byte[] source = new byte[in.readInt()];
    in.readFully(source);
    return new DocWriteRequest(index, id, source, 1, version, mark == -2);
  }

  @Override
  public int getVersion() {
    return 1;
  }
}
