export * from './hardened-service';
export * from './hardened-namespace';
export * from './guard';
export * from './suppressions';
export * from './workload';
export * from './render';
