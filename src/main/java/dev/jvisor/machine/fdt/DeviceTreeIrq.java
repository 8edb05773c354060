package dev.jvisor.machine.fdt;

/** The cells of an interrupt specifier for the Arm GIC binding: type, number within the type, trigger flags. */
public final class DeviceTreeIrq {
    private DeviceTreeIrq() {}

    /** Type cell: shared peripheral interrupt, numbered from INTID 32. */
    public static final long SPI = 0;
    /** Type cell: private peripheral interrupt, numbered from INTID 16. */
    public static final long PPI = 1;
    public static final long EDGE_RISING = 1;
    public static final long LEVEL_HIGH = 4;
}
