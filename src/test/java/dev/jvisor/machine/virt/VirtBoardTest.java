package dev.jvisor.machine.virt;

import dev.jvisor.arch.a64.SystemCounter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.machine.fdt.Fdt;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.machine.gic.CpuRegister;
import dev.jvisor.machine.gic.InterruptOutputs;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtBoardTest {
    static final InterruptOutputs NO_CPU = new InterruptOutputs() {
        @Override
        public void setIrq(int cpu, boolean asserted) {}

        @Override
        public void setFiq(int cpu, boolean asserted) {}
    };
    static final Psci.Platform NO_POWER = new Psci.Platform() {
        @Override
        public void cpuOn(int cpu, long entry, long contextId) {}

        @Override
        public void cpuOff(int cpu) {}

        @Override
        public void waitForInterrupt(int cpu) {}

        @Override
        public void systemOff() {}

        @Override
        public void systemReset() {}
    };

    static VirtBoard board(int cpus, ByteArrayOutputStream console) {
        return new VirtBoard(new VirtBoard.Config(cpus, 512L << 20, "console=ttyAMA0", "arm,cortex-a57", "hvc"),
                SystemCounter::ticks, NO_CPU, console::write, NO_POWER);
    }

    @Test
    void devicesAnswerAtTheirAddresses() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (VirtBoard board = board(2, console)) {
            board.bus().write(VirtBoard.UART, 4, 'k');
            assertEquals("k", console.toString());
            assertEquals(0x3B, board.bus().read(VirtBoard.GIC_DISTRIBUTOR + 0xFFE8, 4));
            assertEquals(1L << 32 | 1 << 8 | 1 << 4, board.bus().read(VirtBoard.GIC_REDISTRIBUTORS + 0x20008, 8));
            assertEquals(0x31, board.bus().read(VirtBoard.RTC + 0xFE0, 4));
            Set<Integer> encodings = new HashSet<>();
            for (CpuRegister r : board.systemRegisters()) assertTrue(encodings.add(r.encoding()), r.name());
        }
    }

    @Test
    void uartInterruptReachesTheGicAsSpi1() {
        try (VirtBoard board = board(1, new ByteArrayOutputStream())) {
            board.bus().write(VirtBoard.GIC_DISTRIBUTOR + 0x104, 4, 1 << 1);
            board.uart().write(0x38, 4, 1 << 4);
            board.uart().receive('x');
            assertEquals(1 << 1, board.bus().read(VirtBoard.GIC_DISTRIBUTOR + 0x204, 4));
        }
    }

    @Test
    void chosenCarriesBootargsAndInitrd() {
        try (VirtBoard board = board(1, new ByteArrayOutputStream())) {
            FdtNode root = Fdt.parse(board.deviceTree(new VirtBoard.Initrd(0x4800_0000L, 0x4812_3456L)));
            FdtNode chosen = root.find("/chosen");
            assertEquals("console=ttyAMA0", chosen.stringOf("bootargs"));
            assertArrayEquals(new long[] {0, 0x4800_0000L}, chosen.cellsOf("linux,initrd-start"));
            assertArrayEquals(new long[] {0, 0x4812_3456L}, chosen.cellsOf("linux,initrd-end"));
            assertEquals(null, Fdt.parse(board.deviceTree(null)).find("/chosen").property("linux,initrd-start"));
        }
    }

    @Test
    void cpuNodesFollowTheAffinityOfEachVcpu() {
        try (VirtBoard board = board(17, new ByteArrayOutputStream())) {
            FdtNode cpus = Fdt.parse(board.deviceTree(null)).find("/cpus");
            assertEquals(17, cpus.children().size());
            assertArrayEquals(new long[] {0x100}, cpus.find("cpu@100").cellsOf("reg"));
            assertArrayEquals(new long[] {0xF}, cpus.find("cpu@f").cellsOf("reg"));
            long[] gicReg = Fdt.parse(board.deviceTree(null)).find("/intc@8000000").cellsOf("reg");
            assertEquals(17 * 0x20000, gicReg[7]);
        }
    }

    /** Our tree against the one QEMU's virt board gives the same machine: every property we emit must match. */
    @Test
    void matchesQemuVirtBoard(@TempDir Path dir) throws Exception {
        Path qemu = Prerequisites.tool("qemu-system-aarch64", "apt-get install qemu-system-arm");
        Path dtb = dir.resolve("virt.dtb");
        ProcessResult result = HostCommand.of(qemu.toString(), "-M", "virt,gic-version=3,dumpdtb=" + dtb,
                "-cpu", "cortex-a57", "-smp", "2", "-m", "512", "-display", "none").run();
        assertTrue(Files.exists(dtb), result.describe());
        FdtNode theirs = Fdt.parse(Files.readAllBytes(dtb));
        FdtNode ours;
        try (VirtBoard board = board(2, new ByteArrayOutputStream())) {
            ours = Fdt.parse(board.deviceTree(null));
        }
        Map<Long, String> theirPhandles = phandles(theirs, "");
        Map<Long, String> ourPhandles = phandles(ours, "");
        Set<String> differByDesign = Set.of("/model", "/chosen/bootargs", "/intc@8000000/reg",
                "/timer/interrupts", "/intc@8000000/phandle", "/apb-pclk/phandle");
        int compared = compare(ours, theirs, "", ourPhandles, theirPhandles, differByDesign);
        assertTrue(compared >= 39, compared + " properties compared");

        long[] ourGic = ours.find("/intc@8000000").cellsOf("reg");
        long[] theirGic = theirs.find("/intc@8000000").cellsOf("reg");
        assertArrayEquals(Arrays.copyOf(theirGic, 7), Arrays.copyOf(ourGic, 7), "distributor and redistributor base");
        assertEquals(2 * 0x20000, ourGic[7], "one redistributor per vCPU, where QEMU reserves room for 123");
        long[] ourTimer = ours.find("/timer").cellsOf("interrupts");
        long[] theirTimer = theirs.find("/timer").cellsOf("interrupts");
        assertArrayEquals(Arrays.copyOf(theirTimer, 9), ourTimer, "secure, physical and virtual PPIs; no hyp timer");
    }

    private static Map<Long, String> phandles(FdtNode node, String path) {
        Map<Long, String> out = new HashMap<>();
        long[] phandle = node.cellsOf("phandle");
        if (phandle != null) out.put(phandle[0], path.isEmpty() ? "/" : path);
        for (FdtNode c : node.children()) out.putAll(phandles(c, path + "/" + c.name()));
        return out;
    }

    private static final Set<String> PHANDLE_LISTS = Set.of("clocks", "interrupt-parent");

    private static int compare(FdtNode ours, FdtNode theirs, String path, Map<Long, String> ourPhandles,
                               Map<Long, String> theirPhandles, Set<String> skip) {
        int compared = 0;
        for (Map.Entry<String, byte[]> p : ours.properties().entrySet()) {
            String where = path + "/" + p.getKey();
            if (skip.contains(where)) continue;
            assertTrue(theirs.has(p.getKey()), "QEMU has no " + where);
            if (PHANDLE_LISTS.contains(p.getKey())) {
                List<String> a = Arrays.stream(ours.cellsOf(p.getKey())).mapToObj(ourPhandles::get).toList();
                List<String> b = Arrays.stream(theirs.cellsOf(p.getKey())).mapToObj(theirPhandles::get).toList();
                assertEquals(b, a, where);
            } else {
                assertArrayEquals(theirs.property(p.getKey()), p.getValue(), where);
            }
            compared++;
        }
        for (FdtNode child : ours.children()) {
            FdtNode match = theirs.child(child.name());
            assertNotNull(match, "QEMU has no node " + path + "/" + child.name());
            compared += compare(child, match, path + "/" + child.name(), ourPhandles, theirPhandles, skip);
        }
        return compared;
    }
}
