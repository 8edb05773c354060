package dev.jvisor.machine.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestsCliTest {
    @Test
    void helpNamesTheCommand() {
        ProcessResult r = Jvisor.cli("guests", "fetch", "--help").run();
        assertEquals(0, r.exitStatus(), r.describe());
        assertTrue(r.stdoutText().contains("Usage: jvisor guests fetch"), r.stdoutText());
    }

    @Test
    void anUnusableCacheIsOneLineAndStatus2(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        Map<String, String> env = new HashMap<>(HostCommand.FIXED_ENVIRONMENT);
        env.put("JVISOR_CACHE", notADirectory.resolve("cache").toString());
        env.put("HOME", dir.toString());
        ProcessResult r = Jvisor.cli("guests", "fetch").environment(env).run();
        assertEquals(2, r.exitStatus(), r.describe());
        assertEquals(1, r.stderrText().lines().count(), r.stderrText());
        assertTrue(r.stderrText().startsWith("jvisor: tools/fetch-debs failed: "), r.stderrText());
    }
}
