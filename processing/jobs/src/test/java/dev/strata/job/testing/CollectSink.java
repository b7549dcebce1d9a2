package dev.strata.job.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A Sink V2 that keeps what it receives (with the record timestamps) in this JVM, for MiniCluster tests. */
public final class CollectSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, List<Collected<?>>> VALUES = new ConcurrentHashMap<>();
  private static final Map<String, List<Long>> WATERMARKS = new ConcurrentHashMap<>();

  /** A value and the timestamp the record carried (null if none). */
  public record Collected<T>(T value, Long timestamp) {}

  private final String id = UUID.randomUUID().toString();

  public CollectSink() {
    VALUES.put(id, new ArrayList<>());
    WATERMARKS.put(id, new ArrayList<>());
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        List<Collected<?>> l = VALUES.get(id);
        synchronized (l) {
          l.add(new Collected<>(element, ctx.timestamp()));
        }
      }

      @Override
      public void writeWatermark(Watermark watermark) {
        List<Long> l = WATERMARKS.get(id);
        synchronized (l) {
          l.add(watermark.getTimestamp());
        }
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }

  @SuppressWarnings("unchecked")
  public List<Collected<T>> collected() {
    List<Collected<?>> l = VALUES.get(id);
    synchronized (l) {
      List<Collected<T>> out = new ArrayList<>();
      for (Collected<?> c : l) {
        out.add((Collected<T>) c);
      }
      return out;
    }
  }

  public List<T> values() {
    return collected().stream().map(Collected::value).toList();
  }

  public List<Long> watermarks() {
    List<Long> l = WATERMARKS.get(id);
    synchronized (l) {
      return List.copyOf(l);
    }
  }
}
