package dev.nnc.inspect;

import dev.nnc.ir.Dim;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A count that depends on runtime dims: a polynomial with non-negative integer coefficients in
 * the dim names, such as {@code 339,968·batch + 2}. Element counts of shapes are monomials
 * ({@code 331·batch}); sums of them are polynomials; immutable.
 */
public final class Poly {
    public static final Poly ZERO = new Poly(new TreeMap<>());

    /** Coefficient per monomial; a monomial is its sorted dim names joined by "·" ("" for the constant term). */
    private final TreeMap<String, Long> terms;

    private Poly(TreeMap<String, Long> terms) {
        this.terms = terms;
    }

    public static Poly constant(long c) {
        return monomial(c, List.of());
    }

    public static Poly monomial(long c, List<String> symbols) {
        TreeMap<String, Long> t = new TreeMap<>();
        if (c != 0) {
            List<String> s = new ArrayList<>(symbols);
            s.sort(null);
            t.put(String.join("·", s), c);
        }
        return new Poly(t);
    }

    /** The element count of {@code shape}. */
    public static Poly numel(Shape shape) {
        long c = 1;
        List<String> syms = new ArrayList<>();
        for (Dim d : shape.dims()) {
            if (d.isStatic()) c = Math.multiplyExact(c, d.size());
            else syms.add(d.symbol());
        }
        return monomial(c, syms);
    }

    public Poly plus(Poly o) {
        TreeMap<String, Long> t = new TreeMap<>(terms);
        o.terms.forEach((k, v) -> t.merge(k, v, Math::addExact));
        return new Poly(t);
    }

    public Poly times(long c) {
        TreeMap<String, Long> t = new TreeMap<>();
        if (c != 0) terms.forEach((k, v) -> t.put(k, Math.multiplyExact(v, c)));
        return new Poly(t);
    }

    public Poly times(Poly o) {
        Poly r = ZERO;
        for (var a : terms.entrySet()) {
            for (var b : o.terms.entrySet()) {
                List<String> s = new ArrayList<>();
                if (!a.getKey().isEmpty()) s.addAll(List.of(a.getKey().split("·")));
                if (!b.getKey().isEmpty()) s.addAll(List.of(b.getKey().split("·")));
                r = r.plus(monomial(Math.multiplyExact(a.getValue(), b.getValue()), s));
            }
        }
        return r;
    }

    public boolean isZero() {
        return terms.isEmpty();
    }

    /** The value with every dim bound; a dim missing from {@code dims} is an error. */
    public long eval(Map<String, Integer> dims) {
        long sum = 0;
        for (var e : terms.entrySet()) {
            long p = e.getValue();
            if (!e.getKey().isEmpty()) {
                for (String s : e.getKey().split("·")) {
                    Integer v = dims.get(s);
                    if (v == null) throw new IllegalArgumentException("no value for dim " + s);
                    p = Math.multiplyExact(p, (long) v);
                }
            }
            sum = Math.addExact(sum, p);
        }
        return sum;
    }

    /** True when no dim occurs. */
    public boolean isConstant() {
        return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(""));
    }

    /** Highest degree first, then by name; coefficients with thousands separators: {@code 339,968·batch + 2}. */
    @Override
    public String toString() {
        if (terms.isEmpty()) return "0";
        List<Map.Entry<String, Long>> es = new ArrayList<>(terms.entrySet());
        es.sort((a, b) -> {
            int da = degree(a.getKey()), db = degree(b.getKey());
            return da != db ? Integer.compare(db, da) : a.getKey().compareTo(b.getKey());
        });
        StringBuilder sb = new StringBuilder();
        for (var e : es) {
            if (sb.length() > 0) sb.append(" + ");
            boolean constant = e.getKey().isEmpty();
            if (constant || e.getValue() != 1) sb.append(group(e.getValue()));
            if (!constant) sb.append(e.getValue() != 1 ? "·" : "").append(e.getKey());
        }
        return sb.toString();
    }

    private static int degree(String key) {
        return key.isEmpty() ? 0 : key.split("·").length;
    }

    /** {@code 1234567} as {@code 1,234,567}. */
    public static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Poly p && p.terms.equals(terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }
}
