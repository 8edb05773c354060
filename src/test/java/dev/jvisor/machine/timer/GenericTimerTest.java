package dev.jvisor.machine.timer;

import dev.jvisor.arch.a64.SystemCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jvisor.machine.gic.CpuRegister;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class GenericTimerTest {
    long now = 1000;
    final boolean[][] ppi = new boolean[2][32];
    final GenericTimer timer = new GenericTimer(2, () -> now, (cpu, intid, level) -> ppi[cpu][intid] = level, false);
    final Map<String, CpuRegister> regs = new HashMap<>();

    {
        for (CpuRegister r : timer.registers()) regs.put(r.name(), r);
    }

    long read(String name, int cpu) {
        return regs.get(name).read(cpu);
    }

    void write(String name, int cpu, long value) {
        regs.get(name).write(cpu, value);
    }

    @Test
    void encodingsMatchTheArchitecture() {
        assertEquals(0xDF00, regs.get("CNTFRQ_EL0").encoding());
        assertEquals(0xDF11, regs.get("CNTP_CTL_EL0").encoding());
        assertEquals(0xDF1A, regs.get("CNTV_CVAL_EL0").encoding());
        assertEquals(0xC708, regs.get("CNTKCTL_EL1").encoding());
        assertEquals(62_500_000, read("CNTFRQ_EL0", 0));
    }

    @Test
    void frequencyRegisterIsPerCpuStorageThatLeavesTheRateAlone() {
        write("CNTFRQ_EL0", 1, 0x1_0000_0010L);
        assertEquals(0x10, read("CNTFRQ_EL0", 1));
        assertEquals(62_500_000, read("CNTFRQ_EL0", 0));
        write("CNTP_TVAL_EL0", 1, 100);
        assertEquals(1100, read("CNTP_CVAL_EL0", 1));
    }

    @Test
    void virtualTimerFiresWhenTheCountReachesCompare() {
        write("CNTV_CVAL_EL0", 0, 1500);
        write("CNTV_CTL_EL0", 0, 1);
        assertEquals(1, read("CNTV_CTL_EL0", 0));
        assertFalse(ppi[0][27]);
        now = 1499;
        timer.poll();
        assertFalse(ppi[0][27]);
        now = 1500;
        timer.poll();
        assertTrue(ppi[0][27]);
        assertEquals(5, read("CNTV_CTL_EL0", 0), "ISTATUS");
        assertFalse(ppi[1][27], "the other vCPU's timer is separate");
        assertFalse(ppi[0][30]);
        write("CNTV_CTL_EL0", 0, 3);
        assertFalse(ppi[0][27], "IMASK");
        assertEquals(7, read("CNTV_CTL_EL0", 0));
        write("CNTV_CTL_EL0", 0, 0);
        assertEquals(0, read("CNTV_CTL_EL0", 0));
    }

    @Test
    void timerValueIsASigned32BitDistance() {
        write("CNTP_TVAL_EL0", 1, 100);
        assertEquals(1100, read("CNTP_CVAL_EL0", 1));
        now = 1150;
        assertEquals(0xFFFF_FFCEL, read("CNTP_TVAL_EL0", 1));
        write("CNTP_TVAL_EL0", 1, 0xFFFF_FF00L);
        assertEquals(1150 - 256, read("CNTP_CVAL_EL0", 1));
        write("CNTP_CTL_EL0", 1, 1);
        assertTrue(ppi[1][30]);
    }

    @Test
    void compareIsUnsigned() {
        write("CNTP_CVAL_EL0", 0, -1L);
        write("CNTP_CTL_EL0", 0, 1);
        assertFalse(ppi[0][30]);
        now = Long.MAX_VALUE;
        timer.poll();
        assertFalse(ppi[0][30]);
    }

    @Test
    void virtualCountSubtractsTheOffset() {
        timer.setVirtualOffset(0, 400);
        assertEquals(600, read("CNTVCT_EL0", 0));
        assertEquals(1000, read("CNTPCT_EL0", 0));
        write("CNTV_CVAL_EL0", 0, 700);
        write("CNTV_CTL_EL0", 0, 1);
        assertFalse(ppi[0][27]);
        now = 1100;
        timer.poll();
        assertTrue(ppi[0][27]);
    }

    @Test
    void kernelControlKeepsItsDefinedBits() {
        write("CNTKCTL_EL1", 0, 0xFFFF_FFFFL);
        assertEquals(0x3FF, read("CNTKCTL_EL1", 0));
        assertEquals(0x3FF, timer.kernelControl(0));
    }

    @Test
    void hostThreadRaisesTheLineWhenDue() throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        try (GenericTimer host = new GenericTimer(1, SystemCounter::ticks, (cpu, intid, level) -> {
            if (level && intid == 30) fired.countDown();
        }, true)) {
            CpuRegister tval = host.registers().stream().filter(r -> r.name().equals("CNTP_TVAL_EL0")).findFirst()
                    .orElseThrow();
            CpuRegister ctl = host.registers().stream().filter(r -> r.name().equals("CNTP_CTL_EL0")).findFirst()
                    .orElseThrow();
            long start = System.nanoTime();
            tval.write(0, GenericTimer.FREQUENCY_HZ / 50);
            ctl.write(0, 1);
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fired.await());
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 19, "fired after " + elapsedMillis + " ms, due at 20");
        }
    }

    @Test
    void reprogrammingTheHostTimerMovesTheWakeup() throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(1);
        try (GenericTimer host = new GenericTimer(1, SystemCounter::ticks, (cpu, intid, level) -> {
            if (level && intid == 27) fired.countDown();
        }, true)) {
            Map<String, CpuRegister> r = new HashMap<>();
            for (CpuRegister reg : host.registers()) r.put(reg.name(), reg);
            r.get("CNTV_TVAL_EL0").write(0, GenericTimer.FREQUENCY_HZ * 60);
            r.get("CNTV_CTL_EL0").write(0, 1);
            for (int i = 0; i < 1000; i++) r.get("CNTV_CTL_EL0").read(0);
            r.get("CNTV_TVAL_EL0").write(0, GenericTimer.FREQUENCY_HZ / 100);
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fired.await(), "the one-minute wakeup was replaced");
        }
    }
}
