/**
 * hardened-constructs: the Kubernetes entry point. It loads no Pulumi module; the Docker backend
 * lives in `hardened-constructs/docker`.
 */
export * from './spec';
export * from './k8s';
export * from './policy';
