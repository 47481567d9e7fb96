package dev.holdfast.bench.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What holdfast's figure of a row must be: every one of its conditions must hold. A condition compares holdfast's
 * median with dockerd's ({@link #ratio}), with a limit in the row's unit ({@link #abs}) or with holdfast's own median
 * of another metric ({@link #own}, e.g. memory after the load against idle).
 */
record Target(List<Condition> conditions) {
    enum Op {
        LE("<="), GE(">="), LT("<"), GT(">");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        boolean holds(double x, double limit) {
            return switch (this) {
                case LE -> x <= limit;
                case GE -> x >= limit;
                case LT -> x < limit;
                case GT -> x > limit;
            };
        }

        static Op of(String symbol) {
            for (Op op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("no comparison " + symbol);
        }
    }

    /** How the figure compared with the limit is made. */
    enum Basis {
        /** holdfast's median / dockerd's median */
        RATIO,
        /** holdfast's median in the row's unit */
        ABSOLUTE,
        /** holdfast's median / holdfast's median of {@link Condition#baseline} */
        OWN
    }

    /** One condition; {@code baseline} and {@code baselineName} only for {@link Basis#OWN}. */
    record Condition(Basis basis, Op op, double limit, String baseline, String baselineName) {
        String text(String unit) {
            String l = new BigDecimal(Double.toString(limit)).stripTrailingZeros().toPlainString();
            return switch (basis) {
                case RATIO -> op.symbol + " " + l + "x";
                case ABSOLUTE -> op.symbol + " " + l + " " + unit;
                case OWN -> op.symbol + " " + l + "x " + baselineName;
            };
        }
    }

    /** holdfast / dockerd OP limit, e.g. {@code ratio("<=", 0.7)}. */
    static Target ratio(String op, double limit) {
        return new Target(List.of(new Condition(Basis.RATIO, Op.of(op), limit, null, null)));
    }

    /** holdfast's figure OP limit in the row's unit, e.g. {@code abs("<=", 1024)}. */
    static Target abs(String op, double limit) {
        return new Target(List.of(new Condition(Basis.ABSOLUTE, Op.of(op), limit, null, null)));
    }

    /** holdfast's figure / its own figure of {@code baseline} (called {@code name} in the text) OP limit. */
    static Target own(String baseline, String name, String op, double limit) {
        return new Target(List.of(new Condition(Basis.OWN, Op.of(op), limit, baseline, name)));
    }

    /** This target and the other's conditions too. */
    Target and(Target other) {
        List<Condition> all = new ArrayList<>(conditions);
        all.addAll(other.conditions);
        return new Target(List.copyOf(all));
    }

    /** "< 1000 ms and <= 0.5x". */
    String text(String unit) {
        List<String> parts = new ArrayList<>();
        for (Condition c : conditions) {
            parts.add(c.text(unit));
        }
        return String.join(" and ", parts);
    }
}
