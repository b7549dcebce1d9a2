package dev.strata.job.bench;

/**
 * Which of the benchmark's N bound addresses event j comes from ({@code --draw}): {@code uniform} (the headline, every
 * session's draw: each event from a uniformly random address, so at 10M addresses and 2M events ~86 % of hop 1's reads
 * in the measured half are an address's first, which no cache of what was read can answer) or {@code zipf} with
 * exponent {@code --zipf-s} (default 1.1): address rank r is drawn with probability ∝ 1 / r^s, as a fleet whose flows
 * come again and again from the same busy services, the ranks spread over the addresses by a fixed permutation (so the
 * hot addresses are not the first ones loaded, nor neighbours in the state's key order). A function of (j, N) alone:
 * the generator, the raw run's probes and the checks at start draw the same address for the same event.
 */
final class AddressDraw {
  private static volatile AddressDraw current = new AddressDraw(0);

  /** 0: uniform. */
  private final double s;

  private AddressDraw(double s) {
    this.s = s;
  }

  /** Sets the draw from the benchmark's arguments ({@code uniform}, or {@code zipf} with exponent {@code s}). */
  static void set(String draw, double s) {
    switch (draw) {
      case "uniform" -> current = new AddressDraw(0);
      case "zipf" -> {
        if (!(s > 0) || s == 1.0) throw new IllegalArgumentException("--zipf-s: > 0 and not 1, got " + s);
        current = new AddressDraw(s);
      }
      default -> throw new IllegalArgumentException("--draw: uniform or zipf, got " + draw);
    }
  }

  static String describe() {
    return current.s == 0 ? "uniform" : "zipf, s = " + current.s;
  }

  /** The address (0..n-1) of the event whose mixed number is {@code h} ({@code CorrelateBenchmark.mix(j)}). */
  static int address(long h, int n) {
    AddressDraw d = current;
    if (d.s == 0) return (int) Math.floorMod(h, (long) n);
    long rank = d.zipf(h, n) - 1; // 0-based: rank 0 the hottest
    return (int) Math.floorMod(rank * spread(n), (long) n);
  }

  /** An odd multiplier prime to n: rank -> address is a permutation of 0..n-1. */
  private static long spread(int n) {
    long p = 2_654_435_761L; // Knuth's multiplicative constant, a prime
    while (gcd(p, n) != 1) p += 2;
    return p;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  // ------------------------------------------------------ Zipf by rejection-inversion (Hörmann and Derflinger 1996,
  // as Apache Commons RNG's RejectionInversionZipfSampler): ranks 1..n, P(k) ∝ k^-s, a few uniform draws per sample

  private long zipf(long h, int n) {
    double hIntegralX1 = hIntegral(1.5) - 1;
    double hIntegralN = hIntegral(n + 0.5);
    double cut = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
    long state = h;
    while (true) {
      state = CorrelateBenchmark.mix(state + 0x9E3779B97F4A7C15L);
      double u01 = (state >>> 11) * 0x1.0p-53;
      double u = hIntegralN + u01 * (hIntegralX1 - hIntegralN);
      double x = hIntegralInverse(u);
      long k = (long) (x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= cut || u >= hIntegral(k + 0.5) - h(k)) return k;
    }
  }

  private double h(double x) {
    return Math.exp(-s * Math.log(x));
  }

  private double hIntegral(double x) {
    double logX = Math.log(x);
    return helper2((1 - s) * logX) * logX;
  }

  private double hIntegralInverse(double x) {
    double t = x * (1 - s);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }

  private static double helper1(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
  }

  private static double helper2(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
  }
}
