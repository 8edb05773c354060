package dev.jvisor.machine.virt;

import dev.jvisor.UserError;
import dev.jvisor.machine.CpuTopology;
import dev.jvisor.machine.bus.MmioBus;
import dev.jvisor.machine.fdt.Fdt;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.machine.gic.CpuRegister;
import dev.jvisor.machine.gic.GicV3;
import dev.jvisor.machine.gic.InterruptOutputs;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.machine.rtc.Pl031;
import dev.jvisor.machine.timer.GenericTimer;
import dev.jvisor.machine.uart.Pl011;
import dev.jvisor.machine.virtio.VirtioDevice;
import dev.jvisor.machine.virtio.VirtioMmio;
import dev.jvisor.memory.Dma;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The devices of a {@code virt} machine at QEMU's addresses (see shared/notes/platform.md), wired together: a GICv3,
 * the generic timer, a PL011 console and a PL031 clock on the MMIO bus, and PSCI firmware. The CPU side supplies
 * the vCPUs' interrupt inputs and the power operations, and registers {@link #systemRegisters()} with each vCPU.
 */
public final class VirtBoard implements AutoCloseable {
    public static final long GIC_DISTRIBUTOR = 0x0800_0000L;
    public static final long GIC_REDISTRIBUTORS = 0x080A_0000L;
    public static final long UART = 0x0900_0000L;
    public static final long RTC = 0x0901_0000L;
    public static final long RAM = 0x4000_0000L;
    public static final int UART_SPI = 1;
    public static final int RTC_SPI = 2;
    /** virtio-mmio transports: QEMU's 32 slots of 0x200 bytes from here, slot n on SPI 16 + n. */
    public static final long VIRTIO = 0x0A00_0000L;
    public static final int VIRTIO_SPI = 16;
    public static final int VIRTIO_SLOTS = 32;
    /** The redistributor region ends where the UART begins, which bounds the vCPU count at 123, as on QEMU. */
    public static final int MAX_CPUS = (int) ((UART - GIC_REDISTRIBUTORS) / GicV3.REDISTRIBUTOR_STRIDE);
    /** RAM may reach up to 256 GiB (its end must stay below the high MMIO QEMU places at 256 GiB). */
    public static final long MAX_RAM = 255L << 30;
    private static final int SPIS = 256;
    private static final long APB_CLOCK_HZ = 24_000_000;
    private static final int CLOCK_PHANDLE = 1;
    private static final int GIC_PHANDLE = 2;

    /**
     * @param cpuCompatible the device tree's compatible string for the vCPUs ("arm,armv8" for a generic v8 CPU)
     * @param psciMethod    "hvc" for a kernel entered at EL1, "smc" for one entered at EL2
     * @param el2           the CPUs have EL2: the GIC's virtual interface and the EL2 timers are wired and named
     */
    public record Config(int cpus, long ramSize, String bootargs, String cpuCompatible, String psciMethod,
                         boolean el2) {
        public Config {
            if (cpus < 1 || cpus > MAX_CPUS) throw new IllegalArgumentException("1.." + MAX_CPUS + " vCPUs");
            if (ramSize <= 0 || ramSize > MAX_RAM || ramSize % (1 << 20) != 0) {
                throw new IllegalArgumentException("RAM must be a whole number of MiB up to 255 GiB");
            }
        }

        /** A machine whose CPUs have EL0 and EL1 only. */
        public Config(int cpus, long ramSize, String bootargs, String cpuCompatible, String psciMethod) {
            this(cpus, ramSize, bootargs, cpuCompatible, psciMethod, false);
        }
    }

    private final Config config;
    private final MmioBus bus = new MmioBus();
    private final GicV3 gic;
    private final GenericTimer timer;
    private final Pl011 uart;
    private final Pl031 rtc;
    private final Psci psci;
    private final ScheduledExecutorService housekeeping;
    private final List<VirtioMmio> virtio = new ArrayList<>();

    /**
     * @param counter  the system counter; it must be the one the vCPUs read CNTPCT/CNTVCT from, or timer deadlines
     *                 the guest computes from the count fire at the wrong time
     * @param cpuLines the vCPUs' IRQ and FIQ inputs
     * @param console  receives the bytes the guest writes to the UART
     */
    public VirtBoard(Config config, GenericTimer.Counter counter, InterruptOutputs cpuLines, IntConsumer console,
                     Psci.Platform platform) {
        this.config = config;
        gic = new GicV3(config.cpus(), SPIS, cpuLines);
        timer = new GenericTimer(config.cpus(), counter, gic::setPpiLevel, true);
        uart = new Pl011(console, level -> gic.setSpiLevel(32 + UART_SPI, level));
        rtc = new Pl031(() -> System.currentTimeMillis() / 1000, level -> gic.setSpiLevel(32 + RTC_SPI, level));
        psci = new Psci(config.cpus(), platform);
        bus.map(GIC_DISTRIBUTOR, GicV3.DISTRIBUTOR_SIZE, gic.distributor());
        bus.map(GIC_REDISTRIBUTORS, gic.redistributorRegionSize(), gic.redistributors());
        bus.map(UART, Pl011.SIZE, uart);
        bus.map(RTC, Pl031.SIZE, rtc);
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "virt-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleAtFixedRate(rtc::poll, 1, 1, TimeUnit.SECONDS);
    }

