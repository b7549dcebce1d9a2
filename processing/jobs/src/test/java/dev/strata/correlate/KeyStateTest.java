package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Interval semantics and the compact encoding of one key's bindings. */
class KeyStateTest {
  static int seq;

  static KeyState.Entry start(BindingKind k, long from, String object, String... attrs) {
    return entry(k, false, from, KeyState.OPEN, object, attrs);
  }

  static KeyState.Entry end(BindingKind k, long at, String object) {
    return entry(k, true, at, KeyState.OPEN, object);
  }

  static KeyState.Entry entry(BindingKind k, boolean end, long from, long to, String object, String... attrs) {
    byte[] id = new byte[32];
    id[0] = (byte) ++seq;
    id[1] = (byte) (seq >> 8);
    String[] a = new String[Attr.ALL.size()];
    for (int i = 0; i + 1 < attrs.length; i += 2) a[Attr.code(attrs[i])] = attrs[i + 1];
    return new KeyState.Entry(k, end, from, to, id, object, a);
  }

  static String at(KeyState s, long t) {
    List<Hit> h = s.resolve(t);
    return h.isEmpty() ? null : h.get(0).object();
  }

  /**
   * A statement and its restatement with the node's instance (join-node-instances): whichever comes first, the one with
   * the instance is held (its id, so the lookup's change detection answers again), once; an open start whose start a
   * restatement moved back is still the one replaced; a closed interval too; another object is not touched.
   */
  @Test
  void aStatementRestatedWithItsNodesInstanceIsHeldInItsPlaceInEitherOrder() {
    KeyState.Entry plain = entry(BindingKind.POD_NODE, false, 100, KeyState.OPEN, "node-1", Attr.NODE_NAME, "node-1");
    KeyState.Entry withInstance = entry(BindingKind.POD_NODE, false, 100, KeyState.OPEN, "node-1", Attr.NODE_NAME,
        "node-1", Attr.INSTANCE_UID, "i-1");
    KeyState a = new KeyState();
    assertThat(a.add(plain)).isTrue();
    assertThat(a.add(withInstance)).as("replaces the plain one").isTrue();
    assertThat(a.add(withInstance)).as("once").isFalse();
    KeyState b = new KeyState();
    assertThat(b.add(withInstance)).isTrue();
    assertThat(b.add(plain)).as("the plain one adds nothing").isFalse();
    for (KeyState s : List.of(a, b)) {
      assertThat(s.size()).isEqualTo(1);
      Hit h = s.resolve(150).get(0);
      assertThat(h.attrs()).containsEntry(Attr.INSTANCE_UID, "i-1");
      assertThat(h.bindingId()).isEqualTo(java.util.HexFormat.of().formatHex(withInstance.bindingId));
    }
    // a restatement moved the held start back: the restatement with the instance still replaces it (start kept)
    KeyState c = new KeyState();
    c.add(plain);
    c.add(entry(BindingKind.POD_NODE, false, 50, KeyState.OPEN, "node-1", Attr.NODE_NAME, "node-1"));
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.add(withInstance)).isTrue();
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.resolve(60).get(0).attrs()).containsEntry(Attr.INSTANCE_UID, "i-1");
    // a closed interval, in either order
    KeyState.Entry closed = entry(BindingKind.IP_POD, false, 100, 200, "ns/a", Attr.NODE_NAME, "node-1");
    KeyState.Entry closedWith = entry(BindingKind.IP_POD, false, 100, 200, "ns/a", Attr.NODE_NAME, "node-1",
        Attr.INSTANCE_UID, "i-1");
    KeyState d = new KeyState();
    d.add(closed);
    assertThat(d.add(closedWith)).isTrue();
    KeyState e = new KeyState();
    e.add(closedWith);
    assertThat(e.add(closed)).isFalse();
    for (KeyState s : List.of(d, e)) {
      assertThat(s.size()).isEqualTo(1);
      assertThat(s.resolve(150).get(0).attrs()).containsEntry(Attr.INSTANCE_UID, "i-1");
      assertThat(s.resolve(250)).isEmpty();
    }
    // another object (the address's next holder) is not replaced
    KeyState f = new KeyState();
    f.add(start(BindingKind.IP_POD, 100, "ns/a", Attr.NODE_NAME, "node-1"));
    assertThat(f.add(entry(BindingKind.IP_POD, false, 300, KeyState.OPEN, "ns/b", Attr.NODE_NAME, "node-1",
        Attr.INSTANCE_UID, "i-1"))).isTrue();
    assertThat(f.size()).isEqualTo(2);
    assertThat(f.resolve(150).get(0).attrs()).doesNotContainKey(Attr.INSTANCE_UID);
    assertThat(KeyState.decode(a.encode()).resolve(150).get(0).attrs()).containsEntry(Attr.INSTANCE_UID, "i-1");
  }

  @Test
  void laterStartOfAnotherObjectClosesTheFirst_inAnyArrivalOrder() {
    KeyState a = new KeyState();
    a.add(start(BindingKind.IP_POD, 100, "ns/a"));
    a.add(start(BindingKind.IP_POD, 200, "ns/b"));
    KeyState b = new KeyState();
    b.add(start(BindingKind.IP_POD, 200, "ns/b"));
    b.add(start(BindingKind.IP_POD, 100, "ns/a"));
    for (KeyState s : List.of(a, b)) {
      assertThat(at(s, 99)).isNull();
      assertThat(at(s, 100)).isEqualTo("ns/a");
      assertThat(at(s, 199)).isEqualTo("ns/a");
      assertThat(at(s, 200)).isEqualTo("ns/b");
      assertThat(at(s, 10_000)).isEqualTo("ns/b");
    }
  }

  /**
   * A pod's node answers for {@link BindingKind#POD_NODE_AFTER_END_MICROS} after the pod's end (observed or stated):
   * its container's late lines right after the delete; a later start of the same pod name (a StatefulSet's next pod)
   * answers from its own start; an address does not outlive its end.
   */
  @Test
  void aPodsNodeAnswersRightAfterThePodsEndInAnyArrivalOrder() {
    long min = 60_000_000L;
    long grace = BindingKind.POD_NODE_AFTER_END_MICROS;
    KeyState a = new KeyState();
    a.add(start(BindingKind.POD_NODE, 100, "node-1"));
    a.add(end(BindingKind.POD_NODE, 10 * min, "node-1"));
    a.add(start(BindingKind.POD_NODE, 10 * min + grace + 2 * min, "node-2"));
    KeyState b = new KeyState();
    b.add(start(BindingKind.POD_NODE, 10 * min + grace + 2 * min, "node-2"));
    b.add(end(BindingKind.POD_NODE, 10 * min, "node-1"));
    b.add(start(BindingKind.POD_NODE, 100, "node-1"));
    for (KeyState s : List.of(a, b)) {
      assertThat(at(s, 10 * min - 1)).isEqualTo("node-1");
      assertThat(at(s, 10 * min + 30_000_000L)).as("30 s after the end").isEqualTo("node-1");
      assertThat(at(s, 10 * min + grace)).isEqualTo("node-1");
      assertThat(at(s, 10 * min + grace + 1)).as("past the bound").isNull();
      assertThat(at(s, 10 * min + grace + 2 * min)).as("the next pod of the name").isEqualTo("node-2");
    }
    // a stated (provisional) end: the same bound
    KeyState stated = new KeyState();
    stated.add(entry(BindingKind.POD_NODE, false, 100, 10 * min, "node-1"));
    assertThat(at(stated, 10 * min + 1)).isEqualTo("node-1");
    assertThat(at(stated, 10 * min + grace + 1)).isNull();
    KeyState ip = new KeyState();
    ip.add(start(BindingKind.IP_POD, 100, "ns/a"));
    ip.add(end(BindingKind.IP_POD, 10 * min, "ns/a"));
    assertThat(at(ip, 10 * min + 1)).as("an address changes hands at its end").isNull();
  }

  @Test
  void endClosesOnlyItsOwnObject() {
    KeyState s = new KeyState();
    s.add(start(BindingKind.IP_POD, 100, "ns/a"));
    s.add(end(BindingKind.IP_POD, 150, "ns/a"));
    assertThat(at(s, 149)).isEqualTo("ns/a");
    assertThat(at(s, 150)).isNull();
    s.add(start(BindingKind.IP_POD, 200, "ns/b"));
    s.add(end(BindingKind.IP_POD, 250, "ns/a")); // a late, stale end of the previous holder
    assertThat(at(s, 260)).isEqualTo("ns/b");
    s.add(start(BindingKind.IP_POD, 300, "ns/a")); // restarted: bound again
    assertThat(at(s, 300)).isEqualTo("ns/a");
  }

  @Test
  void statedEndAndKindsAreIndependent() {
    KeyState s = new KeyState();
    s.add(entry(BindingKind.ACCESSKEY_SESSION, false, 100, 200, "sess"));
    s.add(start(BindingKind.CONTAINER_IMAGE, 50, "sha256:x"));
    assertThat(s.resolve(150)).extracting(Hit::object).containsExactlyInAnyOrder("sess", "sha256:x");
    assertThat(s.resolve(200)).extracting(Hit::object).containsExactly("sha256:x");
  }

  @Test
  void restatementsDoNotGrowTheList_earlierOnesMoveTheStartBack() {
    KeyState s = new KeyState();
    assertThat(s.add(start(BindingKind.CONTAINER_POD, 100, "ns/a"))).isTrue();
    for (int i = 1; i <= 50; i++) {
      assertThat(s.add(start(BindingKind.CONTAINER_POD, 100 + i, "ns/a"))).isFalse();
    }
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.add(start(BindingKind.CONTAINER_POD, 40, "ns/a"))).isTrue();
    assertThat(s.size()).isEqualTo(1);
    assertThat(at(s, 40)).isEqualTo("ns/a");
    KeyState.Entry dup = start(BindingKind.CONTAINER_POD, 500, "ns/b");
    assertThat(s.add(dup)).isTrue();
    assertThat(s.add(dup)).as("same binding id again").isFalse();
  }

  @Test
  void encodingRoundTripsAndIsCompact() {
    KeyState s = new KeyState();
    s.add(start(BindingKind.IP_POD, 1_795_082_400_000_000L, "payments/api-7d9f",
        "cluster", "prod", "namespace", "payments", "pod_name", "api-7d9f",
        "pod_uid", "6f1c2b1e-0000-4000-8000-0000000000a1", "node_name", "ip-10-0-1-10.ec2.internal",
        "service_account", "payments/api-sa", "account_uid", "111111111111"));
    s.add(end(BindingKind.IP_POD, 1_795_083_000_000_000L, "payments/api-7d9f"));
    byte[] b = s.encode();
    KeyState r = KeyState.decode(b);
    assertThat(r.encode()).isEqualTo(b);
    Hit h = r.resolve(1_795_082_500_000_000L).get(0);
    assertThat(h.attrs()).containsEntry("pod_uid", "6f1c2b1e-0000-4000-8000-0000000000a1")
        .containsEntry("service_account", "payments/api-sa").hasSize(7);
    assertThat(h.bindingId()).hasSize(64);
    assertThat(r.resolve(1_795_083_000_000_000L)).isEmpty();
    assertThat(b.length).as("a start with 7 attributes and an end").isLessThan(2 * 150);
  }

  /**
   * An address's state as the lookups hold it: a pod's start in the VPC's and the cluster's scopes (its cluster,
   * account and namespace's service account what the scopes and namespace say), a second pod's whose attributes the
   * scopes do not say, and an end at a time with a fraction of a second.
   */
  static KeyState codedState() {
    seq = 0; // the ids 1, 2, 3 (as in BEFORE_SESSION_19)
    KeyState s = new KeyState();
    s.add(scoped(start(BindingKind.IP_POD, 1_795_082_400_000_000L, "payments/api-7d9f",
        "cluster", "prod", "namespace", "payments", "pod_name", "api-7d9f",
        "pod_uid", "6f1c2b1e-0000-4000-8000-0000000000a1", "node_name", "ip-10-0-1-10.ec2.internal",
        "service_account", "payments/api-sa", "account_uid", "111111111111"), VPC_A, CLUSTER));
    s.add(scoped(end(BindingKind.IP_POD, 1_795_083_000_000_123L, "payments/api-7d9f"), VPC_A, CLUSTER));
    s.add(scoped(start(BindingKind.IP_POD, 1_795_084_000_000_000L, "shop/cart-1",
        "cluster", "other", "namespace", "shop", "pod_name", "cart-1", "service_account", "shop",
        "account_uid", "222222222222"), VPC_A, CLUSTER));
    return s;
  }

  /**
   * Since session 19 an entry does not write what its scopes or namespace say (a cluster, an account, the namespace
   * of a service account) and writes whole seconds in seconds; the state of the build before still decodes the same.
   */
  @Test
  void attributesTheScopesSayAreNotWrittenAndTheFormBeforeStillDecodes() {
    KeyState s = codedState();
    byte[] b = s.encode();
    KeyState r = KeyState.decode(b);
    assertThat(r.encode()).isEqualTo(b);
    // as 9337448 (before session 19) encoded codedState(): every value written whole, times in microseconds; as
    // 3fdad2b (session 19's first landing) did: flags 16 and 32, the times and id first
    byte[] before = java.util.HexFormat.of().parseHex(BEFORE_SESSION_19);
    byte[] first19 = java.util.HexFormat.of().parseHex(FIRST_LANDING_OF_SESSION_19);
    for (KeyState k : List.of(r, KeyState.decode(before), KeyState.decode(first19))) {
      for (String scope : List.of(VPC_A, CLUSTER)) {
        Hit h = k.resolve(scope, 1_795_082_500_000_000L).get(0);
        assertThat(h.attrs()).containsEntry("cluster", "prod").containsEntry("account_uid", "111111111111")
            .containsEntry("service_account", "payments/api-sa").containsEntry("namespace", "payments")
            .containsEntry("pod_uid", "6f1c2b1e-0000-4000-8000-0000000000a1").hasSize(7);
        assertThat(h.object()).isEqualTo("payments/api-7d9f");
        assertThat(k.resolve(scope, 1_795_083_000_000_122L)).hasSize(1);
        assertThat(k.resolve(scope, 1_795_083_000_000_123L)).isEmpty();
        assertThat(k.resolve(scope, 1_795_084_000_000_000L).get(0).attrs()).containsEntry("cluster", "other")
            .containsEntry("account_uid", "222222222222").containsEntry("service_account", "shop").hasSize(5);
      }
    }
    assertThat(KeyState.decode(before).encode()).isEqualTo(b);
    assertThat(KeyState.decode(first19).encode()).isEqualTo(b);
    // "prod" and "111111111111" (5 + 13 bytes with their lengths), "payments/" (9), the first start in seconds (5 bytes
    // instead of 8), the uid's marker (1), the masks of what is coded (3 + 1 + 1 bytes more); the third start comes
    // 999.999877 s after the end: micros
    assertThat(b.length).isEqualTo(before.length - 5 - 13 - 9 - 3 - 1 + 3 + 1 + 1);
    assertThat(first19.length).isEqualTo(before.length - 5 - 13 - 9 - 3 + 3);
  }

  static final String FIRST_LANDING_OF_SESSION_19 = "03033cc0a2f6af0d01000000000000000000000000000000000000000000000000000000000000009f840181840109706179"
      + "6d656e7473096170692d37643966006f1c2b1e0000400080000000000000a11a69702d31302d302d312d31302e6563322e69"
      + "6e7465726e616c076170692d7361021a6177733a3131313131313131313131313a7670632d30616161096b38733a70726f64"
      + "0309f6999abc040200000000000000000000000000000000000000000000000000000000000000127061796d656e74732f61"
      + "70692d3764396600021a6177733a3131313131313131313131313a7670632d30616161096b38733a70726f64030c8aa6d6b9"
      + "070300000000000000000000000000000000000000000000000000000000000000878401066f746865720573686f70076361"
      + "72742d310573686f700d323232323232323232323232021a6177733a3131313131313131313131313a7670632d3061616109"
      + "6b38733a70726f64";

  static final String BEFORE_SESSION_19 = "03030c80a0db8cc6a7b00601000000000000000000000000000000000000000000000000000000000000009f84010570726f"
      + "64097061796d656e7473096170692d37643966006f1c2b1e0000400080000000000000a11a69702d31302d302d312d31302e"
      + "6563322e696e7465726e616c107061796d656e74732f6170692d73610d313131313131313131313131021a6177733a313131"
      + "3131313131313131313a7670632d30616161096b38733a70726f640309f6999abc0402000000000000000000000000000000"
      + "00000000000000000000000000000000127061796d656e74732f6170692d3764396600021a6177733a313131313131313131"
      + "3131313a7670632d30616161096b38733a70726f64030c8aa6d6b90703000000000000000000000000000000000000000000"
      + "00000000000000000000878401066f746865720573686f7007636172742d310573686f700d32323232323232323232323202"
      + "1a6177733a3131313131313131313131313a7670632d30616161096b38733a70726f64";

  @Test
  void aKeyOfOpenStartsOnlyHasNothingToPrune_aClosingStatementHas() {
    KeyState s = new KeyState();
    s.add(start(BindingKind.IP_POD, 100, "ns/a", Attr.NAMESPACE, "ns", Attr.POD_NAME, "a"));
    s.add(start(BindingKind.CONTAINER_POD, 100, "ns/a"));
    assertThat(s.prunable()).isFalse();
    assertThat(KeyState.decode(s.encode()).prunable()).isFalse();
    assertThat(KeyState.prunable(KeyState.encode(start(BindingKind.IP_POD, 100, "ns/a")))).isFalse();
    assertThat(KeyState.prunable(KeyState.encode(end(BindingKind.IP_POD, 100, "ns/a")))).isTrue();
    assertThat(KeyState.prunable(KeyState.encode(entry(BindingKind.IP_POD, false, 100, 400, "ns/c")))).isTrue();
    KeyState reused = KeyState.decode(s.encode());
    reused.add(start(BindingKind.IP_POD, 200, "ns/b"));
    assertThat(reused.prunable()).as("the first holder's interval is closed by the second").isTrue();
    KeyState ended = KeyState.decode(s.encode());
    ended.add(end(BindingKind.CONTAINER_POD, 300, "ns/a"));
    assertThat(ended.prunable()).isTrue();
    KeyState stated = new KeyState();
    stated.add(entry(BindingKind.IP_POD, false, 100, 400, "ns/c"));
    assertThat(stated.prunable()).isTrue();
  }

  @Test
  void aSingleEntryEncodesAsTheStateOfAKeyHoldingOnlyIt() {
    KeyState.Entry e = start(BindingKind.IP_POD, 100, "ns/a", Attr.NAMESPACE, "ns", Attr.POD_NAME, "a",
        Attr.NODE_NAME, "node-1");
    KeyState s = new KeyState();
    s.add(e);
    assertThat(KeyState.encode(e)).isEqualTo(s.encode());
    KeyState.Entry back = KeyState.firstEntry(KeyState.encode(e));
    assertThat(back.from()).isEqualTo(100);
    KeyState again = new KeyState();
    again.add(back);
    assertThat(at(again, 150)).isEqualTo("ns/a");
    assertThat(again.resolve(150).get(0).attrs()).containsEntry(Attr.NODE_NAME, "node-1");
  }

  @Test
  void pruneDropsClosedIntervalsBeforeTheHorizonAndKeepsTheOpenOne() {
    KeyState s = new KeyState();
    s.add(start(BindingKind.IP_POD, 100, "ns/a"));
    s.add(start(BindingKind.IP_POD, 200, "ns/b"));
    s.add(start(BindingKind.IP_POD, 300, "ns/c"));
    assertThat(s.prune(250, 64)).isEqualTo(1);
    assertThat(at(s, 250)).isEqualTo("ns/b");
    assertThat(s.prune(10_000, 64)).isEqualTo(1);
    assertThat(at(s, 10_000)).isEqualTo("ns/c");
    for (int i = 0; i < 10; i++) s.add(start(BindingKind.IP_POD, 1000 + i, "ns/x" + i));
    s.prune(Long.MIN_VALUE, 4);
    assertThat(s.size()).isEqualTo(4);
    assertThat(at(s, 2000)).isEqualTo("ns/x9");
  }

  // ------------------------------------------------------------------ scopes of one address in one state key

  static final String VPC_A = "aws:111111111111:vpc-0aaa";
  static final String VPC_B = "aws:222222222222:vpc-0bbb";
  static final String CLUSTER = "k8s:prod";

  static KeyState.Entry scoped(KeyState.Entry e, String... scopes) {
    return e.inScopes(List.of(scopes));
  }

  static String at(KeyState s, String scope, long t) {
    List<Hit> h = s.resolve(scope, t);
    return h.isEmpty() ? null : h.get(0).object();
  }

  @Test
  void aSecondVpcReusingTheAddressDoesNotCloseTheFirstVpcsHolder_inAnyArrivalOrder() {
    KeyState.Entry a = scoped(start(BindingKind.IP_POD, 100, "ns/a"), VPC_A, CLUSTER);
    KeyState.Entry b = scoped(start(BindingKind.IP_POD, 200, "other/b"), VPC_B);
    KeyState ab = new KeyState();
    ab.add(a);
    ab.add(b);
    KeyState ba = new KeyState();
    ba.add(b);
    ba.add(a);
    for (KeyState s : List.of(ab, ba, KeyState.decode(ab.encode()), KeyState.decode(ba.encode()))) {
      assertThat(at(s, VPC_A, 150)).isEqualTo("ns/a");
      assertThat(at(s, VPC_A, 10_000)).as("vpc B's later holder does not close vpc A's").isEqualTo("ns/a");
      assertThat(at(s, CLUSTER, 10_000)).isEqualTo("ns/a");
      assertThat(at(s, VPC_B, 150)).as("vpc B: nothing before its start").isNull();
      assertThat(at(s, VPC_B, 10_000)).isEqualTo("other/b");
      assertThat(at(s, "aws:111111111111", 10_000)).as("a scope no binding was stated for").isNull();
      assertThat(s.resolve(10_000)).as("unscoped lookups see no scoped entry").isEmpty();
      assertThat(s.prunable()).as("both still open in their scopes").isFalse();
    }
  }

  @Test
  void aLaterHolderInOneScopeClosesTheEarlierOnlyThere() {
    KeyState s = new KeyState();
    s.add(scoped(start(BindingKind.IP_POD, 100, "ns/a"), VPC_A, CLUSTER));
    s.add(scoped(start(BindingKind.IP_POD, 200, "ns/b"), VPC_A));
    assertThat(at(s, VPC_A, 250)).isEqualTo("ns/b");
    assertThat(at(s, CLUSTER, 250)).as("the cluster scope was not restated").isEqualTo("ns/a");
    assertThat(s.prune(10_000, 64)).as("ns/a still answers in the cluster scope").isZero();
    s.add(scoped(start(BindingKind.IP_POD, 300, "ns/b"), CLUSTER));
    assertThat(at(s, CLUSTER, 350)).isEqualTo("ns/b");
    assertThat(s.prune(10_000, 64)).as("now closed in both of its scopes").isEqualTo(1);
    assertThat(at(s, VPC_A, 10_000)).isEqualTo("ns/b");
    assertThat(at(s, CLUSTER, 10_000)).isEqualTo("ns/b");
  }

  @Test
  void anEndOrARestatementCountsOnlyInItsOwnScopes() {
    KeyState s = new KeyState();
    s.add(scoped(start(BindingKind.IP_POD, 100, "ns/a"), VPC_A));
    assertThat(s.add(scoped(start(BindingKind.IP_POD, 150, "ns/a"), VPC_A))).as("a restatement").isFalse();
    assertThat(s.add(scoped(start(BindingKind.IP_POD, 150, "ns/a"), VPC_B))).as("new in vpc B").isTrue();
    s.add(scoped(end(BindingKind.IP_POD, 200, "ns/a"), VPC_B));
    assertThat(at(s, VPC_B, 250)).isNull();
    assertThat(at(s, VPC_A, 250)).isEqualTo("ns/a");
  }

  @Test
  void theEntryCapCountsPerScope_manyVpcsReusingOneAddressKeepTheirHolders() {
    KeyState s = new KeyState();
    for (int v = 0; v < 70; v++) s.add(scoped(start(BindingKind.IP_POD, 100 + v, "ns/p" + v), "aws:1111:vpc-" + v));
    assertThat(s.prune(Long.MIN_VALUE, 64)).as("one open holder per VPC: nothing over the cap").isZero();
    for (int v = 0; v < 70; v++) assertThat(at(s, "aws:1111:vpc-" + v, 10_000)).isEqualTo("ns/p" + v);
    for (int i = 0; i < 70; i++) s.add(scoped(start(BindingKind.IP_POD, 1000 + i, "ns/q" + i), VPC_A));
    assertThat(s.prune(Long.MIN_VALUE, 64)).as("vpc A's oldest closed holders go").isEqualTo(6);
    assertThat(at(s, VPC_A, 10_000)).isEqualTo("ns/q69");
    assertThat(at(s, "aws:1111:vpc-0", 10_000)).as("other VPCs untouched").isEqualTo("ns/p0");
  }

  /**
   * A pod's service account, stated only by the API server's pod objects (its creation, before it has a node), is
   * still the pod's when later statements of its node (the scheduler's event, a sensor's pod metadata) do not name it:
   * both hits answer (the earlier one for the service account, with its binding id), in any arrival order; not across
   * the pod's end, where a later pod of the same name begins.
   */
  @Test
  void aPodsServiceAccountOutlivesLaterStatementsOfItsNodeUntilThePodsEnd() {
    long s = 1_000_000L;
    for (boolean shuffled : List.of(false, true)) {
      KeyState k = new KeyState();
      List<KeyState.Entry> in = new java.util.ArrayList<>(List.of(
          start(BindingKind.POD_NODE, 0, "", Attr.POD_NAME, "job-1", Attr.POD_UID, "u1", Attr.SERVICE_ACCOUNT, "ci/runner-jobs"),
          start(BindingKind.POD_NODE, 1 * s, "node-a", Attr.POD_NAME, "job-1", Attr.NODE_NAME, "node-a"),
          start(BindingKind.POD_NODE, 9 * s, "node-a", Attr.POD_NAME, "job-1", Attr.NODE_NAME, "node-a", Attr.POD_UID, "u1"),
          end(BindingKind.POD_NODE, 400 * s, "node-a"),
          start(BindingKind.POD_NODE, 1000 * s, "node-b", Attr.POD_NAME, "job-1", Attr.NODE_NAME, "node-b")));
      if (shuffled) java.util.Collections.reverse(in);
      in.forEach(k::add);
      List<Hit> at5 = k.resolve(5 * s);
      assertThat(at5).extracting(Hit::object).containsExactly("node-a", "");
      assertThat(at5.get(1).attrs()).containsEntry(Attr.SERVICE_ACCOUNT, "ci/runner-jobs");
      assertThat(k.resolve(100 * s)).as("after a restatement without it").extracting(Hit::object)
          .containsExactly("node-a", "");
      assertThat(k.resolve(2000 * s)).as("the next pod of the name, after the end").extracting(Hit::object)
          .containsExactly("node-b");
    }
    // the statement in force names it: one hit
    KeyState own = new KeyState();
    own.add(start(BindingKind.POD_NODE, 0, "", Attr.SERVICE_ACCOUNT, "ci/a"));
    own.add(start(BindingKind.POD_NODE, s, "node-a", Attr.SERVICE_ACCOUNT, "ci/a"));
    assertThat(own.resolve(2 * s)).hasSize(1);
  }

  /**
   * A restatement of the start in force fills the attributes it lacks (the union of what the statements said), in any
   * arrival order, without changing one it has; the change is reported from the held start (its events are answered
   * again). SupplyChainRolloutScenarioIT: containerd's CreateContainer line (10:04:15.3, no digest) and the sensor's
   * record of the same container in its pod (10:04:20, with the digest).
   */
  @Test
  void aRestatementFillsTheAttributesTheStartInForceLacks_inAnyArrivalOrder() {
    long s = 1_000_000L;
    java.util.function.IntFunction<KeyState.Entry> statement = i -> switch (i) {
      case 0 -> start(BindingKind.CONTAINER_POD, 15 * s, "merch/a", Attr.POD_NAME, "a", Attr.NODE_NAME, "n1");
      case 1 -> start(BindingKind.CONTAINER_POD, 20 * s, "merch/a", Attr.POD_NAME, "a", Attr.IMAGE_DIGEST, "sha256:bad",
          Attr.NODE_NAME, "other");
      default -> start(BindingKind.CONTAINER_POD, 25 * s, "merch/a", Attr.POD_NAME, "a");
    };
    for (int[] p : PERMUTATIONS) {
      KeyState k = new KeyState();
      for (int i : p) k.add(statement.apply(i));
      String order = java.util.Arrays.toString(p);
      assertThat(k.size()).as("one start: %s", order).isEqualTo(1);
      Hit h = k.resolve(16 * s).get(0);
      assertThat(h.attrs()).as(order).containsEntry(Attr.IMAGE_DIGEST, "sha256:bad");
      assertThat(h.attrs().get(Attr.NODE_NAME)).as("the first statement's node is kept, never overwritten: %s", order)
          .isEqualTo(indexOf(p, 0) < indexOf(p, 1) ? "n1" : "other");
    }
    KeyState k = new KeyState();
    KeyState.Entry runtime = statement.apply(0);
    k.add(runtime);
    KeyState.Entry sensor = statement.apply(1);
    assertThat(k.changesFrom(sensor)).as("answers change from the held start").isEqualTo(15 * s);
    assertThat(k.add(sensor)).isTrue();
    assertThat(runtime.attrs[Attr.code(Attr.IMAGE_DIGEST)]).as("the held entry object is not written").isNull();
    assertThat(k.resolve(16 * s).get(0).bindingId()).as("the completing statement's id: the lookups see a change")
        .isEqualTo(java.util.HexFormat.of().formatHex(sensor.bindingId));
    KeyState.Entry plain = statement.apply(2);
    assertThat(k.changesFrom(plain)).isEqualTo(25 * s);
    assertThat(k.add(plain)).as("fills nothing: no change").isFalse();
  }

  static final int[][] PERMUTATIONS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

  static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
    return -1;
  }

  /**
   * The API server's create of a pod (no node yet, its service account) between the Kubernetes event "Scheduled"
   * (second precision, so before the create) and the scheduler's binding: in every arrival order the pod's later
   * events find its node (and its service account from the create), and a pod of the same name after its end does not.
   */
  @Test
  void aPodsStatementNamingNoNodeDoesNotHideItsNode_inAnyArrivalOrder() {
    long s = 1_000_000L;
    java.util.function.IntFunction<KeyState.Entry> statement = i -> switch (i) {
      case 0 -> start(BindingKind.POD_NODE, 9 * s, "n1", Attr.POD_NAME, "a", Attr.NODE_NAME, "n1");
      case 1 -> start(BindingKind.POD_NODE, 9 * s + 124_000, "", Attr.POD_NAME, "a", Attr.POD_UID, "u1",
          Attr.SERVICE_ACCOUNT, "merch/api");
      default -> start(BindingKind.POD_NODE, 9 * s + 407_000, "n1", Attr.POD_NAME, "a", Attr.POD_UID, "u1",
          Attr.NODE_NAME, "n1");
    };
    for (int[] p : PERMUTATIONS) {
      KeyState k = new KeyState();
      for (int i : p) k.add(statement.apply(i));
      String order = java.util.Arrays.toString(p);
      List<Hit> late = k.resolve(3600 * s);
      assertThat(late).as(order).extracting(Hit::object).first().isEqualTo("n1");
      assertThat(late).as(order).anySatisfy(h -> assertThat(h.attrs()).containsEntry(Attr.SERVICE_ACCOUNT, "merch/api"));
      k.add(end(BindingKind.POD_NODE, 4000 * s, "n1"));
      k.add(start(BindingKind.POD_NODE, 5000 * s, "", Attr.POD_NAME, "a", Attr.POD_UID, "u2"));
      assertThat(at(k, 5001 * s)).as("the next pod of the name, not yet scheduled: %s", order).isEmpty();
    }
    // another pod of the name (another uid) with no end between: not its node
    KeyState other = new KeyState();
    other.add(start(BindingKind.POD_NODE, s, "n1", Attr.POD_UID, "u1"));
    other.add(start(BindingKind.POD_NODE, 2 * s, "", Attr.POD_UID, "u2"));
    assertThat(at(other, 3 * s)).isEmpty();
  }

  /**
   * A statement filled by a later one (a token request's service account) and restated with its node's instance
   * (join-node-instances) keeps what it was filled with, and a statement arriving after the restatement still fills it:
   * the union of the statements, in every order.
   */
  @Test
  void aStatementsRestatementWithItsInstanceKeepsWhatLaterStatementsFilledIn_inAnyArrivalOrder() {
    long s = 1_000_000L;
    java.util.function.IntFunction<KeyState.Entry> statement = i -> switch (i) {
      case 0 -> start(BindingKind.POD_NODE, 10 * s, "n1", Attr.NAMESPACE, "a", Attr.NODE_NAME, "n1");
      case 1 -> start(BindingKind.POD_NODE, 10 * s, "n1", Attr.NAMESPACE, "a", Attr.NODE_NAME, "n1",
          Attr.INSTANCE_UID, "i-1");
      default -> start(BindingKind.POD_NODE, 500 * s, "n1", Attr.NAMESPACE, "a", Attr.NODE_NAME, "n1",
          Attr.SERVICE_ACCOUNT, "a/worker");
    };
    for (int[] p : PERMUTATIONS) {
      KeyState k = new KeyState();
      for (int i : p) k.add(statement.apply(i));
      String order = java.util.Arrays.toString(p);
      assertThat(k.size()).as(order).isEqualTo(1);
      Hit h = k.resolve(600 * s).get(0);
      assertThat(h.attrs()).as(order).containsEntry(Attr.INSTANCE_UID, "i-1")
          .containsEntry(Attr.SERVICE_ACCOUNT, "a/worker");
      assertThat(KeyState.decode(k.encode()).resolve(600 * s).get(0).attrs()).as("encoded: %s", order)
          .containsEntry(Attr.SERVICE_ACCOUNT, "a/worker");
    }
  }
}
