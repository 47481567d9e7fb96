package dev.holdfast.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;

/** The one JSON mapper of the engine, configured the way Docker's Go structs read and write JSON. */
public final class Json {
    /**
     * Unknown fields are ignored, as Go's encoding/json does: newer clients send fields older daemons lack. A number
     * with a fraction or an exponent is no integer, as for Go ({@code "Memory": 4.5e9} is a 400, not 4500000000).
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    private Json() {}

    /**
     * Why a request body did not decode, for a 400: the field as the client named it ({@code HostConfig.Memory},
     * {@code HostConfig.Ulimits[0].Soft}), under {@code prefix} when the body was decoded from inside a larger one.
     */
    public static String describe(JsonProcessingException e, String prefix) {
        String field = e instanceof JsonMappingException m ? field(m, prefix) : prefix;
        if (e instanceof InvalidFormatException f && f.getValue() instanceof Number number && isIntegral(f)) {
            return field + " must be an integer, not " + number;
        }
        String why = e.getOriginalMessage().lines().findFirst().orElse("");
        return field.isEmpty() ? why : field + ": " + why;
    }

    private static String field(JsonMappingException e, String prefix) {
        StringBuilder field = new StringBuilder(prefix);
        for (JsonMappingException.Reference step : e.getPath()) {
            if (step.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                field.append('[').append(step.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    private static boolean isIntegral(InvalidFormatException e) {
        Class<?> type = e.getTargetType();
        return type == long.class || type == Long.class || type == int.class || type == Integer.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class;
    }
}