    public Config config() {
        return config;
    }

    public MmioBus bus() {
        return bus;
    }

    public GicV3 gic() {
        return gic;
    }

    public GenericTimer timer() {
        return timer;
    }

    public Pl011 uart() {
        return uart;
    }

    public Pl031 rtc() {
        return rtc;
    }

    public Psci psci() {
        return psci;
    }

    /**
     * Puts {@code device} behind the next free virtio-mmio transport, reaching guest RAM through {@code dma}; returns
     * its slot. Devices added before the device tree is generated appear in it; the board closes those that hold
     * host resources.
     */
    public synchronized int addVirtio(VirtioDevice device, Dma dma) {
        int slot = virtio.size();
        if (slot == VIRTIO_SLOTS) throw new UserError("at most " + VIRTIO_SLOTS + " virtio devices");
        int intid = 32 + VIRTIO_SPI + slot;
        VirtioMmio transport = new VirtioMmio(device, dma, level -> gic.setSpiLevel(intid, level));
        bus.map(VIRTIO + slot * VirtioMmio.SIZE, VirtioMmio.SIZE, transport);
        virtio.add(transport);
        return slot;
    }

    /** The virtio transports, by slot. */
    public synchronized List<VirtioMmio> virtio() {
        return List.copyOf(virtio);
    }

    /** The GIC's ICC_* and the timer's CNT* registers, for the CPU side's per-encoding handler table. */
    public List<CpuRegister> systemRegisters() {
        List<CpuRegister> all = new ArrayList<>(gic.cpuInterfaceRegisters());
        if (config.el2()) all.addAll(gic.virtualInterfaceRegisters());
        all.addAll(timer.registers());
        return all;
    }

    /** An initial RAM disk's guest-physical extent, [start, end). */
    public record Initrd(long start, long end) {}

    /** The device tree describing this machine, with {@code initrd} (may be null) announced in /chosen. */
    public byte[] deviceTree(Initrd initrd) {
        return Fdt.write(deviceTreeRoot(initrd), 0);
    }

    FdtNode deviceTreeRoot(Initrd initrd) {
        FdtNode root = new FdtNode("");
        root.string("compatible", "linux,dummy-virt");
        root.string("model", "jvisor virt");
        root.cells("#address-cells", 2);
        root.cells("#size-cells", 2);
        root.cells("interrupt-parent", GIC_PHANDLE);

        FdtNode chosen = root.addChild("chosen");
        chosen.string("bootargs", config.bootargs());
        chosen.string("stdout-path", String.format("/pl011@%x", UART));
        if (initrd != null) {
            chosen.cells64("linux,initrd-start", initrd.start());
            chosen.cells64("linux,initrd-end", initrd.end());
        }

        FdtNode memory = root.addChild(String.format("memory@%x", RAM));
        memory.string("device_type", "memory");
        memory.cells64("reg", RAM, config.ramSize());

        FdtNode cpus = root.addChild("cpus");
        cpus.cells("#address-cells", 1);
        cpus.cells("#size-cells", 0);
        for (int c = 0; c < config.cpus(); c++) {
            int affinity = CpuTopology.affinityOf(c);
            FdtNode cpu = cpus.addChild(String.format("cpu@%x", affinity));
            cpu.string("device_type", "cpu");
            cpu.string("compatible", config.cpuCompatible());
            cpu.cells("reg", affinity);
            cpu.string("enable-method", "psci");
        }

        root.addChild(Psci.deviceTreeNode(config.psciMethod()));
        root.addChild(GenericTimer.deviceTreeNode(config.el2()));
        root.addChild(gic.deviceTreeNode(GIC_DISTRIBUTOR, GIC_REDISTRIBUTORS, GIC_PHANDLE, config.el2()));

        FdtNode clock = root.addChild("apb-pclk");
        clock.string("compatible", "fixed-clock");
        clock.cells("#clock-cells", 0);
        clock.cells("clock-frequency", APB_CLOCK_HZ);
        clock.string("clock-output-names", "clk24mhz");
        clock.cells("phandle", CLOCK_PHANDLE);

        root.addChild(Pl011.deviceTreeNode(UART, UART_SPI, CLOCK_PHANDLE));
        root.addChild(Pl031.deviceTreeNode(RTC, RTC_SPI, CLOCK_PHANDLE));
        // Linux probes the transports in tree order, so slot order here makes the first drive vda.
        List<VirtioMmio> transports = virtio();
        for (int slot = 0; slot < transports.size(); slot++) {
            root.addChild(VirtioMmio.deviceTreeNode(VIRTIO + slot * VirtioMmio.SIZE, VIRTIO_SPI + slot));
        }
        return root;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        timer.close();
        for (VirtioMmio t : virtio()) {
            if (t.device() instanceof Closeable c) {
                try {
                    c.close();
                } catch (IOException e) {
                    // The image stays as the last completed request left it; nothing more can be done at exit.
                }
            }
        }
    }
}
