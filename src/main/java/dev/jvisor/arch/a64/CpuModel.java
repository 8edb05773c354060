package dev.jvisor.arch.a64;

import java.util.EnumSet;
import java.util.Set;

/**
 * A processor model: which optional architecture features exist. Feature gates are data: the ID registers, the
 * user-mode AT_HWCAP word and the decode-time checks in the semantics are all derived from {@link #features}, so a
 * guest is never told about something jvisor does not implement.
 */
public final class CpuModel {
    public enum Feature {
        /** FEAT_CRC32: CRC32B/H/W/X and CRC32C*. */
        CRC32,
        /** FEAT_LSE: CAS, CASP, SWP, LDADD and the other atomic memory operations. */
        LSE,
        /** FEAT_LRCPC: LDAPR. */
        LRCPC,
        /** FEAT_DPB: DC CVAP. */
        DPB,
        /** FEAT_PAN: PSTATE.PAN, privileged access never. */
        PAN,
        /** FEAT_UAO: PSTATE.UAO, LDTR/STTR at EL1 checked as EL1. */
        UAO,
        /**
         * FEAT_CSV2, FEAT_CSV3 and FEAT_ECBHB: no speculative side channels. True of an emulator that does not
         * speculate, and it spares the guest kernel its Spectre mitigations and kernel page-table isolation.
         */
        CSV,
    }

    public final String name;
    public final Set<Feature> features;
    public final long midr;

    public CpuModel(String name, Set<Feature> features, long midr) {
        this.name = name;
        this.features = Set.copyOf(features);
        this.midr = midr;
    }

    public boolean has(Feature f) {
        return features.contains(f);
    }

    /** Everything jvisor implements. MIDR names implementer 0, which ARM reserves for software use. */
    public static CpuModel max() {
        return new CpuModel("max", EnumSet.allOf(Feature.class), 0x000F_0510L);
    }

    /**
     * An ARMv8.0 Cortex-A57 r1p3: CRC32 but no LSE, PAN or UAO. The guest recognises the MIDR and applies the
     * mitigations a real A57 needs.
     */
    public static CpuModel cortexA57() {
        return new CpuModel("cortex-a57", EnumSet.of(Feature.CRC32), 0x411F_D070L);
    }

    /** The Linux AT_HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h) that describe this model. */
    public long linuxHwcap() {
        long hwcap = 1L << 0 /* FP */ | 1L << 1 /* ASIMD */ | 1L << 11 /* CPUID: MRS of ID registers emulated */;
        if (has(Feature.CRC32)) hwcap |= 1L << 7;
        if (has(Feature.LSE)) hwcap |= 1L << 8;
        if (has(Feature.LRCPC)) hwcap |= 1L << 15;
        if (has(Feature.DPB)) hwcap |= 1L << 16;
        return hwcap;
    }

    /** ID_AA64ISAR0_EL1 as this model reports it. */
    public long idAa64Isar0() {
        long v = 0;
        if (has(Feature.CRC32)) v |= 1L << 16;
        if (has(Feature.LSE)) v |= 2L << 20;
        return v;
    }

    /** ID_AA64ISAR1_EL1 as this model reports it. */
    public long idAa64Isar1() {
        long v = 0;
        if (has(Feature.DPB)) v |= 1L;
        if (has(Feature.LRCPC)) v |= 1L << 20;
        return v;
    }

    /** ID_AA64PFR0_EL1 for user mode: EL0 and EL1 AArch64 only, FP and AdvSIMD present (0), GIC system regs absent. */
    public long idAa64Pfr0() {
        return 1L /* EL0 AArch64 */ | 1L << 4 /* EL1 AArch64 */;
    }
}
