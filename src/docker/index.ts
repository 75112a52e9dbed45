/**
 * hardened-constructs/docker: the same specs as the Kubernetes constructs, rendered as Pulumi Docker
 * resources for a single host. Loads @pulumi/pulumi and @pulumi/docker; the main entry point does not.
 */
export * from './render';
export * from './guard';
export * from './hardened-service';
export * from './stateful-database';
export * from './mocks';
export * from './connections';
export * from './overrides';
export * from './paths';
export * from './project';
export * from './parity';
