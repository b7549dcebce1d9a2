package dev.strata.job.correlate;

import dev.strata.correlate.BindingKind;
import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.correlate.Statements;
import dev.strata.schema.correlate.EntityBinding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A binding -> one {@link KeyedBinding} per state key ({@link LookupKeys#stateKey}) of its lookup keys whose entity
 * type this hop looks up (see {@link LookupKeys#probes}), each with the binding's statement converted once here and
 * stated for the scopes of its lookup keys under that state key (an ip -> pod binding indexed under its VPC-scoped and
 * its cluster-scoped address is one entry in {@code ip||<address>}, for both scopes). Exactly one copy over all hops is
 * flagged primary: the one holding the first of the binding's keys that any hop looks up, at the first hop that does;
 * the lookup instance holding it reports the binding when accepted.
 *
 * <p>An entry keeps only the attributes its key type's lookups may fill ({@link LookupKeys#fillable}: pod, node and
 * service account keys), so a hop that skips such a key because all of that is known ({@link LookupKeys#probes})
 * misses nothing a binding there could have added.
 */
public final class RouteBindings implements FlatMapFunction<EntityBinding, KeyedBinding> {
  private static final long serialVersionUID = 1L;

  /** Entity types each hop looks up. */
  public static final List<Set<String>> TYPES_BY_HOP =
      List.of(
          Set.of("container", "container12", "podcontainer", "ip", "eni", "instance", "accesskey", "session",
              "dockersock", "node"),
          Set.of("pod", "container", "container12", "instance", "image", "taskdef"),
          Set.of("serviceaccount"));

  private final int hop;

  public RouteBindings(int hop) {
    this.hop = hop;
  }

  @Override
  public void flatMap(EntityBinding b, Collector<KeyedBinding> out) {
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind != null && !kind.lookup()) return; // a fact no lookup reads (container_sandbox)
    List<String> keys = LookupKeys.of(b);
    String primary = null;
    int primaryHop = 0;
    for (String k : keys) {
      primaryHop = firstHopOf(LookupKeys.typeOf(k));
      if (primaryHop > 0) {
        primary = k;
        break;
      }
    }
    Set<String> mine = TYPES_BY_HOP.get(hop - 1);
    Map<String, List<String>> byState = new LinkedHashMap<>(4);
    for (String k : keys) {
      if (mine.contains(LookupKeys.typeOf(k))) {
        byState.computeIfAbsent(LookupKeys.stateKey(k), s -> new ArrayList<>(2)).add(k);
      }
    }
    if (byState.isEmpty()) return;
    KeyState.Entry e = Statements.entry(b); // the statement, converted once for all of this hop's keys
    if (e == null) return; // a kind no lookup knows
    for (Map.Entry<String, List<String>> s : byState.entrySet()) {
      KeyState.Entry kept = e.keeping(LookupKeys.fillable(LookupKeys.typeOf(s.getKey())));
      List<String> scopes = scopes(s.getValue());
      out.collect(new KeyedBinding(s.getKey(), primaryHop == hop && s.getValue().contains(primary),
          KeyState.encode(kept.inScopes(scopes)), scopes == null ? Collections.singletonList(null) : scopes));
    }
  }

  /** The scopes of lookup keys that share one state key (null for an unshared key: its entries have no scope). */
  static List<String> scopes(List<String> keys) {
    if (LookupKeys.stateScope(keys.get(0)) == null) return null;
    List<String> scopes = new ArrayList<>(keys.size());
    for (String k : keys) scopes.add(LookupKeys.stateScope(k));
    return scopes;
  }

  /** The first hop that looks up entity type {@code type} (0 if none). */
  static int firstHopOf(String type) {
    for (int h = 0; h < TYPES_BY_HOP.size(); h++) {
      if (TYPES_BY_HOP.get(h).contains(type)) return h + 1;
    }
    return 0;
  }
}
