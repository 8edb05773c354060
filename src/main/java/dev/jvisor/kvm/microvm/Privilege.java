package dev.jvisor.kvm.microvm;

/** The x86 privilege level guest code runs at. */
public enum Privilege {
    /** CPL3 with user-accessible page tables: native speed under KVM-PVM and under VT-x/AMD-V alike. */
    USER,
    /** CPL0: native under VT-x/AMD-V, but emulated instruction by instruction under KVM-PVM. */
    KERNEL;
}
