package dev.jvisor.memory;

/** What a memory access is for; permission checks and fault syndromes depend on it. */
public enum Access { READ, WRITE, EXECUTE }
