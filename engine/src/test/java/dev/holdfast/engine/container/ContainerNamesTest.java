package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.ApiException;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContainerNamesTest {
    @Test
    void validNamesGetTheirSlash() {
        assertEquals("/web", ContainerNames.validate("web"));
        assertEquals("/web", ContainerNames.validate("/web"));
        assertEquals("/a.b_c-1", ContainerNames.validate("a.b_c-1"));
    }

    @Test
    void invalidNamesAreDockers400() {
        for (String bad : new String[] {"x", "bad name", "_x", "-x", "a/b", "é1"}) {
            ApiException e = assertThrows(ApiException.class, () -> ContainerNames.validate(bad), bad);
            assertEquals(400, e.status().code());
            assertEquals("Invalid container name (" + bad + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                    e.getMessage());
        }
    }

    @Test
    void aTakenNameIsAConflictNamingItsHolder() {
        ContainerNames names = new ContainerNames();
        names.reserve("/web", "aaa");
        names.reserve("/web", "aaa");
        ApiException e = assertThrows(ApiException.class, () -> names.reserve("/web", "bbb"));
        assertEquals(409, e.status().code());
        assertEquals("Conflict. The container name \"/web\" is already in use by container \"aaa\". You have to "
                + "remove (or rename) that container to be able to reuse that name.", e.getMessage());
        names.release("/web", "aaa");
        names.reserve("/web", "bbb");
        assertEquals(Optional.of("bbb"), names.idOf("web"));
    }

    @Test
    void generatedNamesRetryWithADigitOnCollision() {
        ContainerNames names = new ContainerNames();
        names.reserve("/eager_noether", "other");
        String name = names.reserveGenerated("mine", () -> "eager_noether");
        assertEquals("/eager_noether1", name);
        assertEquals(Optional.of("mine"), names.idOf(name));
    }

    @Test
    void generatorMakesAdjectiveUnderscoreSurname() {
        NameGenerator generator = new NameGenerator(new Random(1));
        String first = generator.next();
        assertTrue(first.matches("[a-z]+_[a-z]+"), first);
        assertNotEquals(first, generator.next() + generator.next());
        ContainerNames.validate(first);
    }
}
