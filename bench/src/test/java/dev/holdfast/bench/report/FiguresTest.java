package dev.holdfast.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FiguresTest {
    @Test
    void aboutThreeSignificantDigitsWholeFromOneHundred() {
        assertEquals("1244", Figures.num(1243.6));
        assertEquals("99.9", Figures.num(99.94));
        assertEquals("100.0", Figures.num(99.96)); // rounds up past the switch to whole numbers
        assertEquals("48", Figures.num(48));
        assertEquals("12.9", Figures.num(12.94));
        assertEquals("4.89", Figures.num(4.891));
        assertEquals("0.05", Figures.num(0.049));
        assertEquals("-38", Figures.num(-38));
        assertEquals("-3.50", Figures.num(-3.5));
        assertEquals("20", Figures.num(20.0));
        assertEquals("20.5", Figures.num(20.5));
    }
}
