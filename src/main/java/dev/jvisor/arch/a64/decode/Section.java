package dev.jvisor.arch.a64.decode;

/**
 * The broad kind of a row, from the table section that declares it. Engines use it to find block boundaries: a
 * translated block ends at a BRANCH or SYSTEM row, since system instructions may raise exceptions, change the
 * translation regime or wait, and so must hand control back to the CPU model.
 */
public enum Section { BRANCH, DATA, MEMORY, SYSTEM }
