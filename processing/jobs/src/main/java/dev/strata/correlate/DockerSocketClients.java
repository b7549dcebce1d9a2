package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Docker API request's client when several containers connected to the host's socket ({@code docker.sock}) within
 * the bound ({@link BindingExtractor#DOCKER_SOCKET_CLIENT_BOUND}, 60 s): each connection ({@code dockersock_connect},
 * a fact) becomes the {@code dockersock_client} statement the lookups hold, unchanged when no other container connected
 * to the same daemon within the bound before or after it, else with confidence {@link #SEVERAL} (at most its own) and
 * every container that did in {@link #CANDIDATES} ({@link #decide}). A request is still answered with the latest
 * connection before it (the lookups' rule), but its fact says it was one of several: until session 13 the latest won
 * unflagged.
 */
public final class DockerSocketClients {
  public static final float SEVERAL = 0.5f;
  /** Every container that connected to the daemon within the bound of this one (12-character ids, space separated). */
  public static final String CANDIDATES = "dockersock_candidates";

  private DockerSocketClients() {}

  /** The daemon at which {@code b} joins (its subject key), for a {@code dockersock_connect}; else null. */
  public static String daemon(EntityBinding b) {
    return BindingKind.DOCKERSOCK_CONNECT.id().equals(b.getKind()) ? LookupKeys.of(b.getSubject()) : null;
  }

  /** The {@code dockersock_client} statement of {@code connect}, given the daemon's other connections. */
  public static EntityBinding decide(BindingExtractor x, EntityBinding connect, Collection<EntityBinding> others) {
    long t = BindingExtractor.micros(connect.getValidFrom());
    long bound = BindingExtractor.DOCKER_SOCKET_CLIENT_BOUND_MICROS;
    TreeSet<String> candidates = new TreeSet<>();
    candidates.add(connect.getObject().getKey());
    for (EntityBinding o : others) {
      if (!BindingKind.DOCKERSOCK_CONNECT.id().equals(o.getKind())) continue;
      long ot = BindingExtractor.micros(o.getValidFrom());
      if (Math.abs(ot - t) < bound) candidates.add(o.getObject().getKey());
    }
    Map<String, String> a = new LinkedHashMap<>(connect.getAttributes());
    float confidence = connect.getConfidence();
    if (candidates.size() > 1) {
      a.put(CANDIDATES, String.join(" ", candidates));
      confidence = Math.min(confidence, SEVERAL);
    }
    return x.derived(BindingKind.DOCKERSOCK_CLIENT, connect.getSubject().getScope(), connect.getSubject().getKey(),
        connect.getObject().getScope(), connect.getObject().getKey(), a, t,
        connect.getValidTo() == null ? null : BindingExtractor.micros(connect.getValidTo()), confidence, connect);
  }
}
