package dev.holdfast.bench.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesObjectsArraysNumbersAndLiterals() {
        Object v = Json.parse(" {\"Id\": \"abc\", \"State\": {\"Pid\": 42, \"Running\": true},"
                + " \"Names\": [\"/a\", null], \"Exit\": -1.5e2, \"Empty\": {}, \"None\": []} ");
        assertEquals("abc", Json.at(v, "Id"));
        assertEquals(42.0, Json.at(v, "State", "Pid"));
        assertEquals(Boolean.TRUE, Json.at(v, "State", "Running"));
        assertEquals(java.util.Arrays.asList("/a", null), Json.at(v, "Names"));
        assertEquals(-150.0, Json.at(v, "Exit"));
        assertEquals(Map.of(), Json.at(v, "Empty"));
        assertEquals(List.of(), Json.at(v, "None"));
        assertNull(Json.at(v, "Id", "deeper"));
        assertNull(Json.at(v, "missing"));
    }

    @Test
    void stringEscapesRoundTrip() {
        String text = "quote \" backslash \\ newline \n tab \t cr \r bell \u0007 é";
        String quoted = Json.quote(text);
        assertEquals("\"quote \\\" backslash \\\\ newline \\n tab \\t cr \\r bell \\u0007 é\"", quoted);
        assertEquals(text, Json.parse(quoted));
        assertEquals("A/b", Json.parse("\"\\u0041\\/b\""));
    }

    @Test
    void writesWhatItParsesWithWholeNumbersAsIntegers() {
        String in = "{\"a\":[1,2.5,true,null,\"x\"],\"b\":{\"c\":-3}}";
        assertEquals(in, Json.write(Json.parse(in)));
    }

    @Test
    void refusesBrokenJson() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"open"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("nul"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse(""));
    }
}
