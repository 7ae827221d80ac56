package dev.nnc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one size type of the compiler: a count known at compile time up to runtime dims, as a
 * polynomial with integer coefficients in the dim names. An element count is a monomial
 * ({@code 331·batch}), a stride too (zero for a broadcast axis), a FLOP count a polynomial
 * ({@code 339,968·batch + 2}). Arithmetic is exact: an overflow of a coefficient throws
 * {@link ArithmeticException}. Immutable; equal sizes are equal objects by {@link #equals}.
 */
public final class Size implements Comparable<Size> {
    public static final Size ZERO = new Size(new TreeMap<>());
    public static final Size ONE = constant(1);

    /** Coefficient per monomial; a monomial is its dim names, sorted, with repetition. */
    private final TreeMap<Monomial, Long> terms;
    /** {@link #hashCode}, once computed (0: not yet); sizes are hashed in hot loops of the planner. */
    private int hash;

    /** A product of dim names, sorted (with repetition); the empty one is the constant term. */
    private record Monomial(List<String> dims) implements Comparable<Monomial> {
        Monomial {
            List<String> s = new ArrayList<>(dims);
            s.sort(null);
            dims = List.copyOf(s);
        }

        Monomial times(Monomial o) {
            List<String> s = new ArrayList<>(dims);
            s.addAll(o.dims);
            return new Monomial(s);
        }

        @Override
        public int compareTo(Monomial o) {
            if (dims.size() != o.dims.size()) return Integer.compare(o.dims.size(), dims.size()); // higher degree first
            for (int i = 0; i < dims.size(); i++) {
                int c = dims.get(i).compareTo(o.dims.get(i));
                if (c != 0) return c;
            }
            return 0;
        }

        @Override
        public String toString() {
            return String.join("·", dims);
        }
    }

    private Size(TreeMap<Monomial, Long> terms) {
        this.terms = terms;
    }

    public static Size constant(long c) {
        return monomial(c, List.of());
    }

    /** {@code c} times the product of {@code dims} (names of runtime dims, in any order). */
    public static Size monomial(long c, List<String> dims) {
        TreeMap<Monomial, Long> t = new TreeMap<>();
        if (c != 0) t.put(new Monomial(dims), c);
        return new Size(t);
    }

    public static Size dim(String name) {
        return monomial(1, List.of(name));
    }

    /** The size of one dimension of a shape. */
    public static Size of(Dim d) {
        return d.isStatic() ? constant(d.size()) : dim(d.symbol());
    }

    /** The product of some dimensions. */
    public static Size product(List<Dim> dims) {
        Size r = ONE;
        for (Dim d : dims) r = r.times(of(d));
        return r;
    }

    public Size plus(Size o) {
        TreeMap<Monomial, Long> t = new TreeMap<>(terms);
        o.terms.forEach((k, v) -> {
            long s = Math.addExact(t.getOrDefault(k, 0L), v);
            if (s == 0) t.remove(k);
            else t.put(k, s);
        });
        return new Size(t);
    }

    public Size times(long c) {
        TreeMap<Monomial, Long> t = new TreeMap<>();
        if (c != 0) terms.forEach((k, v) -> t.put(k, Math.multiplyExact(v, c)));
        return new Size(t);
    }

    public Size times(Size o) {
        Size r = ZERO;
        for (var a : terms.entrySet()) {
            for (var b : o.terms.entrySet()) {
                TreeMap<Monomial, Long> t = new TreeMap<>();
                t.put(a.getKey().times(b.getKey()), Math.multiplyExact(a.getValue(), b.getValue()));
                r = r.plus(new Size(t));
            }
        }
        return r;
    }

    /** {@code this / d} when every coefficient is a multiple of {@code d}, else null. */
    public Size divideExact(long d) {
        if (d == 0) return null;
        TreeMap<Monomial, Long> t = new TreeMap<>();
        for (var e : terms.entrySet()) {
            if (e.getValue() % d != 0) return null;
            t.put(e.getKey(), e.getValue() / d);
        }
        return new Size(t);
    }

    public boolean isZero() {
        return terms.isEmpty();
    }

    public boolean isOne() {
        return equals(ONE);
    }

    /** True when no runtime dim occurs: the size is known at compile time. */
    public boolean isStatic() {
        return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(new Monomial(List.of())));
    }

    /** The value of a static size. */
    public long value() {
        if (!isStatic()) throw new IllegalStateException(this + " depends on runtime dims");
        return terms.isEmpty() ? 0 : terms.firstEntry().getValue();
    }

    /** True for zero or a single term: a constant times a product of dims (element counts and strides). */
    public boolean isMonomial() {
        return terms.size() <= 1;
    }

    /** The constant factor of a monomial (0 for zero). */
    public long coefficient() {
        requireMonomial();
        return terms.isEmpty() ? 0 : terms.firstEntry().getValue();
    }

    /** The dim names of a monomial, sorted, with repetition (empty for a constant). */
    public List<String> symbols() {
        requireMonomial();
        return terms.isEmpty() ? List.of() : terms.firstKey().dims();
    }

    /** The runtime dims that occur, each once, sorted. */
    public List<String> dims() {
        java.util.TreeSet<String> s = new java.util.TreeSet<>();
        for (Monomial m : terms.keySet()) s.addAll(m.dims());
        return List.copyOf(s);
    }

    /** The single dim this size is, or null (for {@code batch} but not {@code 2·batch} or {@code batch·seq}). */
    public String asDim() {
        return isMonomial() && coefficient() == 1 && symbols().size() == 1 ? symbols().get(0) : null;
    }

    /**
     * For monomials: whether {@code this <= o} for every binding of the dims (each at least 1):
     * a smaller coefficient and a sub-multiset of the dims.
     */
    public boolean atMost(Size o) {
        if (coefficient() > o.coefficient()) return false;
        List<String> rest = new ArrayList<>(o.symbols());
        for (String d : symbols()) if (!rest.remove(d)) return false;
        return true;
    }

    /** The terms of this size, highest degree first: coefficient and dims of each. */
    public List<Map.Entry<Long, List<String>>> terms() {
        List<Map.Entry<Long, List<String>>> out = new ArrayList<>();
        terms.forEach((k, v) -> out.add(Map.entry(v, k.dims())));
        return Collections.unmodifiableList(out);
    }

    /** The value with every dim bound; a dim missing from {@code dims} is an error. */
    public long eval(Map<String, Integer> dims) {
        long sum = 0;
        for (var e : terms.entrySet()) {
            long p = e.getValue();
            for (String s : e.getKey().dims()) {
                Integer v = dims.get(s);
                if (v == null) throw new IllegalArgumentException("no value for dim " + s);
                p = Math.multiplyExact(p, (long) v);
            }
            sum = Math.addExact(sum, p);
        }
        return sum;
    }

    private void requireMonomial() {
        if (!isMonomial()) throw new IllegalStateException(this + " is not a single term");
    }

    /** Highest degree first, then by name; coefficients with thousands separators: {@code 339,968·batch + 2}. */
    @Override
    public String toString() {
        if (terms.isEmpty()) return "0";
        StringBuilder sb = new StringBuilder();
        for (var e : terms.entrySet()) {
            if (sb.length() > 0) sb.append(" + ");
            boolean constant = e.getKey().dims().isEmpty();
            if (constant || e.getValue() != 1) sb.append(group(e.getValue()));
            if (!constant) sb.append(e.getValue() != 1 ? "·" : "").append(e.getKey());
        }
        return sb.toString();
    }

    /** {@code 1234567} as {@code 1,234,567}. */
    public static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /**
     * A total order consistent with {@link #equals}: term by term in {@link #toString}'s order
     * (highest degree first, then by dim names), each by its dims and then its coefficient; a
     * size whose terms begin the other's comes first (so 0 is the least of all).
     */
    @Override
    public int compareTo(Size o) {
        var a = terms.entrySet().iterator();
        var b = o.terms.entrySet().iterator();
        while (a.hasNext() && b.hasNext()) {
            Map.Entry<Monomial, Long> x = a.next(), y = b.next();
            int c = x.getKey().compareTo(y.getKey());
            if (c == 0) c = Long.compare(x.getValue(), y.getValue());
            if (c != 0) return c;
        }
        return Boolean.compare(a.hasNext(), b.hasNext());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Size s && s.terms.equals(terms);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = terms.hashCode();
            hash = h == 0 ? 1 : h;
        }
        return hash;
    }
}
