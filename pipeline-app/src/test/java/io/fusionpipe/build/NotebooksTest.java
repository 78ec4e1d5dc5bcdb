package io.fusionpipe.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * notebooks/ as committed: the three notebooks, valid nbformat 4 on the project's Java kernel, outputs
 * stripped (CI executes them with nbconvert; see .ci/run), parameters from the environment, and the
 * project's classes used rather than pipeline code pasted into cells.
 */
class NotebooksTest {

    static final Path NOTEBOOKS = TestRoots.projectDir().resolve("notebooks");

    @Test
    void notebooksAreStrippedAndRunOnTheProjectKernel() throws Exception {
        List<Path> books;
        try (Stream<Path> s = Files.list(NOTEBOOKS)) {
            books = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertEquals(List.of("01-explore-dataset.ipynb", "02-compare-fusion.ipynb", "03-nightly-trend.ipynb"),
                books.stream().map(p -> p.getFileName().toString()).toList());
        for (Path book : books) {
            JsonNode nb = new ObjectMapper().readTree(book.toFile());
            assertEquals(4, nb.path("nbformat").asInt(), book.toString());
            assertEquals("fusionpipe-java", nb.path("metadata").path("kernelspec").path("name").asText(), book + ": the kernel notebooks/install-kernel.sh installs");
            StringBuilder code = new StringBuilder();
            for (JsonNode cell : nb.path("cells")) {
                if (cell.path("cell_type").asText().equals("code")) {
                    assertEquals(0, cell.path("outputs").size(), book + ": outputs are stripped in git (jupyter nbconvert --clear-output --inplace)");
                    assertTrue(cell.path("execution_count").isNull(), book + ": execution counts are stripped");
                    cell.path("source").forEach(line -> code.append(line.asText()));
                }
            }
            assertTrue(code.toString().contains("NotebookConfig.load()"), book + ": the root comes from FUSIONPIPE_ROOT or the project config (NotebookConfig)");
            assertTrue(code.toString().contains("import io.fusionpipe."), book + ": uses the project's classes");
        }
    }
}
