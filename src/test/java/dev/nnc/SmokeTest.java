package dev.nnc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.diag.ErrorKind;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void errorCodesAreUnique() {
        var codes = new java.util.HashSet<String>();
        for (ErrorKind k : ErrorKind.values()) codes.add(k.code());
        assertEquals(ErrorKind.values().length, codes.size());
    }
}
