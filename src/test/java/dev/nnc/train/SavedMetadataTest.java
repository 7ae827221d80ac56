package dev.nnc.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.data.DataException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training metadata of a parameters file, as {@code nnc predict} reads it: what
 * {@code nnc train --save} writes reads back; anything else (a hand-edited or foreign file) is
 * a {@link DataException} naming the file, never a ClassCastException or NullPointerException.
 */
class SavedMetadataTest {
    static final String GOOD = """
            {"model": "House", "output": "price", "id": "Id",
             "preprocessing": {"na_values": ["", "NA"], "na_indicator": true, "width": 4,
               "columns": [{"name": "area", "kind": "numeric", "mean": 1500.5, "std": 300.25},
                           {"name": "zone", "kind": "categorical", "categories": ["A", "B"]}]},
             "metric": "log-rmse",
             "targets": [{"columns": ["price"], "kind": "real", "scale": {"log": true, "mean": [12.0], "std": [0.4]}}]}
            """;

    @org.junit.jupiter.api.Test
    void whatTrainWritesReadsBack() {
        SavedMetadata m = SavedMetadata.read(GOOD, "p.safetensors");
        assertEquals("House", m.model());
        assertEquals("price", m.output());
        assertEquals("Id", m.id());
        assertEquals(List.of("price"), m.targetColumns());
        assertFalse(m.classTarget());
        assertEquals(12.0, m.scale().mean()[0]);
        assertEquals(2, m.preprocessing().columns().size());
        assertEquals("log-rmse", m.metric());
        assertTrue(m.classes().integers());
        SavedMetadata labels = SavedMetadata.read("""
                {"preprocessing": {"na_values": [], "columns": []},
                 "targets": [{"columns": ["color"], "kind": "class", "classes": ["blue", "red"]}]}""", "p.safetensors");
        assertTrue(labels.classTarget());
        assertEquals(List.of("blue", "red"), labels.classes().names());
        SavedMetadata bare = SavedMetadata.read("""
                {"preprocessing": {"na_values": [], "columns": []}}""", "p.safetensors");
        assertNull(bare.model());
        assertNull(bare.targetColumns());
        assertNull(bare.scale());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[1, 2]",
        "{}",
        "{\"preprocessing\": 3}",
        "{\"preprocessing\": {\"columns\": []}}",
        "{\"preprocessing\": {\"na_values\": [1], \"columns\": []}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": [{\"kind\": \"numeric\", \"mean\": 0, \"std\": 1}]}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": [{\"name\": \"a\", \"kind\": \"numeric\", \"mean\": \"0\", \"std\": 1}]}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": [{\"name\": \"a\", \"kind\": \"numeric\", \"mean\": 0, \"std\": 0}]}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": [{\"name\": \"a\", \"kind\": \"categorical\", \"categories\": [1]}]}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": [{\"name\": \"a\", \"kind\": \"other\"}]}}",
        "{\"model\": 5, \"preprocessing\": {\"na_values\": [], \"columns\": []}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": {}}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [3]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"columns\": [7]}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"columns\": []}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"scale\": {\"mean\": [1, 2], \"std\": [1]}}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"scale\": {\"mean\": [1], \"std\": [0]}}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"scale\": {\"std\": [1]}}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"classes\": \"red\"}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"classes\": [\"red\", 2]}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"targets\": [{\"classes\": [\"red\", \"red\"]}]}",
        "{\"preprocessing\": {\"na_values\": [], \"columns\": []}, \"metric\": 3}",
    })
    void anythingElseIsADataExceptionNamingTheFile(String json) {
        DataException e = assertThrows(DataException.class, () -> SavedMetadata.read(json, "p.safetensors"));
        assertTrue(e.getMessage().startsWith("p.safetensors: the 'nnc.training' metadata is not what 'nnc train --save' writes: "),
                e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void textThatIsNotJsonOrNestsTooDeeplyIsADataExceptionNamingTheFile() {
        // was a StackOverflowError from the lenient recursive parser (issue 18)
        String deep = "{\"preprocessing\": " + "[".repeat(300_000) + "]".repeat(300_000) + "}";
        for (String text : List.of(deep, "[".repeat(300_000), "{\"preprocessing\": {}, \"preprocessing\": {}}", "{'a': 1}", "",
                "{\"preprocessing\": {\"na_values\": [], \"columns\": []}} x")) {
            DataException e = assertThrows(DataException.class, () -> SavedMetadata.read(text, "p.safetensors"));
            assertTrue(e.getMessage().startsWith("p.safetensors: the 'nnc.training' metadata is not valid JSON: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        DataException e = assertThrows(DataException.class, () -> SavedMetadata.read(deep, "p.safetensors"));
        assertEquals("p.safetensors: the 'nnc.training' metadata is not valid JSON: nesting deeper than 64 levels (at character 82)",
                e.getMessage());
    }
}
