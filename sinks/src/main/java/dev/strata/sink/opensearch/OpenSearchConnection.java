package dev.strata.sink.opensearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * An opensearch-java client ({@code ApacheHttpClient5Transport} + {@code JacksonJsonpMapper}) built from an
 * {@link OpenSearchSinkConfig}. The typed {@link #client()} and the raw {@link #generic()} client share one
 * connection pool; {@link #close()} closes it.
 */
public final class OpenSearchConnection implements AutoCloseable {
  private final OpenSearchTransport transport;
  private final OpenSearchClient client;

  private OpenSearchConnection(OpenSearchTransport transport) {
    this.transport = transport;
    this.client = new OpenSearchClient(transport);
  }

  public static OpenSearchConnection open(OpenSearchSinkConfig config) {
    List<URI> urls = config.urls();
    HttpHost[] hosts = new HttpHost[urls.size()];
    for (int i = 0; i < hosts.length; i++) {
      URI u = urls.get(i);
      int port = u.getPort() > 0 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 9200);
      hosts[i] = new HttpHost(u.getScheme(), u.getHost(), port);
    }
    ApacheHttpClient5TransportBuilder b = ApacheHttpClient5TransportBuilder.builder(hosts)
        .setMapper(new JacksonJsonpMapper())
        .setRequestConfigCallback(rc -> rc
            .setConnectTimeout(Timeout.ofSeconds(10))
            .setResponseTimeout(Timeout.of(config.socketTimeout().toMillis(), TimeUnit.MILLISECONDS)));
    if (config.username() != null) {
      BasicCredentialsProvider creds = new BasicCredentialsProvider();
      for (HttpHost h : hosts) {
        creds.setCredentials(new AuthScope(h),
            new UsernamePasswordCredentials(config.username(), config.password().reveal().toCharArray()));
      }
      b.setHttpClientConfigCallback(hc -> hc.setDefaultCredentialsProvider(creds));
    }
    return new OpenSearchConnection(b.build());
  }

  public OpenSearchClient client() {
    return client;
  }

  /** Raw requests (no typed model): what the sink uses for {@code _bulk}. */
  public OpenSearchGenericClient generic() {
    return client.generic();
  }

  public OpenSearchTransport transport() {
    return transport;
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
