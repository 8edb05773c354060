package dev.jvisor.machine.psci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PsciTest {
    final List<String> events = new ArrayList<>();
    final Psci psci = new Psci(18, new Psci.Platform() {
        @Override
        public void cpuOn(int cpu, long entry, long contextId) {
            events.add("on " + cpu + " " + Long.toHexString(entry) + " " + Long.toHexString(contextId));
        }

        @Override
        public void cpuOff(int cpu) {
            events.add("off " + cpu);
        }

        @Override
        public void waitForInterrupt(int cpu) {
            events.add("wfi " + cpu);
        }

        @Override
        public void systemOff() {
            events.add("system off");
        }

        @Override
        public void systemReset() {
            events.add("system reset");
        }
    });

    @Test
    void versionAndFeatures() {
        assertEquals(0x10001, psci.call(0, Psci.VERSION, 0, 0, 0));
        assertEquals(0, psci.call(0, Psci.FEATURES, Psci.CPU_ON | Psci.SMC64, 0, 0));
        assertEquals(0, psci.call(0, Psci.FEATURES, Psci.SYSTEM_RESET, 0, 0));
        assertEquals(-1, psci.call(0, Psci.FEATURES, Psci.SYSTEM_OFF | Psci.SMC64, 0, 0));
        assertEquals(-1, psci.call(0, Psci.FEATURES, 0x8000_0000L, 0, 0), "SMCCC_VERSION is not offered");
        assertEquals(-1, psci.call(0, 0x8400_0012L, 0, 0, 0), "SYSTEM_RESET2 is optional and absent");
        assertEquals(2, psci.call(0, Psci.MIGRATE_INFO_TYPE, 0, 0, 0));
        assertTrue(Psci.handles(0xC400_0003L));
        assertFalse(Psci.handles(0x8000_0000L));
    }

    @Test
    void cpuOnStartsATargetByAffinityOnce() {
        assertEquals(1, psci.call(0, Psci.AFFINITY_INFO | Psci.SMC64, 0x101, 0, 0), "vCPU 17 is off");
        assertEquals(0, psci.call(0, Psci.CPU_ON | Psci.SMC64, 0x101, 0x4008_0000L, 0x1234_5678_9AL));
        assertEquals(List.of("on 17 40080000 123456789a"), events);
        assertEquals(Psci.PowerState.ON, psci.state(17));
        assertEquals(0, psci.call(0, Psci.AFFINITY_INFO, 0x101, 0, 0));
        assertEquals(Psci.ALREADY_ON, psci.call(0, Psci.CPU_ON | Psci.SMC64, 0x101, 0x4008_0000L, 0));
        assertEquals(Psci.ALREADY_ON, psci.call(1, Psci.CPU_ON | Psci.SMC64, 0, 0, 0), "vCPU 0 boots on");
        assertEquals(Psci.INVALID_PARAMETERS, psci.call(0, Psci.CPU_ON | Psci.SMC64, 0x10, 0, 0));
        assertEquals(Psci.INVALID_PARAMETERS, psci.call(0, Psci.CPU_ON | Psci.SMC64, 0x102, 0, 0));
        assertEquals(Psci.INVALID_PARAMETERS, psci.call(0, Psci.AFFINITY_INFO, 0x100, 1, 0));
    }

    @Test
    void smc32CallsSeeOnly32BitArguments() {
        assertEquals(0, psci.call(0, Psci.CPU_ON, 0xFFFF_FFFF_0000_0001L, 0xAB_4000_0000L, -1L));
        assertEquals(List.of("on 1 40000000 ffffffff"), events);
    }

    @Test
    void cpuOffPowersTheCallerDownAndItCanBeStartedAgain() {
        psci.call(0, Psci.CPU_ON, 2, 0x4000_0000L, 0);
        psci.call(2, Psci.CPU_OFF, 0, 0, 0);
        assertEquals(Psci.PowerState.OFF, psci.state(2));
        assertEquals(1, psci.call(0, Psci.AFFINITY_INFO, 2, 0, 0));
        assertEquals(0, psci.call(0, Psci.CPU_ON, 2, 0x4000_0000L, 0));
        assertEquals(List.of("on 2 40000000 0", "off 2", "on 2 40000000 0"), events);
    }

    @Test
    void suspendOffersStandbyOnly() {
        assertEquals(0, psci.call(0, Psci.CPU_SUSPEND, 0, 0, 0));
        assertEquals(Psci.INVALID_PARAMETERS, psci.call(0, Psci.CPU_SUSPEND | Psci.SMC64, 1 << 16, 0x4000_0000L, 0));
        assertEquals(List.of("wfi 0"), events);
    }

    @Test
    void systemOffAndReset() {
        psci.call(0, Psci.SYSTEM_OFF, 0, 0, 0);
        psci.call(0, Psci.SYSTEM_RESET, 0, 0, 0);
        assertEquals(-1, psci.call(0, Psci.SYSTEM_OFF | Psci.SMC64, 0, 0, 0), "no 64-bit form");
        assertEquals(List.of("system off", "system reset"), events);
    }
}
