package dev.jvisor.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jvisor.emulator.MachineStatistics;
import dev.jvisor.emulator.VirtMachine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a virt machine in the test's JVM until it ends, collecting its console: what the guest boot tests share. A
 * machine still running at the timeout is stopped and the test fails with the console so far.
 */
public final class MachineRun {
    /** How a run ended, what its console showed, and the machine's figures at the end. */
    public record Result(VirtMachine.Outcome outcome, String console, MachineStatistics statistics) {}

    private MachineRun() {}

    /** Boots {@code options}; {@code whileRunning} gets the started machine (to type into it, say). */
    public static Result run(VirtMachine.Options options, Duration timeout, Consumer<VirtMachine> whileRunning)
            throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (VirtMachine machine = new VirtMachine(options, b -> {
            synchronized (console) {
                console.write(b);
            }
        })) {
            machine.start(null);
            whileRunning.accept(machine);
            CompletableFuture<VirtMachine.Outcome> end = CompletableFuture.supplyAsync(() -> {
                try {
                    return machine.awaitOutcome();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            VirtMachine.Outcome outcome;
            try {
                outcome = end.get(timeout.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                machine.stop("test timeout");
                fail("no power-off within " + timeout.toSeconds() + " s; console:\n" + text(console));
                throw e;
            }
            return new Result(outcome, text(console), machine.statistics());
        }
    }

    public static Result run(VirtMachine.Options options, Duration timeout) throws Exception {
        return run(options, timeout, m -> { });
    }

    private static String text(ByteArrayOutputStream console) {
        synchronized (console) {
            return console.toString(StandardCharsets.UTF_8);
        }
    }
}
